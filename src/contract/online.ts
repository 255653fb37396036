import { z } from 'zod';
import { Timestamp } from './common.js';

/** `{prefix}/{id}/online`, retained, also the last will (CONTRACT.md §5). */
export const OnlineMessage = z.strictObject({
  online: z.boolean(),
  ts: Timestamp.describe(
    'When the connection was opened; its last will carries the same ts, so a receiver ordering ' +
      'by ts sees the will win over the online message of the same connection.',
  ),
  epoch: z.string().optional().describe("The log's epoch (when online)."),
  reason: z
    .enum(['lost', 'stopped'])
    .optional()
    .describe('lost = the last will (link died uncleanly); stopped = clean shutdown.'),
});
export type OnlineMessage = z.infer<typeof OnlineMessage>;
