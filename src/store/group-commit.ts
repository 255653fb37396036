import type { Clock } from '../core/clock.js';
import { errorMessage } from '../core/errors.js';
import type { LoggedReading, Reading } from '../core/readings.js';
import { readingProblem } from './record-checks.js';
import type { LogStore, SavedStatus } from './types.js';

export const DEFAULT_MAX_BUFFERED = 10_000;

export interface ReadingBatcherOptions {
  store: LogStore;
  clock: Clock;
  intervalMs: number;
  /** Called after each successful commit with the rows and their seqs: only now are they logged. */
  onCommitted: (rows: LoggedReading[]) => void;
  /** A commit failed (kept for the next interval), readings were dropped, or a reading was rejected. */
  onError: (err: Error) => void;
  /** Bound on readings held while commits fail; the oldest are dropped beyond it. */
  maxBuffered?: number;
}

export interface BatcherStats {
  /** Readings waiting for the next commit. */
  pending: number;
  /** Readings dropped (oldest first) because commits kept failing and the buffer was full. */
  dropped: number;
  /** Readings refused by `add()` because they could never be logged. */
  rejected: number;
}

/**
 * Group commit of readings: one transaction per interval instead of one fsync per reading, which keeps
 * SD-card writes low while `synchronous=FULL` still makes every committed batch durable.
 * Time comes only from the injected Clock, so tests drive flushes by advancing it.
 */
export class ReadingBatcher {
  private readonly opts: ReadingBatcherOptions;
  private readonly maxBuffered: number;
  private buffer: Reading[] = [];
  private status: SavedStatus | undefined;
  /** Clock time from which the waiting status is committed even without readings. */
  private statusDue = 0;
  private cancelTimer: (() => void) | undefined;
  private dropped = 0;
  private droppedUnreported = 0;
  private rejected = 0;

  constructor(opts: ReadingBatcherOptions) {
    if (!(opts.intervalMs > 0)) throw new RangeError(`intervalMs must be positive, got ${opts.intervalMs}`);
    const max = opts.maxBuffered ?? DEFAULT_MAX_BUFFERED;
    if (!Number.isSafeInteger(max) || max < 1) throw new RangeError(`maxBuffered must be ≥ 1, got ${max}`);
    this.opts = opts;
    this.maxBuffered = max;
  }

  start(): void {
    if (this.cancelTimer) return;
    this.cancelTimer = this.opts.clock.every(this.opts.intervalMs, () => this.flush());
  }

  /**
   * Buffers a reading for the next commit. A reading that could never be stored (bad channel name or ts)
   * is refused and reported through onError rather than thrown, so one faulty driver cannot block the
   * batch of every other sensor. Returns whether the reading was accepted.
   */
  add(reading: Reading): boolean {
    const problem = readingProblem(reading);
    if (problem) {
      this.rejected++;
      this.report(new TypeError(problem));
      return false;
    }
    this.buffer.push(reading);
    this.trimBuffer();
    return true;
  }

  /**
   * Saves the status snapshot with the next commit of readings instead of in a commit of its own: each
   * commit costs SD-card pages whatever it holds. After `waitMs` without readings it is committed on
   * its own (0: at the next interval). Only the newest status waits.
   */
  saveStatus(status: Record<string, unknown>, savedAt: number, waitMs = 0): void {
    const due = this.opts.clock.now() + waitMs;
    this.statusDue = this.status ? Math.min(this.statusDue, due) : due;
    this.status = { status, savedAt };
  }

  /** Whether the next interval will commit (readings, or a status that may wait no longer). */
  hasPending(): boolean {
    return this.buffer.length > 0 || this.statusIsDue();
  }

  /** Commits everything buffered in one transaction. On failure the readings stay for the next try. */
  flush(): void {
    this.reportDrops();
    if (this.buffer.length === 0 && !this.statusIsDue()) return;
    this.commit();
  }

  private statusIsDue(): boolean {
    return this.status !== undefined && this.opts.clock.now() >= this.statusDue;
  }

  private commit(): void {
    if (this.buffer.length === 0 && !this.status) return;
    const batch = this.buffer;
    const status = this.status;
    this.buffer = [];
    this.status = undefined;
    let rows: LoggedReading[];
    try {
      rows = this.opts.store.appendReadings(batch, status);
    } catch (err) {
      this.buffer = batch.concat(this.buffer);
      this.status ??= status;
      this.trimBuffer();
      this.report(asError(err, `committing ${batch.length} readings failed; will retry`));
      return;
    }
    try {
      this.opts.onCommitted(rows);
    } catch (err) {
      this.report(asError(err, 'onCommitted failed'));
    }
  }

  /** Commits everything once more, a waiting status too, and stops the timer. Safe to call twice. */
  stop(): void {
    this.cancelTimer?.();
    this.cancelTimer = undefined;
    this.reportDrops();
    this.commit();
  }

  stats(): BatcherStats {
    return { pending: this.buffer.length, dropped: this.dropped, rejected: this.rejected };
  }

  private trimBuffer(): void {
    const excess = this.buffer.length - this.maxBuffered;
    if (excess <= 0) return;
    this.buffer.splice(0, excess);
    this.dropped += excess;
    this.droppedUnreported += excess;
  }

  /** Once per flush rather than once per add, so a long outage does not flood the error log. */
  private reportDrops(): void {
    if (this.droppedUnreported === 0) return;
    const n = this.droppedUnreported;
    this.droppedUnreported = 0;
    this.report(
      new Error(`reading buffer full: dropped the ${n} oldest readings (${this.dropped} in total)`),
    );
  }

  private report(err: Error): void {
    try {
      this.opts.onError(err);
    } catch {
      // An error handler that throws must not break the logging path; there is nobody left to tell.
    }
  }
}

function asError(err: unknown, context: string): Error {
  const detail = errorMessage(err);
  return new Error(`${context}: ${detail}`, { cause: err });
}
