import { type Clock, SystemClock } from '../../core/clock.js';
import { errorMessage } from '../../core/errors.js';
import { type OpenPort, openSerialPort, type PortOpener } from './port.js';

/**
 * What the link tells its driver. `silent`: open but no valid data (garbage, or a vanished PTY); `lost`:
 * the port failed under us; `unavailable`: it cannot be opened. `down` repeats only when the reason changes.
 */
export type DownCause = 'silent' | 'lost' | 'unavailable';
export type LinkStatus = { state: 'open' } | { state: 'down'; cause: DownCause; reason: string };

export interface SerialLinkOptions {
  path: string;
  baudRate: number;
  /** Reopen when `alive()` was not called for this long while open (a vanished PTY sends no event). */
  silenceMs: number;
  onData(chunk: Buffer): void;
  onStatus(status: LinkStatus): void;
  /** Defaults to the real serial port. */
  open?: PortOpener;
  /** Real time by default: bytes arrive in real time even when the service clock is simulated. */
  timers?: Pick<Clock, 'after'>;
  retryMinMs?: number;
  retryMaxMs?: number;
}

/**
 * Keeps one serial port open: opens it, reopens it with backoff after it failed or went silent, and
 * never throws for an absent device. The driver calls `alive()` whenever it decoded *valid* data, so
 * garbage on the line counts as silence too.
 */
export class SerialLink {
  private port: OpenPort | undefined;
  private stopped = true;
  private generation = 0;
  private retryMs: number;
  private lastDown = '';
  private closing: Promise<void> | undefined;
  private cancelRetry: (() => void) | undefined;
  private cancelWatchdog: (() => void) | undefined;
  private readonly timers: Pick<Clock, 'after'>;
  private readonly open: PortOpener;
  private readonly retryMinMs: number;
  private readonly retryMaxMs: number;

  constructor(private readonly opts: SerialLinkOptions) {
    this.timers = opts.timers ?? new SystemClock();
    this.open = opts.open ?? openSerialPort;
    this.retryMinMs = opts.retryMinMs ?? 1000;
    this.retryMaxMs = opts.retryMaxMs ?? 5000;
    this.retryMs = this.retryMinMs;
  }

  get isOpen(): boolean {
    return this.port !== undefined;
  }

  start(): void {
    if (!this.stopped) return;
    this.stopped = false;
    void this.attempt();
  }

  /** Valid data arrived: the device is there. */
  alive(): void {
    if (!this.port) return;
    this.retryMs = this.retryMinMs;
    this.armWatchdog();
  }

  async write(bytes: Buffer): Promise<void> {
    if (!this.port) throw new Error(`${this.opts.path} is not open`);
    await this.port.write(bytes);
  }

  async stop(): Promise<void> {
    this.stopped = true;
    this.generation++;
    this.cancelRetry?.();
    this.cancelWatchdog?.();
    this.cancelRetry = this.cancelWatchdog = undefined;
    const port = this.port;
    this.port = undefined;
    await port?.close().catch(() => undefined);
  }

  private async attempt(): Promise<void> {
    this.cancelRetry = undefined;
    await this.closing; // the old handle must be released before the device is opened again
    if (this.stopped) return;
    const gen = ++this.generation;
    try {
      const port = await this.open(
        { path: this.opts.path, baudRate: this.opts.baudRate },
        {
          data: (chunk) => {
            if (gen === this.generation) this.opts.onData(chunk);
          },
          lost: (reason) => {
            if (gen === this.generation) void this.drop('lost', reason);
          },
        },
      );
      if (gen !== this.generation || this.stopped) {
        await port.close().catch(() => undefined);
        return;
      }
      this.port = port;
      this.lastDown = '';
      this.armWatchdog();
      this.opts.onStatus({ state: 'open' });
    } catch (err) {
      if (gen !== this.generation) return;
      this.down('unavailable', `cannot open ${this.opts.path}: ${errorMessage(err)}`);
      this.scheduleRetry();
    }
  }

  private armWatchdog(): void {
    this.cancelWatchdog?.();
    this.cancelWatchdog = this.timers.after(this.opts.silenceMs, () => {
      this.cancelWatchdog = undefined;
      void this.drop('silent', `no valid data for ${Math.round(this.opts.silenceMs / 1000)} s, reopening`);
    });
  }

  private async drop(cause: DownCause, reason: string): Promise<void> {
    if (this.stopped) return;
    this.generation++;
    this.cancelWatchdog?.();
    this.cancelWatchdog = undefined;
    const port = this.port;
    this.port = undefined;
    this.down(cause, reason);
    this.scheduleRetry();
    this.closing = port?.close().catch(() => undefined);
    await this.closing;
  }

  private down(cause: DownCause, reason: string): void {
    // the same failure on every retry is one outage, reported once
    const kind = `${cause}:${reason}`;
    if (kind === this.lastDown) return;
    this.lastDown = kind;
    this.opts.onStatus({ state: 'down', cause, reason });
  }

  private scheduleRetry(): void {
    if (this.stopped || this.cancelRetry) return;
    const delay = this.retryMs;
    this.retryMs = Math.min(this.retryMaxMs, this.retryMs * 2);
    this.cancelRetry = this.timers.after(delay, () => void this.attempt());
  }
}
