import { z } from 'zod';
import { Timestamp } from './common.js';

/**
 * `{prefix}/{id}/info`, retained (CONTRACT.md §6): what a registry needs about the point. Every field but
 * `ts` may be missing (an older point, or a point whose config leaves it out).
 */
export const Location = z.strictObject({
  lat: z.number().min(-90).max(90),
  lon: z.number().min(-180).max(180),
});
export type Location = z.infer<typeof Location>;

export const InfoMessage = z.object({
  point: z.string().optional(),
  name: z.string().optional(),
  location: Location.optional(),
  address: z.string().max(500).optional(),
  hours: z
    .string()
    .max(500)
    .optional()
    .describe('Opening hours as text, e.g. "24/7" or "Mo-Su 08:00-22:00".'),
  contact: z.string().max(500).optional(),
  capacity: z.int().min(1).optional(),
  services: z.array(z.string()).optional().describe('Services offered (declared in the config).'),
  languages: z.array(z.string()).optional(),
  fuelTankLitres: z
    .number()
    .positive()
    .optional()
    .describe(
      "Generator tank size, litres (the point's rules.fuelTankLitres): the hub's refuelling run sheet.",
    ),
  version: z.string().optional().describe('Software version of the point.'),
  ts: Timestamp,
});
export type InfoMessage = z.infer<typeof InfoMessage>;
