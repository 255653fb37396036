import { z } from 'zod';

/** `hardware.temperature: { driver: ds18b20, ... }`: DS18B20 thermometers on the Pi's 1-Wire bus. */
export const ds18b20Config = () =>
  z.strictObject({
    driver: z.literal('ds18b20').describe('ds18b20: DS18B20 thermometers via the kernel w1 sysfs tree'),
    root: z
      .string()
      .min(1)
      .default('/sys/bus/w1/devices')
      .describe('Where the kernel lists 1-Wire devices (w1-gpio overlay).'),
    intervalSec: z
      .number()
      .min(2)
      .max(3600)
      .default(30)
      .describe('All sensors are read, one after another (each read blocks ~750 ms), this often.'),
    sensors: z
      .record(
        z
          .string()
          .regex(/^[a-z][a-zA-Z0-9]*$/, 'a sensor name is lowerCamelCase: it becomes temperature.<name>'),
        z.string().regex(/^[0-9a-f]{2}-[0-9a-f]{12}$/, 'a 1-Wire id looks like 28-0316a2795aff'),
      )
      .refine((s) => Object.keys(s).length > 0, 'name at least one sensor')
      .describe('Sensor name → 1-Wire id; each becomes temperature.<name> (e.g. indoor: 28-0316a2795aff).'),
  });

export type Ds18b20Config = z.output<ReturnType<typeof ds18b20Config>>;
