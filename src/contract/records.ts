import { z } from 'zod';
import { EventLevel, Seq, Timestamp } from './common.js';

/** The records of the `telemetry` and `events` streams and their batches (CONTRACT.md §5). */

export const CHANNEL_PATTERN = /^[a-z][a-zA-Z0-9]*(\.[a-z][a-zA-Z0-9]*)+$/;

export const TelemetryRecord = z.strictObject({
  seq: Seq,
  ts: Timestamp,
  channel: z.string().regex(CHANNEL_PATTERN).describe('CONTRACT.md §3, e.g. battery.voltage.'),
  value: z.number().nullable(),
});
export type TelemetryRecord = z.infer<typeof TelemetryRecord>;

export const EventRecord = z.strictObject({
  seq: Seq,
  ts: Timestamp,
  type: z.string().min(1).describe('e.g. state.changed, operator.mode, alarm.*, driver.health, gap.'),
  level: EventLevel,
  message: z.string(),
  data: z.record(z.string(), z.unknown()).optional().describe('Type-specific details.'),
});
export type EventRecord = z.infer<typeof EventRecord>;

const batchOf = <T extends z.ZodType>(record: T) =>
  z.strictObject({
    point: z.string(),
    epoch: z.string(),
    live: z
      .literal(true)
      .optional()
      .describe('A copy of unsent alarms sent ahead of the backlog; the records come again in order.'),
    records: z.array(record).min(1),
  });

export const TelemetryBatch = batchOf(TelemetryRecord);
export type TelemetryBatch = z.infer<typeof TelemetryBatch>;

export const EventBatch = batchOf(EventRecord);
export type EventBatch = z.infer<typeof EventBatch>;

export const STREAMS = ['telemetry', 'events'] as const;
export const StreamName = z.enum(STREAMS);
export type StreamName = z.infer<typeof StreamName>;
