import { type Clock, SystemClock } from '../../core/clock.js';
import { errorMessage } from '../../core/errors.js';
import { serialPortClass } from '../serial/port.js';
import { createFirmata, type FirmataIo } from './facade.js';

/** What a user of the board (analog driver, sign) is told. `ready` comes again after every reconnect. */
export interface BoardListener {
  ready(io: FirmataIo): void;
  lost(reason: string): void;
}

/** The serial port as the connection needs it; a serialport 13 `SerialPort` by default. */
export interface BoardPort {
  open(cb: (err: Error | null) => void): void;
  close(cb: (err: Error | null) => void): void;
  drain(cb: (err: Error | null) => void): void;
  on(event: 'data', fn: (chunk: Buffer) => void): unknown;
  on(event: 'close' | 'error', fn: (err?: Error | null) => void): unknown;
  readonly isOpen: boolean;
}

export interface FirmataConnectionOptions {
  path: string;
  baudRate: number;
  /** No byte from the board this long while connected: it is gone (a vanished PTY sends no event). */
  noDataTimeoutMs: number;
  /** A version query is sent this often, so a healthy board always answers something. */
  heartbeatMs: number;
  /** From opening the port to Firmata `ready` (handshake: version, firmware, capabilities, mapping). */
  handshakeTimeoutMs?: number;
  retryMinMs?: number;
  retryMaxMs?: number;
  /** Real time by default: bytes arrive in real time even when the service clock is simulated. */
  timers?: Pick<Clock, 'now' | 'every' | 'after'>;
  makePort?: (path: string, baudRate: number) => BoardPort;
}

export type BoardState = 'stopped' | 'connecting' | 'ready' | 'down';

const realPort = (path: string, baudRate: number): BoardPort =>
  // highWaterMark as firmata.js uses; DTR/RTS are left alone (the ioctls fail on PTYs, and a Nano resets on DTR anyway)
  new (serialPortClass())({ path, baudRate, autoOpen: false, highWaterMark: 256 });

/**
 * One Firmata board on one serial port, shared by everyone who `acquire`s it: opens the port, runs the
 * handshake (firmata-io), watches for silence, and reopens with backoff after an unplug, a silent PTY or
 * a failed handshake. Never throws for an absent device; the last `release` closes the port.
 */
export class FirmataConnection {
  private readonly listeners = new Set<BoardListener>();
  private readonly timers: Pick<Clock, 'now' | 'every' | 'after'>;
  private readonly makePort: (path: string, baudRate: number) => BoardPort;
  private users = 0;
  private generation = 0;
  private current: { port: BoardPort; io: FirmataIo; gen: number } | undefined;
  private lastByteAt = 0;
  private retryMs: number;
  private cancels: Array<() => void> = [];
  private cancelRetry: (() => void) | undefined;
  private stateNow: BoardState = 'stopped';
  private lastReason = '';
  private notified = '';

  constructor(private readonly opts: FirmataConnectionOptions) {
    this.timers = opts.timers ?? new SystemClock();
    this.makePort = opts.makePort ?? realPort;
    this.retryMs = opts.retryMinMs ?? 1000;
  }

  get state(): BoardState {
    return this.stateNow;
  }

  get io(): FirmataIo | undefined {
    return this.stateNow === 'ready' ? this.current?.io : undefined;
  }

  /** Joins; the first user opens the port. If the board is ready already the listener hears it at once. */
  acquire(listener: BoardListener): void {
    this.listeners.add(listener);
    this.users++;
    if (this.users === 1) {
      this.stateNow = 'connecting';
      this.connect();
    } else if (this.io) listener.ready(this.io);
    else if (this.stateNow === 'down') listener.lost(this.lastReason);
  }

  /** Leaves; the last user closes the port after pending writes (a dark sign) went out. */
  async release(listener: BoardListener): Promise<void> {
    if (!this.listeners.delete(listener)) return;
    this.users--;
    if (this.users > 0) return;
    this.stateNow = 'stopped';
    this.cancelRetry?.();
    this.cancelRetry = undefined;
    await this.teardown(true);
  }

  /**
   * Resolves once every write so far has left for the port (serialport drain); rejects when no port is
   * open or the drain fails. For `sign dark`, which must know the dark frame really went out.
   */
  flush(): Promise<void> {
    const port = this.current?.port;
    if (!port?.isOpen) return Promise.reject(new Error('the port is not open'));
    return new Promise((resolve, reject) => port.drain((err) => (err ? reject(err) : resolve())));
  }

  private connect(): void {
    this.cancelRetry = undefined;
    if (this.stateNow === 'stopped') return;
    const gen = ++this.generation;
    let port: BoardPort;
    let io: FirmataIo;
    try {
      port = this.makePort(this.opts.path, this.opts.baudRate);
      io = createFirmata(port, { reportVersionTimeout: Math.min(1000, this.opts.heartbeatMs) });
    } catch (err) {
      this.down(`cannot open ${this.opts.path}: ${(err as Error).message}`);
      return;
    }
    this.current = { port, io, gen };
    const mine = () => this.current?.gen === gen;
    // errors after a teardown (a late write to a closed port) must not crash anything
    io.on(
      'error',
      (err) => mine() && this.down(`${lostPort(err) ? 'port lost' : 'board error'}: ${errorMessage(err)}`),
    );
    port.on('error', (err) => mine() && this.down(`port error: ${errorMessage(err)}`));
    port.on('close', (err) => mine() && this.down(`port closed${err ? `: ${err.message}` : ''}`));
    port.on('data', () => {
      this.lastByteAt = this.timers.now();
    });
    // johnny-five re-emits `ready` on an io that is ready already: only the first one counts
    io.on('ready', () => mine() && this.stateNow !== 'ready' && this.ready(io));
    port.open((err) => {
      if (!mine()) return;
      if (err) {
        this.down(`cannot open ${this.opts.path}: ${err.message}`);
        return;
      }
      this.lastByteAt = this.timers.now();
      const limit = this.opts.handshakeTimeoutMs ?? 10_000;
      this.cancels.push(
        this.timers.after(limit, () => {
          if (mine() && this.stateNow !== 'ready')
            this.down(`no Firmata handshake within ${limit} ms (is StandardFirmata flashed?)`);
        }),
      );
    });
  }

  private ready(io: FirmataIo): void {
    this.stateNow = 'ready';
    this.notified = '';
    this.retryMs = this.opts.retryMinMs ?? 1000;
    this.lastByteAt = this.timers.now();
    this.cancels.push(
      this.timers.every(this.opts.heartbeatMs, () => {
        const silent = this.timers.now() - this.lastByteAt;
        if (silent >= this.opts.noDataTimeoutMs) {
          this.down(`no data from the board for ${Math.round(silent / 1000)} s (unplugged?)`);
          return;
        }
        io.reportVersion(() => undefined);
      }),
    );
    for (const l of [...this.listeners]) {
      try {
        l.ready(io);
      } catch (err) {
        this.down(`setting up the board failed: ${errorMessage(err)}`);
        return;
      }
    }
  }

  private down(reason: string): void {
    if (this.stateNow === 'stopped') return;
    const wasUp = this.stateNow === 'ready';
    this.stateNow = 'down';
    this.lastReason = reason;
    void this.teardown(false);
    // listeners hear of each outage once, and again only when the reason changes
    if (wasUp || reason !== this.notified) for (const l of [...this.listeners]) l.lost(reason);
    this.notified = reason;
    const delay = this.retryMs;
    this.retryMs = Math.min(this.opts.retryMaxMs ?? 10_000, this.retryMs * 2);
    this.cancelRetry = this.timers.after(delay, () => this.connect());
  }

  private async teardown(flush: boolean): Promise<void> {
    for (const c of this.cancels.splice(0)) c();
    const cur = this.current;
    this.current = undefined;
    if (!cur) return;
    const { port } = cur;
    if (!port.isOpen) return;
    if (flush) await new Promise<void>((r) => port.drain(() => r()));
    await new Promise<void>((r) => port.close(() => r()));
  }
}

// a write to a USB serial device that was pulled fails with one of these before `close` arrives
function lostPort(err: unknown): boolean {
  return /\b(EIO|ENXIO|ENODEV|EBADF)\b/.test(errorMessage(err));
}
