import { z } from 'zod';

/** `hardware.battery: { driver: vedirect, ... }`: a Victron battery monitor or solar charger. */
export const vedirectConfig = z.strictObject({
  driver: z
    .literal('vedirect')
    .describe('vedirect: Victron BMV/SmartShunt or MPPT over VE.Direct (USB serial)'),
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

export type VeDirectConfig = z.output<typeof vedirectConfig>;
