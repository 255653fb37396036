import { z } from 'zod';
import {
  AnnouncementText,
  AnnouncementTranslations,
  CommandId,
  Issuer,
  Mode,
  Reason,
  Timestamp,
} from './common.js';

/**
 * `{prefix}/{id}/desired`, retained, written by the hub (CONTRACT.md §6): the state the municipality
 * wants. The point applies the newest one it has not applied yet, never an expired one.
 */
export const DesiredMessage = z.strictObject({
  id: CommandId,
  issuedAt: Timestamp,
  issuer: Issuer.optional().describe('Who issued it (audited at the hub, logged by the point).'),
  expiresAt: Timestamp.optional(),
  mode: Mode.optional(),
  reason: Reason.optional(),
  announcement: z
    .strictObject({
      text: AnnouncementText,
      translations: AnnouncementTranslations.optional(),
      expiresAt: Timestamp.optional(),
    })
    .optional()
    .describe('Empty text clears the announcement.'),
  capacity: z.int().min(1).max(10_000).optional(),
});
export type DesiredMessage = z.infer<typeof DesiredMessage>;

/** `status.desired`: what became of the last desired state the point saw. */
export const DesiredReport = z.strictObject({
  id: CommandId,
  applied: z.boolean(),
  error: z.string().optional(),
});
export type DesiredReport = z.infer<typeof DesiredReport>;
