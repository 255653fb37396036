// The queries of the log's readers: readings and events filtered by time, channel, level and seq (the
// CLI's exports, the status page), the newest reading per channel, records after a seq in seq order,
// and a stream's seq bounds. Separate because none of it writes: it is all a read-only open needs.
import type Database from 'better-sqlite3';
import { EVENT_LEVELS, type EventLevel, type LoggedEvent } from '../core/events.js';
import type { LoggedReading } from '../core/readings.js';
import { checkLimit, checkStream, STREAM_TABLES } from './record-checks.js';
import { type EventRow, type ReadingRow, toEvent, toReading } from './stored-rows.js';
import type { EventQuery, ReadingQuery, Stream } from './types.js';

type Db = Database.Database;
type Param = string | number | null;

const NO_LIMIT = -1;

export function prepareQueryStatements(db: Db) {
  return {
    readingsAfter: db.prepare<[number, number], ReadingRow>(
      'SELECT seq, ts, channel, value FROM readings WHERE seq > ? ORDER BY seq LIMIT ?',
    ),
    eventsAfter: db.prepare<[number, number], EventRow>(
      'SELECT seq, ts, type, level, message, data FROM events WHERE seq > ? ORDER BY seq LIMIT ?',
    ),
    latestReading: db.prepare<[string], ReadingRow>(
      'SELECT seq, ts, channel, value FROM readings WHERE channel = ? ORDER BY seq DESC LIMIT 1',
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

  /** Newest by seq (logging order), not by ts: the wall clock of a Pi may jump backwards after boot. */
  latestReadings(channels: readonly string[]): Map<string, LoggedReading> {
    const latest = new Map<string, LoggedReading>();
    for (const channel of channels) {
      const row = this.sql.latestReading.get(channel);
      if (row) latest.set(channel, toReading(row));
    }
    return latest;
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
