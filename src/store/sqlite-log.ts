// The local log on SQLite, composed: `openLog` opens the file (open-log-file.ts) and prepares every
// part's statements in one step that either opens the log or fails with a LogOpenError; SqliteLog only
// wires the parts together (appends, reader-queries, outbox-positions, status-snapshot,
// operator-commands) and keeps a read-only open from writing. Its API is the one the rest of the code uses.
import { resolve } from 'node:path';
import type Database from 'better-sqlite3';
import type { CommandOutcome } from '../contract/commands.js';
import type { LoggedEvent, PointEvent } from '../core/events.js';
import type { LoggedReading, Reading } from '../core/readings.js';
import type { TimeSource } from '../system/boot-info.js';
import { fixedTimeSource } from '../system/boot-info.js';
import { type AppendStatements, LogAppends, prepareAppendStatements } from './appends.js';
import { type DriverReport, lastDriverReports } from './driver-reports.js';
import {
  describeOpenError,
  openReadOnly,
  openWritable,
  prepareEpochStatement,
  readEpoch,
} from './open-log-file.js';
import { type CommandStatements, OperatorCommands, prepareCommandStatements } from './operator-commands.js';
import { OutboxBatches } from './outbox-batches.js';
import { OutboxPositions, type OutboxStatements, prepareOutboxStatements } from './outbox-positions.js';
import { prepareQueryStatements, type QueryStatements, ReaderQueries } from './reader-queries.js';
import { prepareStatusStatements, StatusSnapshot, type StatusStatements } from './status-snapshot.js';
import type {
  DownsampledBucket,
  EncodedBatch,
  EnqueuedCommand,
  EventQuery,
  LogStore,
  OperatorCommand,
  ReadingColumns,
  ReadingQuery,
  SavedStatus,
  StoredOperatorCommand,
  Stream,
} from './types.js';

export { isDiskFull } from './appends.js';
export { LogOpenError, type LogOpenProblem } from './migrations.js';
export { hasLogHeader, isCorruption, NEW_LOG_PAGE_SIZE } from './open-log-file.js';
export { readingProblem } from './record-checks.js';

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

type Db = Database.Database;

/** Opens (creating and migrating unless read-only) the log at `path`. Throws LogOpenError on any problem. */
export function openLog(path: string, opts: OpenLogOptions = {}): SqliteLog {
  const file = resolve(path);
  const readonly = opts.readonly === true;
  const db = readonly ? openReadOnly(file) : openWritable(file, opts);
  try {
    const time = opts.time ?? fixedTimeSource({ bootId: 'unknown', now: Date.now });
    // Prepared in this order, and the epoch read last, as one step that either opens the log or fails.
    const epochSql = prepareEpochStatement(db);
    const appendSql = prepareAppendStatements(db);
    const querySql = prepareQueryStatements(db);
    const outboxSql = prepareOutboxStatements(db);
    const statusSql = prepareStatusStatements(db);
    const commandSql = prepareCommandStatements(db);
    const batches = new OutboxBatches(db);
    const epoch = readEpoch(epochSql, file);
    const sql = { appendSql, querySql, outboxSql, statusSql, commandSql };
    return new SqliteLog({ db, file, readonly, time, onFull: opts.onFull, epoch, batches, ...sql });
  } catch (err) {
    db.close();
    throw describeOpenError(err, file);
  }
}

interface SqliteLogParts {
  db: Db;
  file: string;
  readonly: boolean;
  time: TimeSource;
  onFull: ((log: SqliteLog, err: Error) => boolean) | undefined;
  epoch: string;
  batches: OutboxBatches;
  appendSql: AppendStatements;
  querySql: QueryStatements;
  outboxSql: OutboxStatements;
  statusSql: StatusStatements;
  commandSql: CommandStatements;
}

/** The local log on SQLite. Use `openLog()`; every method is synchronous and commits before returning. */
export class SqliteLog implements LogStore {
  readonly epoch: string;
  readonly path: string;
  readonly readonly: boolean;
  private readonly db: Db;
  private readonly time: TimeSource;
  private readonly appends: LogAppends;
  private readonly queries: ReaderQueries;
  private readonly outbox: OutboxPositions;
  private readonly status: StatusSnapshot;
  private readonly commands: OperatorCommands;
  private closed = false;

  constructor(parts: SqliteLogParts) {
    this.db = parts.db;
    this.path = parts.file;
    this.readonly = parts.readonly;
    this.time = parts.time;
    this.epoch = parts.epoch;
    const onFull = parts.onFull;
    this.status = new StatusSnapshot(parts.statusSql);
    this.appends = new LogAppends({
      db: parts.db,
      sql: parts.appendSql,
      status: this.status,
      time: parts.time,
      onFull: onFull && ((err: Error) => onFull(this, err)),
    });
    this.queries = new ReaderQueries(parts.db, parts.querySql);
    this.outbox = new OutboxPositions(parts.outboxSql, parts.batches);
    this.commands = new OperatorCommands(parts.commandSql);
  }

  /** The raw connection, for the other modules of src/store (retention, recovery, checks) only. */
  database(): Db {
    return this.db;
  }

  appendReadings(readings: readonly Reading[], status?: SavedStatus): LoggedReading[] {
    this.assertWritable();
    return this.appends.readings(readings, status);
  }

  appendEvent(event: PointEvent): LoggedEvent {
    this.assertWritable();
    return this.appends.event(event);
  }

  /** Lowest and highest seq present in a stream's table (cheap: both ends of the rowid b-tree). */
  seqBounds(stream: Stream): { first: number; last: number } | undefined {
    return this.queries.seqBounds(stream);
  }

  /** This boot's row in `boots` (created on first use), so records store a small integer. */
  bootRow(): number {
    return this.appends.bootRow();
  }

  timeSource(): TimeSource {
    return this.time;
  }

  queryReadings(q: ReadingQuery): LoggedReading[] {
    return this.queries.queryReadings(q);
  }

  queryEvents(q: EventQuery): LoggedEvent[] {
    return this.queries.queryEvents(q);
  }

  driverReports(): DriverReport[] {
    return lastDriverReports(this.db);
  }

  readingBefore(channel: string, beforeMs: number, lookbackMs: number): LoggedReading | undefined {
    return this.queries.readingBefore(channel, beforeMs, lookbackMs);
  }

  downsampledBuckets(channel: string, sinceMs: number, untilMs: number): DownsampledBucket[] {
    return this.queries.downsampledBuckets(channel, sinceMs, untilMs);
  }

  /** The next outbox batch encoded by SQLite (src/store/outbox-batches.ts). */
  encodedBatch(
    stream: Stream,
    afterSeq: number,
    limit: number,
    prefix: string,
    suffix: string,
  ): EncodedBatch {
    return this.outbox.encodedBatch(stream, afterSeq, limit, prefix, suffix);
  }

  /** The next readings as columns, for a columnar batch (src/store/outbox-batches.ts). */
  readingColumns(afterSeq: number, limit: number): ReadingColumns {
    return this.outbox.readingColumns(afterSeq, limit);
  }

  oldestUnsentTs(): number | null {
    return this.outbox.oldestUnsentTs();
  }

  readingsAfter(afterSeq: number, limit: number): LoggedReading[] {
    return this.queries.readingsAfter(afterSeq, limit);
  }

  eventsAfter(afterSeq: number, limit: number): LoggedEvent[] {
    return this.queries.eventsAfter(afterSeq, limit);
  }

  /** Newest by seq (logging order), not by ts: the wall clock of a Pi may jump backwards after boot. */
  latestReadings(channels: readonly string[]): Map<string, LoggedReading> {
    return this.queries.latestReadings(channels);
  }

  readingsNewerThan(
    channels: readonly string[],
    sinceMs: number,
    maxRows: number,
  ): Map<string, LoggedReading> {
    return this.queries.readingsNewerThan(channels, sinceMs, maxRows);
  }

  sentPosition(stream: Stream): number {
    return this.outbox.sentPosition(stream);
  }

  markSent(stream: Stream, seq: number): void {
    this.assertWritable();
    this.outbox.markSent(stream, seq);
  }

  backlog(): Record<Stream, number> {
    return this.outbox.backlog();
  }

  saveStatus(status: Record<string, unknown>, savedAt: number): void {
    this.assertWritable();
    this.status.save(status, savedAt);
  }

  loadStatus(): SavedStatus | undefined {
    return this.status.load();
  }

  enqueueCommand(cmd: OperatorCommand): EnqueuedCommand {
    this.assertWritable();
    return this.commands.enqueue(cmd);
  }

  commandsAfter(id: number): StoredOperatorCommand[] {
    return this.commands.after(id);
  }

  command(id: number): StoredOperatorCommand | undefined {
    return this.commands.get(id);
  }

  /** The first outcome recorded is kept: applying the same command twice leaves the log unchanged. */
  markCommandApplied(id: number, appliedAt: number, outcome: CommandOutcome): void {
    this.assertWritable();
    this.commands.markApplied(id, appliedAt, outcome);
  }

  /** Safe to call twice. */
  close(): void {
    if (this.closed) return;
    this.closed = true;
    this.db.close();
  }

  private assertWritable(): void {
    if (this.readonly) throw new Error(`the log ${this.path} was opened read-only`);
  }
}
