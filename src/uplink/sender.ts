/**
 * The in-flight window of one MQTT connection. Live messages (online, status, alarms, command results)
 * always take the next free slot; the backlog fills what is left, minus a reserve kept for live ones,
 * so a new alarm never waits behind a full window of history. At most `limit` QoS 1 messages and about
 * `window.bytes` (the link's bandwidth-delay product, link-window.ts) are unacknowledged at once: memory
 * is bounded by the window, never the backlog, and a live message queues behind at most that much.
 */
import type { LinkWindow } from './link-window.js';

export interface Outgoing {
  topic: string;
  /** A Buffer is handed to the client as it is (a backlog batch the store built). */
  payload: string | Buffer;
  retain?: boolean;
  /** MQTT 5 properties; dropped on a 3.1.1 connection. */
  properties?: Record<string, unknown>;
  /** UTF-8 size of the payload. */
  bytes: number;
  /** Called once with the PUBACK (no error) or the failure. */
  done?: (err?: Error) => void;
}

export interface LiveMessage extends Outgoing {
  /** Messages with the same key coalesce: only the newest waiting one is sent, one at a time. */
  key?: string;
}

export interface BacklogSource {
  /** The next batch of at most about `maxBytes`, or undefined when nothing is waiting. */
  next(maxBytes: number): Outgoing | undefined;
  /** Builds the next batch of about `maxBytes` ahead, without sending it; false when nothing (more) to build. */
  prepare?(maxBytes: number): boolean;
}

export interface SenderContext {
  publish(message: Outgoing, settled: (err?: Error) => void): void;
  /** min(configured window, the broker's receive maximum). */
  limit: number;
  /** The byte window, sized from the link's measured bandwidth-delay product. */
  window: LinkWindow;
  /** Real monotonic ms, for the window's round-trip times. */
  monotonic(): number;
  backlog: BacklogSource;
  /** Bytes the backlog may use now (drain start delay, refusal hold, byte budget); 0 holds it. */
  backlogAllowance(): number;
  /** Every message handed to the client, for the byte budget. */
  onPublished?(bytes: number): void;
}

export function liveReserve(limit: number): number {
  return limit >= 4 ? 2 : limit >= 2 ? 1 : 0;
}

export class Sender {
  private count = 0;
  private bytes = 0;
  /** Size of the last backlog batch: a drain's batches are all about this size. */
  private lastBacklogBytes = 0;
  private readonly queue: LiveMessage[] = [];
  private readonly busyKeys = new Set<string>();
  private pumping = false;
  private turn: ReturnType<typeof setImmediate> | undefined;
  private preparing: ReturnType<typeof setImmediate> | undefined;
  /** The bytes the last backlog batch was asked for: what the next one will be asked for, about. */
  private lastRequest = 0;
  private again = false;
  private closed = false;
  /** Until start(), messages only queue, so the live messages of a connect go out in their order. */
  private started = false;

  constructor(private readonly ctx: SenderContext) {}

  start(): void {
    this.started = true;
    this.pump();
  }

  get inFlight(): number {
    return this.count;
  }

  live(message: LiveMessage): void {
    if (this.closed) {
      message.done?.(new Error('connection closed'));
      return;
    }
    const i = message.key === undefined ? -1 : this.queue.findIndex((m) => m.key === message.key);
    if (i >= 0) this.queue.splice(i, 1, message);
    else this.queue.push(message);
    this.pump();
  }

  /** Fills the window; safe to call at any time (re-entrant calls are folded into the running one). */
  pump(): void {
    if (!this.started) return;
    if (this.pumping) {
      this.again = true;
      return;
    }
    this.pumping = true;
    try {
      do {
        this.again = false;
        this.fill();
      } while (this.again && !this.closed);
    } finally {
      this.pumping = false;
    }
  }

  /** The connection is gone: waiting live messages are dropped (the next connection sends fresh ones). */
  close(): void {
    this.closed = true;
    clearImmediate(this.turn);
    clearImmediate(this.preparing);
    for (const m of this.queue.splice(0)) m.done?.(new Error('connection closed'));
  }

  private fill(): void {
    const { limit } = this.ctx;
    const maxInFlightBytes = this.ctx.window.bytes;
    const backlogLimit = Math.max(1, limit - liveReserve(limit));
    while (!this.closed && this.count < limit) {
      const live = this.takeLive();
      if (live) {
        this.send(live, false);
        continue;
      }
      const room = this.backlogRoom(backlogLimit, maxInFlightBytes);
      if (room === undefined) {
        this.prepareSoon(maxInFlightBytes);
        return;
      }
      // At most half the window per batch: two always pipeline, and the window's floor (two batches,
      // link-window.ts) never feeds back into ever larger batches.
      this.lastRequest = Math.max(Math.min(room, maxInFlightBytes / 2), 1);
      const batch = this.ctx.backlog.next(this.lastRequest);
      if (!batch) return;
      this.lastBacklogBytes = batch.bytes;
      this.send(batch, true);
      // One batch per turn of the event loop: mqtt.js writes a turn's packets to the socket when the
      // turn ends, so building the next batches here would hold this one (and a live message) back.
      this.nextTurn();
      return;
    }
    // Every slot taken: the next batch can be built meanwhile.
    if (!this.closed) this.prepareSoon(maxInFlightBytes);
  }

  /** Bytes a backlog batch may have now, or undefined when it has to wait for PUBACKs (or the gate). */
  private backlogRoom(backlogLimit: number, maxInFlightBytes: number): number | undefined {
    if (this.count >= backlogLimit) return undefined;
    const room = Math.min(maxInFlightBytes - this.bytes, this.ctx.backlogAllowance());
    // An empty window always takes one batch, however large, so the drain cannot stall.
    if (room <= 0 && !(this.count === 0 && this.ctx.backlogAllowance() > 0)) return undefined;
    // Room for less than the last batch while others are in flight: wait for their PUBACKs. Filling
    // every sliver cut a drain into ~3× as many, smaller statements and messages (docs/benchmarks.md).
    if (this.count > 0 && room < Math.min(this.lastBacklogBytes, maxInFlightBytes / 2)) return undefined;
    return room;
  }

  private nextTurn(): void {
    this.turn ??= setImmediate(() => {
      this.turn = undefined;
      this.pump();
    });
  }

  /**
   * The window is full: build the next batch in a later turn (after the socket got this turn's
   * packets), so it is ready when a PUBACK makes room instead of being encoded then, with the link idle.
   */
  private prepareSoon(maxInFlightBytes: number): void {
    if (!this.ctx.backlog.prepare || this.preparing || this.closed) return;
    const bytes = this.lastRequest || maxInFlightBytes / 2;
    this.preparing = setImmediate(() => {
      this.preparing = undefined;
      // One batch per turn, like sending: a PUBACK or a live message waits for one at most.
      if (!this.closed && this.ctx.backlog.prepare?.(bytes)) this.prepareSoon(maxInFlightBytes);
    });
  }

  private takeLive(): LiveMessage | undefined {
    const i = this.queue.findIndex((m) => m.key === undefined || !this.busyKeys.has(m.key));
    return i < 0 ? undefined : this.queue.splice(i, 1)[0];
  }

  private send(message: LiveMessage, backlog: boolean): void {
    const { window, monotonic } = this.ctx;
    const mark = window.sent(message.bytes, monotonic(), backlog);
    this.count += 1;
    this.bytes += message.bytes;
    if (message.key !== undefined) this.busyKeys.add(message.key);
    this.ctx.onPublished?.(message.bytes);
    let settled = false;
    this.ctx.publish(message, (err) => {
      if (settled) return;
      settled = true;
      this.count -= 1;
      this.bytes -= message.bytes;
      if (message.key !== undefined) this.busyKeys.delete(message.key);
      if (!err) window.acked(mark, monotonic());
      message.done?.(err);
      if (!this.closed) this.pump();
    });
  }
}
