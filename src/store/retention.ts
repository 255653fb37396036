import { statfsSync } from 'node:fs';
import { dirname } from 'node:path';
import type { PointEvent } from '../core/events.js';
import type { SqliteLog } from './sqlite-log.js';

/** What the log keeps (config `storage.*`); see docs/storage.md "Retention". */
export interface RetentionPolicy {
  /** Raw readings are kept this long, then folded into min/max/mean per `downsampleMs`. */
  rawRetentionMs: number;
  downsampleMs: number;
  /** Used pages of the database file are kept below 90 % of this. */
  maxBytes: number;
  /** Free space on the log's filesystem below this makes the log shed its oldest data. */
  minFreeBytes: number;
}

export interface RetentionResult {
  downsampled: number;
  shed: number;
  /** Gap events written for records dropped before they were sent. */
  gaps: PointEvent[];
}

/** Rows looked at and deleted per step, so no single transaction grows the WAL by much. */
const BATCH_ROWS = 5000;
const MAX_STEPS_PER_RUN = 200;
const SOFT_LIMIT = 0.9;

type Db = ReturnType<SqliteLog['database']>;

/**
 * One retention pass: downsample old raw readings, then shed the oldest data while over the byte budget
 * or under the free-space floor. Deletes are by seq range (one index walk each), never by time, and the
 * file is never VACUUMed: freed pages are reused by later inserts.
 */
export function applyRetention(log: SqliteLog, policy: RetentionPolicy, now: number): RetentionResult {
  const result: RetentionResult = { downsampled: 0, shed: 0, gaps: [] };
  for (let i = 0; i < MAX_STEPS_PER_RUN; i++) {
    const n = downsampleStep(log, policy, now, result);
    if (n === 0) break;
    result.downsampled += n;
  }
  for (let i = 0; i < MAX_STEPS_PER_RUN && overBudget(log, policy); i++) {
    const n = shedOldest(log, 'byte budget', now, result);
    if (n === 0) break;
    result.shed += n;
  }
  return result;
}

/** Used bytes of the database (free pages excluded: they are reused, so they do not count). */
export function usedBytes(db: Db): number {
  const pages = Number(db.pragma('page_count', { simple: true }));
  const free = Number(db.pragma('freelist_count', { simple: true }));
  return (pages - free) * Number(db.pragma('page_size', { simple: true }));
}

/** Free bytes for unprivileged writers on the log's filesystem, or undefined when it cannot be asked. */
export function freeBytes(path: string): number | undefined {
  try {
    const s = statfsSync(dirname(path));
    return Number(s.bavail) * Number(s.bsize);
  } catch {
    return undefined;
  }
}

/** Bytes of freed pages inside the log: new rows reuse them before the file grows. */
export function reusableBytes(db: Db): number {
  return (
    Number(db.pragma('freelist_count', { simple: true })) * Number(db.pragma('page_size', { simple: true }))
  );
}

/**
 * Under the free-space floor the log stops growing: it sheds its oldest rows until this much freed room
 * is waiting inside the file. Shedding more cannot help, since the file never shrinks without a VACUUM;
 * without this stop one pass on a filesystem filled by something else would shed up to 10^6 readings.
 * 1 MiB holds well over a day of readings at the default rates (docs/storage.md).
 */
export const FLOOR_HEADROOM_BYTES = 1 << 20;

export function overBudget(log: SqliteLog, policy: RetentionPolicy): boolean {
  const db = log.database();
  if (usedBytes(db) > policy.maxBytes * SOFT_LIMIT) return true;
  const free = freeBytes(log.path);
  return free !== undefined && free < policy.minFreeBytes && reusableBytes(db) < FLOOR_HEADROOM_BYTES;
}

/**
 * The expiry cut is found with trusted time but applied by seq: the newest row that is both old and
 * stamped with a synchronised (or corrected, or unknown-source) clock marks the cut, and everything
 * logged before it goes too, since logging order is the true order even when a clock was wrong.
 */
function downsampleStep(
  log: SqliteLog,
  policy: RetentionPolicy,
  now: number,
  result: RetentionResult,
): number {
  const db = log.database();
  const cutoff = now - policy.rawRetentionMs;
  const head = db
    .prepare<[number], { seq: number; ts: number; clock: number | null }>(
      'SELECT seq, ts, clock FROM readings ORDER BY seq LIMIT ?',
    )
    .all(BATCH_ROWS);
  let cut: number | undefined;
  for (const r of head) if (r.clock !== 0 && r.ts < cutoff) cut = r.seq;
  const first = head[0]?.seq;
  if (cut === undefined || first === undefined) return 0;
  const bucket = Math.max(1000, Math.round(policy.downsampleMs));
  const fold = db.transaction((from: number, to: number) => {
    db.prepare(
      `INSERT INTO downsampled (channel, bucket_start, bucket_ms, first_seq, last_seq, n, min, max, mean)
       SELECT channel, (ts / CAST(@b AS INTEGER)) * @b, @b, min(seq), max(seq), count(*), min(value), max(value),
         avg(value)
       FROM readings WHERE seq BETWEEN @from AND @to GROUP BY channel, ts / CAST(@b AS INTEGER)`,
    ).run({ b: bucket, from, to });
    return deleteReadings(log, from, to, 'downsampled', now, result);
  });
  return fold(first, cut);
}

/**
 * Sheds the oldest low-priority data: raw readings first, then the oldest summaries. Events (state
 * changes, alarms, operator actions) are never shed. Returns how many rows went.
 */
export function shedOldest(log: SqliteLog, reason: string, now: number, result?: RetentionResult): number {
  const db = log.database();
  const rows = db
    .prepare<[number], { seq: number }>('SELECT seq FROM readings ORDER BY seq LIMIT ?')
    .all(BATCH_ROWS);
  const from = rows[0]?.seq;
  const to = rows.at(-1)?.seq;
  if (from !== undefined && to !== undefined) {
    return db.transaction(() => deleteReadings(log, from, to, reason, now, result))();
  }
  const oldest = db
    .prepare<[number], { rowid: number }>('SELECT rowid FROM downsampled ORDER BY first_seq LIMIT ?')
    .all(BATCH_ROWS)
    .at(-1);
  if (!oldest) return 0;
  const ids = db.prepare<[number]>(
    'DELETE FROM downsampled WHERE rowid IN (SELECT rowid FROM downsampled ORDER BY first_seq LIMIT ?)',
  );
  return ids.run(BATCH_ROWS).changes;
}

/** Deletes readings from..to (inclusive); the part the uplink had not sent yet becomes a `gap` event. */
function deleteReadings(
  log: SqliteLog,
  from: number,
  to: number,
  reason: string,
  now: number,
  result: RetentionResult | undefined,
): number {
  const db = log.database();
  const sent = log.sentPosition('telemetry');
  const unsentFrom = Math.max(from, sent + 1);
  if (unsentFrom <= to) {
    const n =
      db
        .prepare<[number, number], { n: number }>(
          'SELECT count(*) AS n FROM readings WHERE seq BETWEEN ? AND ?',
        )
        .get(unsentFrom, to)?.n ?? 0;
    if (n > 0) {
      const gap = gapEvent({ stream: 'telemetry', fromSeq: unsentFrom, toSeq: to, count: n, reason }, now);
      log.appendEvent(gap);
      result?.gaps.push(gap);
    }
  }
  return db.prepare<[number, number]>('DELETE FROM readings WHERE seq BETWEEN ? AND ?').run(from, to).changes;
}

export interface GapData {
  stream: 'telemetry' | 'events';
  fromSeq: number;
  toSeq: number;
  count: number;
  reason: string;
  [key: string]: unknown;
}

/** The `gap` event of CONTRACT.md §5: names a range of records that will never be sent. */
export function gapEvent(data: GapData, ts: number): PointEvent {
  return {
    type: 'gap',
    level: 'warning',
    ts,
    message: `${data.count} ${data.stream} records ${data.fromSeq}..${data.toSeq} dropped before they were sent (${data.reason})`,
    data,
  };
}
