import { z } from 'zod';

/** `hardware.battery: { driver: vedirect, ... }`: a Victron battery monitor or solar charger. */
export const vedirectConfig = () =>
  z.strictObject({
    driver: z
      .literal('vedirect')
      .describe('vedirect: Victron BMV/SmartShunt, MPPT or Phoenix inverter over VE.Direct (USB serial)'),
    port: z
      .string()
      .min(1)
      .describe('Serial device; prefer a stable /dev/serial/by-id/... path over /dev/ttyUSB0.'),
    baudRate: z.number().int().min(1200).max(115_200).default(19_200).describe('VE.Direct is 19200 8N1.'),
    intervalSec: z
      .number()
      .min(0)
      .max(3600)
      .default(5)
      .describe(
        'Readings are logged at most this often (s), merged over the blocks between; 0 logs every block.',
      ),
    staleAfterMs: z
      .number()
      .int()
      .min(2000)
      .max(600_000)
      .default(10_000)
      .describe('No valid block this long: the channels are logged as null and the port is reopened.'),
  });

export type VeDirectConfig = z.output<ReturnType<typeof vedirectConfig>>;

/**
 * One item of `hardware.vedirect`: a further VE.Direct device on its own port (an MPPT, a Phoenix inverter)
 * beside the one in the battery role. Its kind fills its own channels (solar.*, inverter.*); its main
 * voltage goes to solar.batteryVoltage / inverter.dcVoltage, never to battery.voltage.
 */
export const vedirectDeviceConfig = () =>
  vedirectConfig()
    .omit({ driver: true })
    .extend({
      name: z
        .string()
        .regex(/^[a-z][a-zA-Z0-9]*$/, 'a device name is lowerCamelCase, e.g. inverter')
        .describe('Names the driver vedirect.<name> in health messages and events, e.g. inverter or solar.'),
    });

export type VeDirectDeviceConfig = z.output<ReturnType<typeof vedirectDeviceConfig>>;
