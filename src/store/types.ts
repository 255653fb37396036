import type { CommandOutcome, CommandSource } from '../contract/commands.js';
import type { EventLevel, LoggedEvent, PointEvent } from '../core/events.js';
import type { LoggedReading, Reading } from '../core/readings.js';
import type { DriverReport } from './driver-reports.js';

/** The two outbound streams of CONTRACT.md §5; each has its own `seq`. */
export type Stream = 'telemetry' | 'events';

export interface ReadingQuery {
  sinceMs?: number;
  untilMs?: number;
  channel?: string;
  afterSeq?: number;
  limit?: number;
}

export interface EventQuery {
  sinceMs?: number;
  untilMs?: number;
  minLevel?: EventLevel;
  afterSeq?: number;
  limit?: number;
}

/** A row of `downsampled`: raw readings of one channel folded by retention (src/store/retention.ts). */
export interface DownsampledBucket {
  channel: string;
  bucketStart: number;
  bucketMs: number;
  /** The seqs of the folded readings: older than every raw reading left. */
  firstSeq: number;
  lastSeq: number;
  /** Readings folded, faults (null) included. */
  n: number;
  /** Over the non-null values, each reading counted once (not weighted by time); null when all were faults. */
  min: number | null;
  max: number | null;
  mean: number | null;
}

/**
 * An operator's request as the log keeps it: written by the CLI, the web page, a button or the uplink,
 * applied by the running service (src/pipeline/command-log.ts). `args` is validated when it is applied,
 * with the contract's schema for `name` (src/contract/commands.ts), so a row from an older or newer
 * release is answered, never trusted.
 */
export interface OperatorCommand {
  name: string;
  args: unknown;
  /** Who asked: an OS user for the CLI, `municipality` for MQTT. */
  actor: string;
  source: CommandSource;
  ts: number;
  /** The sender's own id: the log holds each at most once. */
  key?: string | undefined;
  /** Epoch ms after which it must not be applied. */
  expiresAt?: number | undefined;
}

export interface StoredOperatorCommand extends OperatorCommand {
  id: number;
  appliedAt: number | null;
  outcome: CommandOutcome | null;
}

/** `existing`: a command with the same key was logged before; nothing new was written. */
export interface EnqueuedCommand {
  id: number;
  existing: boolean;
}

export interface SavedStatus {
  status: Record<string, unknown>;
  savedAt: number;
}

/** Records waiting for the uplink, read in `seq` order from the log (the log is the queue). */
export interface OutboxSource {
  readonly epoch: string;
  /** Up to `limit` readings after `afterSeq`, in seq order. */
  readingsAfter(afterSeq: number, limit: number): LoggedReading[];
  /** Up to `limit` events after `afterSeq`, in seq order. */
  eventsAfter(afterSeq: number, limit: number): LoggedEvent[];
  /** Highest seq confirmed delivered (PUBACK) for the stream; 0 when nothing was sent. */
  sentPosition(stream: Stream): number;
  /** Records the broker's acknowledgement. Never moves backwards. */
  markSent(stream: Stream, seq: number): void;
  /** Logged records not yet acknowledged, per stream. */
  backlog(): Record<Stream, number>;
  /** Optional: ts of the oldest record not yet acknowledged, over both streams; null when none waits. */
  oldestUnsentTs?(): number | null;
  /**
   * Optional: up to `limit` records after `afterSeq` already encoded as the contract's record JSON by
   * the store, as one payload: `prefix` + the records joined by ',' + `suffix` (count 0: none waits).
   */
  encodedBatch?(
    stream: Stream,
    afterSeq: number,
    limit: number,
    prefix: string,
    suffix: string,
  ): EncodedBatch;
  /** Optional: up to `limit` readings after `afterSeq` as columns (count 0: none waits). */
  readingColumns?(afterSeq: number, limit: number): ReadingColumns;
}

/**
 * Readings after a seq as columns (`OutboxSource.readingColumns`), for a columnar batch: no object and
 * no JSON text per record.
 */
export interface ReadingColumns {
  count: number;
  /** 0 when count is 0. */
  firstSeq: number;
  lastSeq: number;
  seqs: number[];
  /** Epoch ms. */
  times: number[];
  channels: string[];
  /** The values as JSON numbers or `null` joined by ',': each exactly as the record JSON has it. */
  values: string;
}

/** A batch built by the store (`OutboxSource.encodedBatch`). */
export interface EncodedBatch {
  count: number;
  /** 0 when count is 0. */
  firstSeq: number;
  lastSeq: number;
  /** UTF-8 JSON. */
  payload: Buffer;
}

/** The local log: readings, events (state changes, operator actions, faults), outbox, status, commands. */
export interface LogStore extends OutboxSource {
  /**
   * Appends in one transaction; each record gets the next seq. With `status`, the status snapshot is
   * saved in the same transaction, so it costs no commit of its own (SD budget, docs/storage.md).
   */
  appendReadings(readings: readonly Reading[], status?: SavedStatus): LoggedReading[];
  /** Appends and commits durably before returning. */
  appendEvent(event: PointEvent): LoggedEvent;
  queryReadings(q: ReadingQuery): LoggedReading[];
  queryEvents(q: EventQuery): LoggedEvent[];
  /**
   * The newest reading of a channel with beforeMs − lookbackMs ≤ ts < beforeMs: the value in effect at
   * beforeMs. The lookback bounds the search (readings have no ts index).
   */
  readingBefore(channel: string, beforeMs: number, lookbackMs: number): LoggedReading | undefined;
  /**
   * The downsampled buckets of a channel that overlap [sinceMs, untilMs], by bucket start. A bucket start
   * may repeat when retention folded one interval in two passes.
   */
  downsampledBuckets(channel: string, sinceMs: number, untilMs: number): DownsampledBucket[];
  /** Each driver's newest `driver.health` event (what each sensor last said of itself). */
  driverReports(): DriverReport[];
  /** The newest reading of each channel (to restore occupancy counts after a restart). */
  latestReadings(channels: readonly string[]): Map<string, LoggedReading>;
  /** The newest reading of each channel among the last `maxRows` rows with ts > sinceMs (`status`). */
  readingsNewerThan(
    channels: readonly string[],
    sinceMs: number,
    maxRows: number,
  ): Map<string, LoggedReading>;
  saveStatus(status: Record<string, unknown>, savedAt: number): void;
  loadStatus(): SavedStatus | undefined;
  /** Logs a command; one whose key is already logged is not written again (`existing`). */
  enqueueCommand(cmd: OperatorCommand): EnqueuedCommand;
  commandsAfter(id: number): StoredOperatorCommand[];
  command(id: number): StoredOperatorCommand | undefined;
  /** Records the outcome once: a second call for the same command leaves the first. */
  markCommandApplied(id: number, appliedAt: number, outcome: CommandOutcome): void;
  /** Lowest and highest seq present in a stream (for progress of long reads); undefined when empty. */
  seqBounds?(stream: Stream): { first: number; last: number } | undefined;
  close(): void;
}
