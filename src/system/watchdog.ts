/**
 * The systemd watchdog (WatchdogSec=) fed by the main loop's liveness, not by a bare timer: the pipeline
 * calls `beat()` after every evaluation it has shown on the sign, and `WATCHDOG=1` goes out every half
 * interval only while the last beat is recent. A loop that hangs, or keeps failing, stops the pings and
 * systemd restarts the service.
 */

/** `$WATCHDOG_USEC` in ms when it is meant for this process (`$WATCHDOG_PID` unset or ours), else undefined. */
export function watchdogIntervalMs(
  env: Readonly<Record<string, string | undefined>>,
  pid: number,
): number | undefined {
  const usecText = env.WATCHDOG_USEC;
  if (!usecText || !/^\d+$/.test(usecText)) return undefined;
  const forPid = env.WATCHDOG_PID;
  if (forPid && forPid !== String(pid)) return undefined;
  const ms = Math.floor(Number(usecText) / 1000);
  return ms > 0 ? ms : undefined;
}

export interface LivenessWatchdogOptions {
  /** The whole watchdog timeout (WatchdogSec) in ms; pings go out every half of it. */
  intervalMs: number;
  /** Sends WATCHDOG=1. */
  ping: () => void;
  /** A monotonic real-time clock in ms (the watchdog counts real seconds, whatever the simulation does). */
  now: () => number;
  /** A real-time repeating timer; returns its cancel function. */
  every: (ms: number, fn: () => void) => () => void;
  /** The main loop counts as healthy while its last beat is at most this old; default half the interval. */
  maxSilenceMs?: number;
  /** Told when the loop goes silent (pings stop) and when it recovers. */
  onChange?: (healthy: boolean, silentMs: number) => void;
}

export class LivenessWatchdog {
  private lastBeat: number | undefined;
  private cancel: (() => void) | undefined;
  private wasHealthy = true;
  private readonly maxSilenceMs: number;

  constructor(private readonly opts: LivenessWatchdogOptions) {
    this.maxSilenceMs = opts.maxSilenceMs ?? opts.intervalMs / 2;
  }

  /** The main loop completed one round. */
  beat(): void {
    this.lastBeat = this.opts.now();
  }

  healthy(): boolean {
    return this.lastBeat !== undefined && this.opts.now() - this.lastBeat <= this.maxSilenceMs;
  }

  /** Pings at once if healthy, then every half interval. */
  start(): void {
    if (this.cancel) return;
    this.check();
    this.cancel = this.opts.every(Math.max(1, Math.floor(this.opts.intervalMs / 2)), () => this.check());
  }

  stop(): void {
    this.cancel?.();
    this.cancel = undefined;
  }

  private check(): void {
    const healthy = this.healthy();
    if (healthy !== this.wasHealthy) {
      this.wasHealthy = healthy;
      const silent = this.lastBeat === undefined ? Number.POSITIVE_INFINITY : this.opts.now() - this.lastBeat;
      this.opts.onChange?.(healthy, silent);
    }
    if (healthy) this.opts.ping();
  }
}
