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

export type OperatorCommandName =
  | 'mode'
  | 'occupancy.set'
  | 'occupancy.adjust'
  /** From MQTT `cmd/capacity.set`: the municipality overrides point.capacity. */
  | 'capacity.set'
  /** From MQTT `cmd/announce`: a notice for the status page and the status message. */
  | 'announce'
  /** The operator acknowledges a raised alarm: args {alarm}. */
  | 'alarm.ack';

/** An operator's request written by the CLI (or an MQTT command) and applied by the running service. */
export interface OperatorCommand {
  name: OperatorCommandName;
  args: Record<string, unknown>;
  /** Who asked: an OS user for the CLI, `mqtt` for the municipality. */
  actor: string;
  source: 'cli' | 'mqtt' | 'button' | 'web';
  ts: number;
}

export interface StoredOperatorCommand extends OperatorCommand {
  id: number;
  appliedAt: number | null;
  result: string | null;
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
  enqueueCommand(cmd: OperatorCommand): number;
  commandsAfter(id: number): StoredOperatorCommand[];
  command(id: number): StoredOperatorCommand | undefined;
  markCommandApplied(id: number, appliedAt: number, result: string): void;
  /** Lowest and highest seq present in a stream (for progress of long reads); undefined when empty. */
  seqBounds?(stream: Stream): { first: number; last: number } | undefined;
  close(): void;
}
