// Checks of what callers hand the log (readings, events, timestamps, limits, stream names), and the
// form a record is stored in. Separate so every writer and reader refuses bad input with the same
// messages, and so the group commit can check a reading before it is buffered without the database.
import { EVENT_LEVELS, type PointEvent } from '../core/events.js';
import { isValidChannelName, type Reading } from '../core/readings.js';
import type { Stream } from './types.js';

/** The table that holds each stream's records. */
export const STREAM_TABLES: Readonly<Record<Stream, string>> = { telemetry: 'readings', events: 'events' };

export function checkLimit(limit: number): number {
  if (!Number.isSafeInteger(limit) || limit < 0) throw new RangeError(`invalid limit ${limit}`);
  return limit;
}

export function checkStream(stream: Stream): Stream {
  if (!Object.hasOwn(STREAM_TABLES, stream)) throw new RangeError(`unknown stream ${JSON.stringify(stream)}`);
  return stream;
}

export function checkTs(ts: number, what: string): number {
  if (!Number.isFinite(ts)) throw new TypeError(`${what} must be a finite epoch ms, got ${ts}`);
  return Math.round(ts);
}

/** Why a reading cannot be logged, or undefined when it can. */
export function readingProblem(r: Reading): string | undefined {
  if (typeof r.channel !== 'string' || !isValidChannelName(r.channel)) {
    return `invalid channel name ${JSON.stringify(r.channel)}`;
  }
  if (!Number.isFinite(r.ts)) return `reading of ${r.channel} has an invalid ts ${r.ts}`;
  if (r.value !== null && typeof r.value !== 'number')
    return `reading of ${r.channel} has a non-numeric value`;
  return undefined;
}

/** A NaN or infinite value is not a measurement: it is logged as null (faulty), never as a number. */
export function storableReading(r: Reading): Reading {
  const problem = readingProblem(r);
  if (problem) throw new TypeError(problem);
  const value = r.value !== null && Number.isFinite(r.value) ? r.value : null;
  return { channel: r.channel, value, ts: Math.round(r.ts) };
}

export function storableEvent(e: PointEvent): PointEvent {
  if (!EVENT_LEVELS.includes(e.level)) throw new TypeError(`unknown event level ${JSON.stringify(e.level)}`);
  if (typeof e.type !== 'string' || e.type === '') throw new TypeError('an event needs a type');
  const base = { type: e.type, level: e.level, ts: checkTs(e.ts, 'event ts'), message: String(e.message) };
  return e.data === undefined ? base : { ...base, data: e.data };
}
