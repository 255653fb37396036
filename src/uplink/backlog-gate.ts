/**
 * When and how much of the backlog one connection may send: the randomised drain start, the hold
 * after the broker refuses a batch (backoff with jitter), the hourly byte budget, and batches no
 * larger than the broker's packet limit. Separate because it is the only policy between the drain and
 * the in-flight window; live messages never pass through it.
 */
import type { Stream } from '../store/types.js';
import { backoffDelay } from './backoff.js';
import type { Drain } from './drain.js';
import type { LinkState } from './link-state.js';
import { describeError } from './log-fields.js';
import type { Outgoing } from './sender.js';
import type { TokenBucket } from './token-bucket.js';

export interface BacklogGateContext {
  drain: Drain;
  /** The hourly byte budget, when the link is metered. */
  budget: TokenBucket | undefined;
  byteBudgetPerHour: number | undefined;
  /** Configured bytes per batch. */
  batchMaxBytes: number;
  /** The broker's maximum packet size on this connection. */
  maximumPacketSize: number;
  /** Without a fleet drain hint the backlog starts a random 0..this ms after connecting. */
  startJitterMs: number;
  /** The longest spread a hint is followed to (a hint may ask for more than startJitterMs). */
  maxSpreadMs: number;
  /**
   * Backlog bytes that may go while the hint is still on its way (one round trip), so a lone point's
   * link is not idle meanwhile; a herd's extra burst is this much per point.
   */
  headStartBytes: number;
  reconnectMinMs: number;
  reconnectMaxMs: number;
  random: () => number;
  monotonic: () => number;
  link: LinkState;
  /** This connection is up and the uplink is not stopping. */
  open(): boolean;
  /** Fill the window again (a hold ended); a no-op once this connection is gone. */
  pump(): void;
}

export class BacklogGate {
  /** Monotonic ms before which the backlog waits (randomised start, refusal hold); Infinity until decided. */
  private from = 0;
  private connectedAt = 0;
  private startDecided = false;
  private sentUndecided = 0;
  private refusals = 0;
  private wake: ReturnType<typeof setTimeout> | undefined;
  private hintTimer: ReturnType<typeof setTimeout> | undefined;

  constructor(private readonly ctx: BacklogGateContext) {}

  /**
   * The connection is up. Without a start spread the backlog may go at once; otherwise it holds until
   * `hinted()` says how far to spread the start (the fleet's drain hint, or none).
   */
  begin(): void {
    this.connectedAt = this.ctx.monotonic();
    this.startDecided = this.ctx.startJitterMs <= 0;
    this.from = this.startDecided ? this.connectedAt : Number.POSITIVE_INFINITY;
  }

  /** The hint was subscribed: a retained one follows the SUBACK at once; none after `graceMs`, `none()`. */
  expectHint(graceMs: number, none: () => void): void {
    if (this.startDecided || this.hintTimer) return;
    this.hintTimer = setTimeout(none, graceMs);
  }

  /** Whether the start still waits for the drain hint. */
  get awaitingHint(): boolean {
    return !this.startDecided;
  }

  /**
   * The drain hint's spread (ms), or undefined when there is none: the start is a random point in
   * 0..min(spread, maxSpreadMs) after connecting, 0..startJitterMs without a hint. Only the first call counts.
   */
  hinted(spreadMs: number | undefined): number | undefined {
    if (this.startDecided) return undefined;
    this.startDecided = true;
    clearTimeout(this.hintTimer);
    const { random, startJitterMs, maxSpreadMs } = this.ctx;
    const spread = spreadMs === undefined ? startJitterMs : Math.min(spreadMs, maxSpreadMs);
    const delay = Math.floor(Math.min(Math.max(random(), 0), 1) * spread);
    this.from = this.connectedAt + delay;
    this.ctx.pump();
    return delay;
  }

  /** The next batch within `room` bytes, the packet limit and the budget; waits when the budget is spent. */
  next(room: number): Outgoing | undefined {
    const { budget, drain, monotonic } = this.ctx;
    const left = budget ? Math.floor(budget.available(monotonic())) : undefined;
    const limit = this.batchLimit();
    const batch = drain.next(Math.min(room, limit), left, limit);
    if (batch && !this.startDecided) this.sentUndecided += batch.bytes;
    if (!batch && budget && drain.budgetBlocked) this.budgetSpent();
    return batch;
  }

  /** Builds the next batch within `room` and the packet limit ahead of time (Drain.prepare). */
  prepare(room: number): boolean {
    const limit = this.batchLimit();
    return this.ctx.drain.prepare(Math.min(room, limit), limit);
  }

  /** Bytes the backlog may use now; 0 holds it (and arranges a wake-up when the hold ends). */
  allowance(): number {
    if (!this.ctx.open()) return 0;
    const { budget } = this.ctx;
    const now = this.ctx.monotonic();
    if (!this.startDecided) return Math.max(0, this.ctx.headStartBytes - this.sentUndecided);
    if (now < this.from) {
      // Not decided yet: hinted() pumps.
      if (Number.isFinite(this.from)) this.wakeAt(this.from - now);
      return 0;
    }
    if (!budget) return Number.POSITIVE_INFINITY;
    const left = Math.floor(budget.available(now));
    if (left <= 0) this.budgetSpent();
    return left;
  }

  /** The broker answered with an error reason code: hold the backlog with backoff, then resend. */
  refused(stream: Stream, err: Error): void {
    const { reconnectMinMs, reconnectMaxMs, random } = this.ctx;
    const retryInMs = backoffDelay(this.refusals, reconnectMinMs, reconnectMaxMs, random);
    this.refusals += 1;
    this.from = this.ctx.monotonic() + retryInMs;
    this.ctx.link.warnOnce('broker refused a batch; retrying', { stream, ...describeError(err), retryInMs });
  }

  /** The connection is gone: no wake-up. */
  close(): void {
    clearTimeout(this.wake);
    clearTimeout(this.hintTimer);
  }

  /** Batch bytes: the configured limit, and the broker's packet limit minus header room. */
  private batchLimit(): number {
    return Math.min(this.ctx.batchMaxBytes, this.ctx.maximumPacketSize - 512);
  }

  private budgetSpent(): void {
    const { budget, byteBudgetPerHour, batchMaxBytes, monotonic } = this.ctx;
    this.ctx.link.warnOnce('hourly byte budget spent; the backlog waits (live messages still go)', {
      byteBudgetPerHour,
    });
    this.wakeAt(Math.max(1000, budget?.waitMs(batchMaxBytes, monotonic()) ?? 1000));
  }

  private wakeAt(ms: number): void {
    if (this.wake) return;
    this.wake = setTimeout(() => {
      this.wake = undefined;
      this.ctx.pump();
    }, Math.ceil(ms));
  }
}
