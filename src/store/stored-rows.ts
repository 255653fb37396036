// Turns rows read back from the log into records, refusing a row the log should never hold (unknown
// level, JSON that is not an object). Separate because the reader queries, the operator commands and
// the status snapshot all decode rows the same way.
import { EVENT_LEVELS, type LoggedEvent } from '../core/events.js';
import type { LoggedReading } from '../core/readings.js';

export interface ReadingRow {
  seq: number;
  ts: number;
  channel: string;
  value: number | null;
}

export interface EventRow {
  seq: number;
  ts: number;
  type: string;
  level: string;
  message: string;
  data: string | null;
}

export function toReading(row: ReadingRow): LoggedReading {
  return { seq: row.seq, ts: row.ts, channel: row.channel, value: row.value };
}

export function toEvent(row: EventRow): LoggedEvent {
  const level = EVENT_LEVELS.find((l) => l === row.level);
  if (!level)
    throw new Error(`event ${row.seq} in the log has an unknown level ${JSON.stringify(row.level)}`);
  const event: LoggedEvent = { seq: row.seq, ts: row.ts, type: row.type, level, message: row.message };
  if (row.data !== null) event.data = parseObject(row.data, `data of event ${row.seq}`);
  return event;
}

export function parseObject(json: string, what: string): Record<string, unknown> {
  const value: unknown = JSON.parse(json);
  if (!isRecord(value)) throw new Error(`${what} in the log is not a JSON object`);
  return value;
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}
