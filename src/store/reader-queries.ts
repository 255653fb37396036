// The queries of the log's readers: readings and events filtered by time, channel, level and seq (the
// CLI's exports, the status page), the newest reading per channel, the newest of a channel before a
// time, the downsampled history of a channel, records after a seq in seq order, and a stream's seq
// bounds. Separate because none of it writes: it is all a read-only open needs.
import type Database from 'better-sqlite3';
import { EVENT_LEVELS, type EventLevel, type LoggedEvent } from '../core/events.js';
import type { LoggedReading } from '../core/readings.js';
import { checkLimit, checkStream, STREAM_TABLES } from './record-checks.js';
import { type EventRow, type ReadingRow, toEvent, toReading } from './stored-rows.js';
import type { DownsampledBucket, EventQuery, ReadingQuery, Stream } from './types.js';

type Db = Database.Database;
type Param = string | number | null;

const NO_LIMIT = -1;

/**
 * The longest downsampled bucket: config's storage.downsampleMinutes is at most 1440. It bounds the
 * bucket_start range of `downsampledBuckets` (the primary key's order), so a bucket that began before
 * since and still covers it is found without walking the channel's whole summarised history.
 */
const MAX_BUCKET_MS = 86_400_000;

export function prepareQueryStatements(db: Db) {
  return {
    readingsAfter: db.prepare<[number, number], ReadingRow>(
      'SELECT seq, ts, channel, value FROM readings WHERE seq > ? ORDER BY seq LIMIT ?',
    ),
    eventsAfter: db.prepare<[number, number], EventRow>(
      'SELECT seq, ts, type, level, message, data FROM events WHERE seq > ? ORDER BY seq LIMIT ?',
    ),
    /** The newest rows, newest first: a rowid walk back from the end, bounded by its limit. */
    newestRows: db.prepare<[number], ReadingRow>(
      'SELECT seq, ts, channel, value FROM readings ORDER BY seq DESC LIMIT ?',
    ),
    latestReading: db.prepare<[string], ReadingRow>(
      'SELECT seq, ts, channel, value FROM readings WHERE channel = ? ORDER BY seq DESC LIMIT 1',
    ),
    /** One rowid seek: the first row at or after a seq (seqs have holes where rows were deleted). */
    rowFromSeq: db.prepare<[number], { seq: number; ts: number }>(
      'SELECT seq, ts FROM readings WHERE seq >= ? ORDER BY seq LIMIT 1',
    ),
    maxSeq: db.prepare<[], { seq: number | null }>('SELECT max(seq) AS seq FROM readings'),
    // Newest by ts, and of two at one ts the later logged, as the history's step series orders them.
    readingInSeqRange: db.prepare<[number, number, string, number, number], ReadingRow>(
      `SELECT seq, ts, channel, value FROM readings
       WHERE seq >= ? AND seq < ? AND channel = ? AND ts >= ? AND ts < ?
       ORDER BY ts DESC, seq DESC LIMIT 1`,
    ),
    downsampledBuckets: db.prepare<[string, number, number, number], DownsampledRow>(
      `SELECT channel, bucket_start, bucket_ms, first_seq, last_seq, n, min, max, mean FROM downsampled
       WHERE channel = ? AND bucket_start > ? AND bucket_start <= ? AND bucket_start + bucket_ms > ?
       ORDER BY bucket_start, first_seq`,
    ),
  };
}

export type QueryStatements = ReturnType<typeof prepareQueryStatements>;

export class ReaderQueries {
  private readonly db: Db;
  private readonly sql: QueryStatements;
  /** Filtered queries, prepared on first use: one per combination of filters. */
  private readonly filtered = new Map<string, Database.Statement<Param[], unknown>>();

  constructor(db: Db, sql: QueryStatements) {
    this.db = db;
    this.sql = sql;
  }

  queryReadings(q: ReadingQuery): LoggedReading[] {
    const f = new Filter();
    f.add('channel = ?', q.channel);
    addCommonFilters(f, q);
    return this.select<ReadingRow>('SELECT seq, ts, channel, value FROM readings', f, q.limit).map(toReading);
  }

  queryEvents(q: EventQuery): LoggedEvent[] {
    const f = new Filter();
    if (q.minLevel !== undefined) {
      f.add('level IN (SELECT value FROM json_each(?))', JSON.stringify(levelsFrom(q.minLevel)));
    }
    addCommonFilters(f, q);
    const sql = 'SELECT seq, ts, type, level, message, data FROM events';
    return this.select<EventRow>(sql, f, q.limit).map(toEvent);
  }

  readingsAfter(afterSeq: number, limit: number): LoggedReading[] {
    return this.sql.readingsAfter.all(afterSeq, checkLimit(limit)).map(toReading);
  }

  eventsAfter(afterSeq: number, limit: number): LoggedEvent[] {
    return this.sql.eventsAfter.all(afterSeq, checkLimit(limit)).map(toEvent);
  }

  /**
   * The newest reading of each of `channels` among the last `maxRows` logged rows with ts > sinceMs
   * (a status snapshot's time): bounded however long a channel has been silent or absent.
   */
  readingsNewerThan(
    channels: readonly string[],
    sinceMs: number,
    maxRows: number,
  ): Map<string, LoggedReading> {
    const wanted = new Set(channels);
    const out = new Map<string, LoggedReading>();
    for (const row of this.sql.newestRows.all(checkLimit(maxRows))) {
      if (row.ts <= sinceMs || !wanted.has(row.channel) || out.has(row.channel)) continue;
      out.set(row.channel, toReading(row));
    }
    return out;
  }

  /** Newest by seq (logging order), not by ts: the wall clock of a Pi may jump backwards after boot. */
  latestReadings(channels: readonly string[]): Map<string, LoggedReading> {
    const latest = new Map<string, LoggedReading>();
    for (const channel of channels) {
      const row = this.sql.latestReading.get(channel);
      if (row) latest.set(channel, toReading(row));
    }
    return latest;
  }

  /**
   * The newest reading of a channel with beforeMs − lookbackMs ≤ ts < beforeMs (the value in effect at
   * beforeMs), or undefined. readings has no ts or channel index (SD writes, migrations.ts v2), and a
   * scan back by seq from the newest row would read every row logged since beforeMs (up to the whole
   * log for an old time, or for a channel that never logged). Instead two binary searches over seq
   * find the rows logged in the lookback window, about 2·log2(rows) rowid seeks, and only that window
   * is read. This assumes ts grows with seq, true but for a clock set back (or a boot that never
   * synchronised); there the window may be missed and the answer is undefined, never a row outside it.
   */
  readingBefore(channel: string, beforeMs: number, lookbackMs: number): LoggedReading | undefined {
    if (!Number.isFinite(beforeMs)) throw new RangeError(`invalid time ${beforeMs}`);
    if (!(lookbackMs >= 0)) throw new RangeError(`invalid lookback ${lookbackMs}`);
    const last = this.sql.maxSeq.get()?.seq;
    if (last == null) return undefined;
    const fromMs = beforeMs - lookbackMs;
    const lo = Number.isFinite(fromMs) ? this.firstSeqAt(fromMs, 0, last + 1) : 0;
    const hi = this.firstSeqAt(beforeMs, lo, last + 1);
    const row = this.sql.readingInSeqRange.get(lo, hi, channel, fromMs, beforeMs);
    return row && toReading(row);
  }

  /** Downsampled buckets of a channel that overlap [sinceMs, untilMs], by bucket start. */
  downsampledBuckets(channel: string, sinceMs: number, untilMs: number): DownsampledBucket[] {
    return this.sql.downsampledBuckets.all(channel, sinceMs - MAX_BUCKET_MS, untilMs, sinceMs).map((r) => ({
      channel: r.channel,
      bucketStart: r.bucket_start,
      bucketMs: r.bucket_ms,
      firstSeq: r.first_seq,
      lastSeq: r.last_seq,
      n: r.n,
      min: r.min,
      max: r.max,
      mean: r.mean,
    }));
  }

  /**
   * The lowest seq in [lo, hi) from which on rows have ts ≥ tsMs, taking ts to grow with seq; hi when
   * there is none. Invariant: rows below lo are older than tsMs, the first row at or after hi is not.
   */
  private firstSeqAt(tsMs: number, lo: number, hi: number): number {
    while (lo < hi) {
      const mid = lo + Math.floor((hi - lo) / 2);
      const row = this.sql.rowFromSeq.get(mid);
      if (row === undefined || row.seq >= hi || row.ts >= tsMs) hi = mid;
      else lo = row.seq + 1;
    }
    return lo;
  }

  /** Lowest and highest seq present in a stream's table (cheap: both ends of the rowid b-tree). */
  seqBounds(stream: Stream): { first: number; last: number } | undefined {
    const row = this.db
      .prepare<[], { first: number | null; last: number | null }>(
        `SELECT min(seq) AS first, max(seq) AS last FROM ${STREAM_TABLES[checkStream(stream)]}`,
      )
      .get();
    return row?.first == null || row.last == null ? undefined : { first: row.first, last: row.last };
  }

  private select<R>(head: string, f: Filter, limit: number | undefined): R[] {
    const sql = `${head}${f.where()} ORDER BY seq LIMIT ?`;
    let stmt = this.filtered.get(sql);
    if (!stmt) {
      stmt = this.db.prepare<Param[]>(sql);
      this.filtered.set(sql, stmt);
    }
    const rows = stmt.all(...f.params, limit === undefined ? NO_LIMIT : checkLimit(limit));
    return rows as R[];
  }
}

interface DownsampledRow {
  channel: string;
  bucket_start: number;
  bucket_ms: number;
  first_seq: number;
  last_seq: number;
  n: number;
  min: number | null;
  max: number | null;
  mean: number | null;
}

/** Collects WHERE clauses whose value is given; `undefined` means "no filter". */
class Filter {
  readonly params: Param[] = [];
  private readonly clauses: string[] = [];

  add(clause: string, value: Param | undefined): void {
    if (value === undefined) return;
    this.clauses.push(clause);
    this.params.push(value);
  }

  where(): string {
    return this.clauses.length === 0 ? '' : ` WHERE ${this.clauses.join(' AND ')}`;
  }
}

/** Both bounds are inclusive. */
function addCommonFilters(f: Filter, q: { sinceMs?: number; untilMs?: number; afterSeq?: number }): void {
  f.add('ts >= ?', q.sinceMs);
  f.add('ts <= ?', q.untilMs);
  f.add('seq > ?', q.afterSeq);
}

function levelsFrom(min: EventLevel): EventLevel[] {
  const index = EVENT_LEVELS.indexOf(min);
  if (index < 0) throw new RangeError(`unknown event level ${JSON.stringify(min)}`);
  return EVENT_LEVELS.slice(index);
}
