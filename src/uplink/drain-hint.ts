/**
 * Pure: the fleet's drain hint, `{topicPrefix}/_fleet/drain` (docs/asyncapi.yaml). After a grid return
 * many points reconnect at once, each with hours of backlog; spreading their drain starts over a few
 * seconds cuts the broker's peak when the spread is long enough for their backlog (docs/benchmarks.md,
 * bench:fleet). A lone point with a backlog should not idle for that. Only someone who sees the whole fleet knows which case it is: the
 * hub publishes, retained, how far points connecting now should spread their start (0 when quiet). No
 * hint (no hub, a broker that restarted without persistence, refused by the ACL) means the configured
 * spread, `mqtt.drainStartJitterMs`: the safe side.
 */
import { z } from 'zod';

/** `_` cannot occur in a point.id, so this level can never be a point's. */
export const DRAIN_HINT_LEVEL = '_fleet/drain';

/** The longest spread a hint may carry. */
export const DRAIN_HINT_MAX_MS = 600_000;

export const drainHintSchema = z.object({
  spreadMs: z.number().int().min(0).max(DRAIN_HINT_MAX_MS),
  ts: z.string().optional(),
});
export type DrainHint = z.infer<typeof drainHintSchema>;

/** The hint's spread, or an Error saying why the payload is not a hint. */
export function parseDrainHint(payload: Buffer | string): number | Error {
  let json: unknown;
  try {
    json = JSON.parse(payload.toString());
  } catch {
    return new Error('drain hint is not JSON');
  }
  const parsed = drainHintSchema.safeParse(json);
  if (!parsed.success)
    return new Error(`drain hint is invalid: ${parsed.error.issues[0]?.message ?? 'schema'}`);
  return parsed.data.spreadMs;
}

/**
 * What a hub publishes after `reconnects` points came online within the last minute: `perPointMs` of
 * spread per other reconnecting point (0 for one alone), at most `maxMs`.
 */
export function spreadForReconnects(reconnects: number, perPointMs = 50, maxMs = 60_000): number {
  return Math.min(maxMs, Math.max(0, Math.floor(reconnects) - 1) * perPointMs);
}

/**
 * Backlog bytes a record costs at the broker, estimated: bench:fleet received ~87 B a record (JSON
 * batches, 1.25 M records in ~104 MiB). Compressed batches cost less, so the spread errs long.
 */
export const BACKLOG_BYTES_PER_RECORD = 90;

/**
 * The spread that lets `records` of backlog arrive at `bytesPerSec`, in whole seconds rounded down (a
 * backlog taken in under a second needs none), at most DRAIN_HINT_MAX_MS.
 */
export function spreadForBacklog(
  records: number,
  bytesPerSec: number,
  bytesPerRecord = BACKLOG_BYTES_PER_RECORD,
): number {
  if (!(records > 0) || !(bytesPerSec > 0)) return 0;
  const seconds = Math.floor((records * bytesPerRecord) / bytesPerSec);
  return Math.min(DRAIN_HINT_MAX_MS, seconds * 1000);
}
