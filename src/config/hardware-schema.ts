import { z } from 'zod';
import { firmataSchema } from '../drivers/firmata/config.js';
import {
  gpioBeamsSchema,
  gpioButtonsSchema,
  gpioContactSchema,
  gpioMainsSchema,
  gpioSettingsSchema,
  gpioTamperSchema,
} from '../drivers/gpio/config.js';
import { dseConfig } from '../drivers/modbus/config.js';
import { ds18b20Config } from '../drivers/onewire/config.js';
import { vedirectConfig, vedirectDeviceConfig } from '../drivers/vedirect/config.js';
import { internetProbeConfig } from '../system/internet-probe-config.js';

/**
 * The `hardware` section: one entry per device role, each a union over the drivers that can fill it.
 * Each real driver family keeps its own config schema in its folder (e.g. src/drivers/vedirect/config.ts,
 * zod only, no hardware imports) and is added to the union of its role here.
 */
export const simDriver = () =>
  z.strictObject({
    driver: z.literal('sim').describe('sim: a simulated device (see simulation)'),
  });

export const hardwareSchema = () =>
  z
    .strictObject({
      battery: z
        .discriminatedUnion('driver', [simDriver(), vedirectConfig()])
        .prefault({ driver: 'sim' })
        .describe('Battery monitor.'),
      vedirect: z
        .array(vedirectDeviceConfig())
        .max(8)
        .default([])
        .refine(
          (d) => new Set(d.map((x) => x.name)).size === d.length,
          'each VE.Direct device needs its own name',
        )
        .refine(
          (d) => new Set(d.map((x) => x.port)).size === d.length,
          'each VE.Direct device needs its own port',
        )
        .describe(
          'More VE.Direct devices beside the battery role, each on its own port: an MPPT (solar.*) or a Phoenix inverter (inverter.*). Each item: name, port, and baudRate, intervalSec, staleAfterMs as for hardware.battery.',
        ),
      mains: z
        .discriminatedUnion('driver', [simDriver(), gpioMainsSchema()])
        .prefault({ driver: 'sim' })
        .describe('Mains-present input.'),
      generator: z
        .discriminatedUnion('driver', [simDriver(), gpioContactSchema(), dseConfig()])
        .prefault({ driver: 'sim' })
        .describe('Generator: running, fuel, load.'),
      temperature: z
        .discriminatedUnion('driver', [simDriver(), ds18b20Config()])
        .prefault({ driver: 'sim' })
        .describe('Indoor and outdoor thermometers.'),
      door: z
        .discriminatedUnion('driver', [simDriver(), gpioBeamsSchema()])
        .prefault({ driver: 'sim' })
        .describe('Door counter.'),
      internet: z
        .discriminatedUnion('driver', [simDriver(), internetProbeConfig()])
        .prefault({ driver: 'sim' })
        .describe(
          'Whether visitors can reach the internet (the "internet" service); never judged from the uplink.',
        ),
      buttons: gpioButtonsSchema()
        .optional()
        .describe('Optional operator buttons (mode, acknowledge alarms).'),
      tamper: gpioTamperSchema().optional().describe('Optional enclosure tamper switch.'),
      firmata: firmataSchema(),
      gpio: gpioSettingsSchema(),
    })
    .prefault({})
    .describe('Where each reading comes from.');
