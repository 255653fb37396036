import { closeSync, existsSync, mkdirSync, openSync, readSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import Database from 'better-sqlite3';
import { EVENT_LEVELS, type EventLevel, type LoggedEvent, type PointEvent } from '../core/events.js';
import { isValidChannelName, type LoggedReading, type Reading } from '../core/readings.js';
import type { TimeSource } from '../system/boot-info.js';
import { fixedTimeSource } from '../system/boot-info.js';
import {
  APPLICATION_ID,
  assertCompatible,
  LATEST_VERSION,
  LogOpenError,
  migrate,
  schemaVersion,
} from './migrations.js';
import { OutboxBatches } from './outbox-batches.js';
import type {
  EncodedBatch,
  EventQuery,
  LogStore,
  OperatorCommand,
  OperatorCommandName,
  ReadingQuery,
  SavedStatus,
  StoredOperatorCommand,
  Stream,
} from './types.js';

export { LogOpenError, type LogOpenProblem } from './migrations.js';

export interface OpenLogOptions {
  /** For the CLI while the service runs: never creates, migrates or writes the file. */
  readonly?: boolean;
  /** Boot id, monotonic time and clock-sync state stamped on every record; default: fixed, 'unknown'. */
  time?: TimeSource;
  /**
   * Hard cap on the database file (PRAGMA max_page_count): past it a write fails like a full disk and
   * the oldest low-priority data is shed (see `onFull`). Default: no cap beyond the filesystem.
   */
  maxBytes?: number;
  /** Called when a write failed for lack of space; returns whether it freed some (then the write is retried once). */
  onFull?: (log: SqliteLog, err: Error) => boolean;
  /** Skip the quick integrity check at open (the CLI's read-only opens; `db check` runs the full one). */
  skipQuickCheck?: boolean;
}

/** Page size of a newly created log: smaller pages mean fewer bytes per group commit on the SD card. */
export const NEW_LOG_PAGE_SIZE = 1024;

type Db = Database.Database;
type Param = string | number | null;

interface ReadingRow {
  seq: number;
  ts: number;
  channel: string;
  value: number | null;
}

interface EventRow {
  seq: number;
  ts: number;
  type: string;
  level: string;
  message: string;
  data: string | null;
}

interface CommandRow {
  id: number;
  ts: number;
  name: string;
  args: string;
  actor: string;
  source: string;
  applied_at: number | null;
  result: string | null;
}

const STREAM_TABLES: Readonly<Record<Stream, string>> = { telemetry: 'readings', events: 'events' };
const COMMAND_NAMES: readonly OperatorCommandName[] = [
  'mode',
  'occupancy.set',
  'occupancy.adjust',
  'capacity.set',
  'announce',
  'alarm.ack',
];
const COMMAND_SOURCES: readonly OperatorCommand['source'][] = ['cli', 'mqtt', 'button', 'web'];
const BUSY_TIMEOUT_MS = 5000;
const NO_LIMIT = -1;

/** Opens (creating and migrating unless read-only) the log at `path`. Throws LogOpenError on any problem. */
export function openLog(path: string, opts: OpenLogOptions = {}): SqliteLog {
  const file = resolve(path);
  const readonly = opts.readonly === true;
  const db = readonly ? openReadOnly(file) : openWritable(file, opts);
  try {
    const time = opts.time ?? fixedTimeSource({ bootId: 'unknown', now: Date.now });
    return new SqliteLog({ db, file, readonly, time, onFull: opts.onFull });
  } catch (err) {
    db.close();
    throw describeOpenError(err, file);
  }
}

function openWritable(file: string, opts: OpenLogOptions): Db {
  let db: Db;
  try {
    mkdirSync(dirname(file), { recursive: true });
    db = new Database(file, { timeout: BUSY_TIMEOUT_MS });
  } catch (err) {
    throw describeOpenError(err, file);
  }
  return withOpenErrors(file, db, (rw) => {
    rw.pragma(`busy_timeout = ${BUSY_TIMEOUT_MS}`);
    // Read before any write: a garbage, foreign or too-new file is refused while still untouched.
    assertCompatible(rw, file);
    if (schemaVersion(rw) > 0 && opts.skipQuickCheck !== true) assertIntact(rw, file);
    if (schemaVersion(rw) === 0) rw.pragma(`page_size = ${NEW_LOG_PAGE_SIZE}`);
    rw.pragma('journal_mode = WAL');
    rw.pragma('synchronous = FULL');
    rw.pragma('foreign_keys = ON');
    // Checkpoint about every 256 KiB of WAL instead of 4 MiB (1000 pages): the WAL is rewritten from its
    // start after each checkpoint, so it stays small and readers scan less.
    rw.pragma('wal_autocheckpoint = 256');
    if (opts.maxBytes !== undefined) {
      const pageSize = Number(rw.pragma('page_size', { simple: true }));
      rw.pragma(`max_page_count = ${Math.max(1, Math.floor(opts.maxBytes / pageSize))}`);
    }
    migrate(rw, file);
  });
}

/** PRAGMA quick_check: O(size) but without the index cross-checks of integrity_check; run at every start. */
function assertIntact(db: Db, file: string): void {
  let problems: string[];
  try {
    const rows = db.pragma('quick_check(20)') as { quick_check: string }[];
    problems = rows.map((r) => r.quick_check);
  } catch (err) {
    throw corruptLog(file, err instanceof Error ? err.message : String(err), err);
  }
  if (problems.length !== 1 || problems[0] !== 'ok') throw corruptLog(file, problems.join('; '));
}

function corruptLog(file: string, detail: string, cause?: unknown): LogOpenError {
  return new LogOpenError('corrupt', file, `the log ${file} is corrupt: ${detail}`, { cause });
}

/** True for an SQLite file whose header names it a pima-kiosk log: only such a file is ever quarantined. */
export function hasLogHeader(file: string): boolean {
  let fd: number | undefined;
  try {
    fd = openSync(file, 'r');
    const head = Buffer.alloc(72);
    if (readSync(fd, head, 0, 72, 0) < 72) return false;
    return (
      head.subarray(0, 16).toString('latin1') === 'SQLite format 3\0' &&
      head.readUInt32BE(68) === APPLICATION_ID
    );
  } catch {
    return false;
  } finally {
    if (fd !== undefined) closeSync(fd);
  }
}

function openReadOnly(file: string): Db {
  if (!existsSync(file)) throw missingLog(file);
  let db: Db;
  try {
    db = new Database(file, { readonly: true, fileMustExist: true, timeout: BUSY_TIMEOUT_MS });
  } catch (err) {
    throw existsSync(file) ? describeOpenError(err, file) : missingLog(file);
  }
  return withOpenErrors(file, db, (ro) => {
    ro.pragma(`busy_timeout = ${BUSY_TIMEOUT_MS}`);
    assertCompatible(ro, file);
    const version = schemaVersion(ro);
    if (version === 0) throw missingLog(file);
    if (version < LATEST_VERSION) {
      throw new LogOpenError(
        'incompatible',
        file,
        `log ${file} has schema version ${version}; start the service once to upgrade it to ${LATEST_VERSION}`,
      );
    }
  });
}

function withOpenErrors(file: string, db: Db, prepare: (db: Db) => void): Db {
  try {
    prepare(db);
    return db;
  } catch (err) {
    db.close();
    throw describeOpenError(err, file);
  }
}

function missingLog(file: string): LogOpenError {
  return new LogOpenError('missing', file, `the log does not exist yet at ${file}`);
}

function describeOpenError(err: unknown, file: string): Error {
  if (err instanceof LogOpenError) return err;
  const detail = err instanceof Error ? err.message : String(err);
  if (isCorruption(err) && hasLogHeader(file)) return corruptLog(file, detail, err);
  return new LogOpenError(
    'unreadable',
    file,
    `cannot open the log ${file}: ${detail} (is it a pima-kiosk SQLite log? the file was left unchanged)`,
    { cause: err },
  );
}

interface SqliteLogParts {
  db: Db;
  file: string;
  readonly: boolean;
  time: TimeSource;
  onFull?: (log: SqliteLog, err: Error) => boolean;
}

/** The clock stamp columns: which boot, monotonic ms, and 0/1/NULL for unsynchronised/synchronised/unknown. */
interface Stamp {
  boot: number | null;
  mono: number;
  clock: number | null;
}

const CLOCK_CODE = { unsynchronized: 0, synchronized: 1, unknown: null } as const;

export function isCorruption(err: unknown): boolean {
  const code = (err as { code?: unknown } | null)?.code;
  return typeof code === 'string' && (code.startsWith('SQLITE_CORRUPT') || code === 'SQLITE_NOTADB');
}

export function isDiskFull(err: unknown): boolean {
  const code = (err as { code?: unknown } | null)?.code;
  return code === 'SQLITE_FULL' || code === 'SQLITE_IOERR_WRITE' || code === 'ENOSPC';
}

/** The local log on SQLite. Use `openLog()`; every method is synchronous and commits before returning. */
export class SqliteLog implements LogStore {
  readonly epoch: string;
  readonly path: string;
  readonly readonly: boolean;
  private readonly db: Db;
  private readonly sql: ReturnType<typeof prepareStatements>;
  private readonly batches: OutboxBatches;
  private readonly filtered = new Map<string, Database.Statement<Param[], unknown>>();
  private readonly insertReadings: (
    rows: readonly Reading[],
    stamp: Stamp,
    status: SavedStatus | undefined,
  ) => LoggedReading[];
  private readonly time: TimeSource;
  private readonly onFull: ((log: SqliteLog, err: Error) => boolean) | undefined;
  private boot: number | null = null;
  private closed = false;

  constructor(parts: SqliteLogParts) {
    this.db = parts.db;
    this.path = parts.file;
    this.readonly = parts.readonly;
    this.time = parts.time;
    this.onFull = parts.onFull;
    this.sql = prepareStatements(parts.db);
    this.batches = new OutboxBatches(parts.db);
    this.epoch = readEpoch(this.sql.metaValue, parts.file);
    this.insertReadings = parts.db.transaction(
      (rows: readonly Reading[], st: Stamp, status: SavedStatus | undefined) => {
        if (status) this.sql.saveStatus.run(JSON.stringify(status.status), status.savedAt);
        return rows.map((r) => ({
          ...r,
          seq: Number(
            this.sql.insertReading.run(r.ts, r.channel, r.value, st.boot, st.mono, st.clock).lastInsertRowid,
          ),
        }));
      },
    );
  }

  /** The raw connection, for the other modules of src/store (retention, recovery, checks) only. */
  database(): Db {
    return this.db;
  }

  appendReadings(readings: readonly Reading[], status?: SavedStatus): LoggedReading[] {
    this.assertWritable();
    const rows = readings.map(storableReading);
    const saved = status && { status: status.status, savedAt: checkTs(status.savedAt, 'savedAt') };
    if (rows.length === 0 && !saved) return [];
    return this.withSpace(() => this.insertReadings(rows, this.stamp(), saved));
  }

  appendEvent(event: PointEvent): LoggedEvent {
    this.assertWritable();
    const e = storableEvent(event);
    const data = e.data === undefined ? null : JSON.stringify(e.data);
    const { lastInsertRowid } = this.withSpace(() => {
      const st = this.stamp();
      return this.sql.insertEvent.run(e.ts, e.type, e.level, e.message, data, st.boot, st.mono, st.clock);
    });
    return { ...e, seq: Number(lastInsertRowid) };
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

  timeSource(): TimeSource {
    return this.time;
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
      if (!isDiskFull(err) || !this.onFull?.(this, err as Error)) throw err;
      return write();
    }
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

  /** The next outbox batch encoded by SQLite (src/store/outbox-batches.ts). */
  encodedBatch(
    stream: Stream,
    afterSeq: number,
    limit: number,
    prefix: string,
    suffix: string,
  ): EncodedBatch {
    return this.batches.batch(checkStream(stream), afterSeq, limit, prefix, suffix);
  }

  oldestUnsentTs(): number | null {
    return this.batches.oldestUnsentTs({
      telemetry: this.sentPosition('telemetry'),
      events: this.sentPosition('events'),
    });
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

  sentPosition(stream: Stream): number {
    return this.sql.sentPosition.get(checkStream(stream))?.sent_seq ?? 0;
  }

  markSent(stream: Stream, seq: number): void {
    this.assertWritable();
    const highest = this.highestSeq(checkStream(stream));
    if (!Number.isSafeInteger(seq) || seq < 0 || seq > highest) {
      // Acknowledging a seq never logged would make the uplink skip the records that get it later.
      throw new RangeError(`cannot mark ${stream} seq ${seq} as sent: the highest logged seq is ${highest}`);
    }
    this.sql.markSent.run(stream, seq);
  }

  backlog(): Record<Stream, number> {
    return {
      telemetry: this.sql.readingBacklog.get(this.sentPosition('telemetry'))?.n ?? 0,
      events: this.sql.eventBacklog.get(this.sentPosition('events'))?.n ?? 0,
    };
  }

  saveStatus(status: Record<string, unknown>, savedAt: number): void {
    this.assertWritable();
    this.sql.saveStatus.run(JSON.stringify(status), checkTs(savedAt, 'savedAt'));
  }

  loadStatus(): SavedStatus | undefined {
    const row = this.sql.loadStatus.get();
    return row ? { status: parseObject(row.json, 'status snapshot'), savedAt: row.saved_at } : undefined;
  }

  enqueueCommand(cmd: OperatorCommand): number {
    this.assertWritable();
    const ts = checkTs(cmd.ts, 'command ts');
    const args = JSON.stringify(cmd.args);
    return Number(this.sql.insertCommand.run(ts, cmd.name, args, cmd.actor, cmd.source).lastInsertRowid);
  }

  commandsAfter(id: number): StoredOperatorCommand[] {
    return this.sql.commandsAfter.all(id).map(toCommand);
  }

  command(id: number): StoredOperatorCommand | undefined {
    const row = this.sql.command.get(id);
    return row ? toCommand(row) : undefined;
  }

  /** The first outcome recorded is kept: applying the same command twice leaves the log unchanged. */
  markCommandApplied(id: number, appliedAt: number, result: string): void {
    this.assertWritable();
    const { changes } = this.sql.markCommandApplied.run(checkTs(appliedAt, 'appliedAt'), result, id);
    if (changes === 0 && this.command(id) === undefined) throw new RangeError(`no operator command ${id}`);
  }

  close(): void {
    if (this.closed) return;
    this.closed = true;
    this.db.close();
  }

  private highestSeq(stream: Stream): number {
    return this.sql.highestSeq.get(STREAM_TABLES[stream])?.seq ?? 0;
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

  private assertWritable(): void {
    if (this.readonly) throw new Error(`the log ${this.path} was opened read-only`);
  }
}

function prepareStatements(db: Db) {
  return {
    metaValue: db.prepare<[string], { value: string }>('SELECT value FROM meta WHERE key = ?'),
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
    readingsAfter: db.prepare<[number, number], ReadingRow>(
      'SELECT seq, ts, channel, value FROM readings WHERE seq > ? ORDER BY seq LIMIT ?',
    ),
    eventsAfter: db.prepare<[number, number], EventRow>(
      'SELECT seq, ts, type, level, message, data FROM events WHERE seq > ? ORDER BY seq LIMIT ?',
    ),
    latestReading: db.prepare<[string], ReadingRow>(
      'SELECT seq, ts, channel, value FROM readings WHERE channel = ? ORDER BY seq DESC LIMIT 1',
    ),
    sentPosition: db.prepare<[string], { sent_seq: number }>('SELECT sent_seq FROM outbox WHERE stream = ?'),
    markSent: db.prepare<[string, number]>(
      `INSERT INTO outbox (stream, sent_seq) VALUES (?, ?)
       ON CONFLICT (stream) DO UPDATE SET sent_seq = max(sent_seq, excluded.sent_seq)`,
    ),
    // sqlite_sequence holds the highest seq ever assigned, even when that row was deleted since.
    highestSeq: db.prepare<[string], { seq: number }>('SELECT seq FROM sqlite_sequence WHERE name = ?'),
    readingBacklog: db.prepare<[number], { n: number }>('SELECT count(*) AS n FROM readings WHERE seq > ?'),
    eventBacklog: db.prepare<[number], { n: number }>('SELECT count(*) AS n FROM events WHERE seq > ?'),
    saveStatus: db.prepare<[string, number]>(
      `INSERT INTO status_snapshot (id, json, saved_at) VALUES (1, ?, ?)
       ON CONFLICT (id) DO UPDATE SET json = excluded.json, saved_at = excluded.saved_at`,
    ),
    loadStatus: db.prepare<[], { json: string; saved_at: number }>(
      'SELECT json, saved_at FROM status_snapshot WHERE id = 1',
    ),
    insertCommand: db.prepare<[number, string, string, string, string]>(
      'INSERT INTO operator_commands (ts, name, args, actor, source) VALUES (?, ?, ?, ?, ?)',
    ),
    commandsAfter: db.prepare<[number], CommandRow>(
      'SELECT * FROM operator_commands WHERE id > ? ORDER BY id',
    ),
    command: db.prepare<[number], CommandRow>('SELECT * FROM operator_commands WHERE id = ?'),
    markCommandApplied: db.prepare<[number, string, number]>(
      'UPDATE operator_commands SET applied_at = ?, result = ? WHERE id = ? AND applied_at IS NULL',
    ),
  };
}

function readEpoch(stmt: Database.Statement<[string], { value: string }>, file: string): string {
  const epoch = stmt.get('epoch')?.value;
  if (!epoch) throw new LogOpenError('unreadable', file, `the log ${file} has no epoch in its meta table`);
  return epoch;
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

function checkLimit(limit: number): number {
  if (!Number.isSafeInteger(limit) || limit < 0) throw new RangeError(`invalid limit ${limit}`);
  return limit;
}

function checkStream(stream: Stream): Stream {
  if (!Object.hasOwn(STREAM_TABLES, stream)) throw new RangeError(`unknown stream ${JSON.stringify(stream)}`);
  return stream;
}

function checkTs(ts: number, what: string): number {
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
function storableReading(r: Reading): Reading {
  const problem = readingProblem(r);
  if (problem) throw new TypeError(problem);
  const value = r.value !== null && Number.isFinite(r.value) ? r.value : null;
  return { channel: r.channel, value, ts: Math.round(r.ts) };
}

function storableEvent(e: PointEvent): PointEvent {
  if (!EVENT_LEVELS.includes(e.level)) throw new TypeError(`unknown event level ${JSON.stringify(e.level)}`);
  if (typeof e.type !== 'string' || e.type === '') throw new TypeError('an event needs a type');
  const base = { type: e.type, level: e.level, ts: checkTs(e.ts, 'event ts'), message: String(e.message) };
  return e.data === undefined ? base : { ...base, data: e.data };
}

function toReading(row: ReadingRow): LoggedReading {
  return { seq: row.seq, ts: row.ts, channel: row.channel, value: row.value };
}

function toEvent(row: EventRow): LoggedEvent {
  const level = EVENT_LEVELS.find((l) => l === row.level);
  if (!level)
    throw new Error(`event ${row.seq} in the log has an unknown level ${JSON.stringify(row.level)}`);
  const event: LoggedEvent = { seq: row.seq, ts: row.ts, type: row.type, level, message: row.message };
  if (row.data !== null) event.data = parseObject(row.data, `data of event ${row.seq}`);
  return event;
}

function toCommand(row: CommandRow): StoredOperatorCommand {
  const name = COMMAND_NAMES.find((n) => n === row.name);
  const source = COMMAND_SOURCES.find((s) => s === row.source);
  if (!name || !source)
    throw new Error(`operator command ${row.id} in the log has an unknown name or source`);
  return {
    id: row.id,
    ts: row.ts,
    name,
    args: parseObject(row.args, `args of operator command ${row.id}`),
    actor: row.actor,
    source,
    appliedAt: row.applied_at,
    result: row.result,
  };
}

function parseObject(json: string, what: string): Record<string, unknown> {
  const value: unknown = JSON.parse(json);
  if (!isRecord(value)) throw new Error(`${what} in the log is not a JSON object`);
  return value;
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}
