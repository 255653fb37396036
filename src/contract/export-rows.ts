import { z } from 'zod';
import { EventLevel, Seq, Timestamp } from './common.js';
import { TelemetryRecord } from './records.js';

/** Rows of `pima-kiosk export` (CONTRACT.md §4) and `pima-hub export` (§7). */

/** A reading as `pima-kiosk export --format jsonl` writes it. */
export const PointExportRow = TelemetryRecord;
export type PointExportRow = z.infer<typeof PointExportRow>;

/** `pima-hub export --stream telemetry`: the point's row plus the log's epoch. */
export const HubTelemetryExportRow = z.strictObject({ ...TelemetryRecord.shape, epoch: z.string() });
export type HubTelemetryExportRow = z.infer<typeof HubTelemetryExportRow>;

/** `pima-hub export --stream events`: `data` is always present (null when the event had none). */
export const HubEventExportRow = z.strictObject({
  seq: Seq,
  ts: Timestamp,
  type: z.string().min(1),
  level: EventLevel,
  message: z.string(),
  data: z.record(z.string(), z.unknown()).nullable(),
  epoch: z.string(),
});
export type HubEventExportRow = z.infer<typeof HubEventExportRow>;

/** The csv header of each export, in column order. */
export const EXPORT_COLUMNS = {
  point: ['seq', 'ts', 'channel', 'value'],
  hubTelemetry: ['seq', 'ts', 'channel', 'value', 'epoch'],
  hubEvents: ['seq', 'ts', 'type', 'level', 'message', 'data', 'epoch'],
} as const;
