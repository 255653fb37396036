// Appending readings and events: the prepared INSERTs, the readings' transaction (with the status
// snapshot riding along), the clock stamp of every record, and the one retry after a full disk.
// Separate because it is the only write path that runs many times a second and must stay cheap.
import type Database from 'better-sqlite3';
import type { LoggedEvent, PointEvent } from '../core/events.js';
import type { LoggedReading, Reading } from '../core/readings.js';
import type { TimeSource } from '../system/boot-info.js';
import { checkTs, storableEvent, storableReading } from './record-checks.js';
import type { StatusSnapshot } from './status-snapshot.js';
import type { SavedStatus } from './types.js';

type Db = Database.Database;

/** The clock stamp columns: which boot, monotonic ms, and 0/1/NULL for unsynchronised/synchronised/unknown. */
interface Stamp {
  boot: number | null;
  mono: number;
  clock: number | null;
}

const CLOCK_CODE = { unsynchronized: 0, synchronized: 1, unknown: null } as const;

export function isDiskFull(err: unknown): boolean {
  const code = (err as { code?: unknown } | null)?.code;
  return code === 'SQLITE_FULL' || code === 'SQLITE_IOERR_WRITE' || code === 'ENOSPC';
}

export function prepareAppendStatements(db: Db) {
  return {
    insertReading: db.prepare<[number, string, number | null, number | null, number, number | null]>(
      'INSERT INTO readings (ts, channel, value, boot, mono, clock) VALUES (?, ?, ?, ?, ?, ?)',
    ),
    insertEvent: db.prepare<
      [number, string, string, string, string | null, number | null, number, number | null]
    >(
      'INSERT INTO events (ts, type, level, message, data, boot, mono, clock) VALUES (?, ?, ?, ?, ?, ?, ?, ?)',
    ),
    insertBoot: db.prepare<[string, number]>(
      'INSERT INTO boots (boot_id, first_seen_ts) VALUES (?, ?) ON CONFLICT (boot_id) DO NOTHING',
    ),
    bootByUuid: db.prepare<[string], { id: number }>('SELECT id FROM boots WHERE boot_id = ?'),
  };
}

export type AppendStatements = ReturnType<typeof prepareAppendStatements>;

export interface AppendParts {
  db: Db;
  sql: AppendStatements;
  status: StatusSnapshot;
  time: TimeSource;
  /** Called when a write failed for lack of space; returns whether it freed some. */
  onFull: ((err: Error) => boolean) | undefined;
}

export class LogAppends {
  private readonly sql: AppendStatements;
  private readonly time: TimeSource;
  private readonly onFull: ((err: Error) => boolean) | undefined;
  private readonly insertReadings: (
    rows: readonly Reading[],
    stamp: Stamp,
    status: SavedStatus | undefined,
  ) => LoggedReading[];
  private boot: number | null = null;

  constructor(parts: AppendParts) {
    const { sql, status } = parts;
    this.sql = sql;
    this.time = parts.time;
    this.onFull = parts.onFull;
    this.insertReadings = parts.db.transaction(
      (rows: readonly Reading[], st: Stamp, saved: SavedStatus | undefined) => {
        if (saved) status.write(JSON.stringify(saved.status), saved.savedAt);
        return rows.map((r) => ({
          ...r,
          seq: Number(
            sql.insertReading.run(r.ts, r.channel, r.value, st.boot, st.mono, st.clock).lastInsertRowid,
          ),
        }));
      },
    );
  }

  readings(readings: readonly Reading[], status?: SavedStatus): LoggedReading[] {
    const rows = readings.map(storableReading);
    const saved = status && { status: status.status, savedAt: checkTs(status.savedAt, 'savedAt') };
    if (rows.length === 0 && !saved) return [];
    return this.withSpace(() => this.insertReadings(rows, this.stamp(), saved));
  }

  event(event: PointEvent): LoggedEvent {
    const e = storableEvent(event);
    const data = e.data === undefined ? null : JSON.stringify(e.data);
    const { lastInsertRowid } = this.withSpace(() => {
      const st = this.stamp();
      return this.sql.insertEvent.run(e.ts, e.type, e.level, e.message, data, st.boot, st.mono, st.clock);
    });
    return { ...e, seq: Number(lastInsertRowid) };
  }

  /** This boot's row in `boots` (created on first use), so records store a small integer. */
  bootRow(): number {
    if (this.boot !== null) return this.boot;
    const bootId = this.time.bootId();
    this.sql.insertBoot.run(bootId, Date.now());
    const row = this.sql.bootByUuid.get(bootId);
    if (!row) throw new Error(`could not record boot ${bootId}`);
    this.boot = row.id;
    return row.id;
  }

  private stamp(): Stamp {
    return {
      boot: this.bootRow(),
      mono: Math.round(this.time.monotonicMs()),
      clock: CLOCK_CODE[this.time.clockSync()],
    };
  }

  /** A write that failed for lack of space is retried once after `onFull` shed old data. */
  private withSpace<T>(write: () => T): T {
    try {
      return write();
    } catch (err) {
      if (!isDiskFull(err) || !this.onFull?.(err as Error)) throw err;
      return write();
    }
  }
}
