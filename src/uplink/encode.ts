import type { LoggedEvent } from '../core/events.js';
import type { LoggedReading } from '../core/readings.js';

/**
 * Pure JSON encoding of outbox records and batches (CONTRACT.md §5). Telemetry is encoded by template
 * rather than JSON.stringify: it is the hot path of a catch-up drain and every field has a known shape.
 */

export interface EncodedRecord {
  seq: number;
  json: string;
  /** UTF-8 length of `json`. */
  bytes: number;
}

const PLAIN = /^[A-Za-z0-9._-]*$/;

/** Formats epoch ms as ISO-8601 UTC, reusing the text of the last minute (readings come in runs). */
export class IsoFormatter {
  private minute = Number.NaN;
  private prefix = '';

  format(ts: number): string {
    const inMinute = ((ts % 60_000) + 60_000) % 60_000;
    const minute = ts - inMinute;
    if (minute !== this.minute) {
      this.minute = minute;
      // Up to the minute: drop "SS.mmmZ" (years past 9999 are longer, `+010000-...`).
      this.prefix = new Date(minute).toISOString().slice(0, -7);
    }
    const sec = Math.floor(inMinute / 1000);
    const ms = inMinute - sec * 1000;
    return `${this.prefix}${sec < 10 ? '0' : ''}${sec}.${ms < 10 ? '00' : ms < 100 ? '0' : ''}${ms}Z`;
  }
}

/** JSON literals of channel names: there are a few dozen, and each is encoded millions of times. */
const channelJson = new Map<string, { json: string; ascii: boolean }>();

function channelLiteral(channel: string): { json: string; ascii: boolean } {
  let lit = channelJson.get(channel);
  if (!lit) {
    lit = { json: jsonString(channel), ascii: PLAIN.test(channel) };
    if (channelJson.size < 10_000) channelJson.set(channel, lit);
  }
  return lit;
}

function jsonString(s: string): string {
  return PLAIN.test(s) ? `"${s}"` : JSON.stringify(s);
}

function jsonNumber(v: number | null): string {
  return v === null || !Number.isFinite(v) ? 'null' : String(v);
}

export function encodeReading(r: LoggedReading, iso: IsoFormatter): EncodedRecord {
  const ch = channelLiteral(r.channel);
  const json = `{"seq":${r.seq},"ts":"${iso.format(r.ts)}","channel":${ch.json},"value":${jsonNumber(r.value)}}`;
  // Channel names are ASCII by the log's own rule; only an escaped one could hold more.
  return { seq: r.seq, json, bytes: ch.ascii ? json.length : Buffer.byteLength(json) };
}

/** `data` stays nested so an event's own fields can never be overwritten by it. */
export function encodeEvent(e: LoggedEvent, iso: IsoFormatter): EncodedRecord {
  const record: Record<string, unknown> = {
    seq: e.seq,
    ts: iso.format(e.ts),
    type: e.type,
    level: e.level,
    message: e.message,
  };
  if (e.data !== undefined) record.data = e.data;
  const json = stringify(record);
  return { seq: e.seq, json, bytes: Buffer.byteLength(json) };
}

/** The batch header up to the records array; `live` marks an out-of-order copy sent ahead of the backlog. */
export function batchHead(point: string, epoch: string, live = false): string {
  return `{"point":${JSON.stringify(point)},"epoch":${JSON.stringify(epoch)}${live ? ',"live":true' : ''},"records":[`;
}

/** Closes the records array and the batch object that `batchHead` opened. */
export const BATCH_TAIL = ']}';

export function batchPayload(head: string, records: readonly EncodedRecord[]): string {
  return `${head}${records.map((r) => r.json).join(',')}${BATCH_TAIL}`;
}

/** How many records of about `perRecord` bytes (plus a comma each) fit in `room` bytes; at least 1. */
export function fitByAverage(maxRecords: number, room: number, perRecord: number): number {
  return Math.max(1, Math.min(maxRecords, Math.floor((room + 1) / (perRecord + 1))));
}

/** UTF-8 size of the batch `batchPayload` would build. */
export function batchBytes(head: string, records: readonly EncodedRecord[]): number {
  let bytes = Buffer.byteLength(head) + 2 + Math.max(0, records.length - 1);
  for (const r of records) bytes += r.bytes;
  return bytes;
}

/**
 * How many of `records` (from the front) fit in one message of at most `maxRecords` and `maxBytes`.
 * Always at least one: a single record larger than the limit goes alone rather than blocking the stream.
 */
export function fitCount(
  head: string,
  records: readonly EncodedRecord[],
  maxRecords: number,
  maxBytes: number,
): number {
  let bytes = Buffer.byteLength(head) + 2;
  let n = 0;
  for (const r of records) {
    if (n >= maxRecords) break;
    const next = bytes + r.bytes + (n > 0 ? 1 : 0);
    if (n > 0 && next > maxBytes) break;
    bytes = next;
    n += 1;
  }
  return n;
}

/** JSON that survives a bigint instead of throwing inside an MQTT callback. */
export function stringify(value: unknown): string {
  return JSON.stringify(value, (_key, v: unknown) => {
    if (typeof v !== 'bigint') return v;
    return v >= Number.MIN_SAFE_INTEGER && v <= Number.MAX_SAFE_INTEGER ? Number(v) : v.toString();
  });
}
