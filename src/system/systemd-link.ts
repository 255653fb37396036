import type { Logger } from '../core/logger.js';
import type { PointState } from '../point/types.js';
import { type NotifySender, SdNotify } from './sd-notify.js';
import { LivenessWatchdog, watchdogIntervalMs } from './watchdog.js';

/** The pipeline beats once a second; a loop is silent only after missing a few beats. */
const MIN_SILENCE_MS = 3000;

export interface SystemdLinkOptions {
  /** The process environment: NOTIFY_SOCKET, WATCHDOG_USEC, WATCHDOG_PID. */
  env: Readonly<Record<string, string | undefined>>;
  pid: number;
  /** How datagrams reach the socket; undefined turns notifications off. */
  send: NotifySender | undefined;
  logger: Logger;
  /** Monotonic real time in ms. */
  now: () => number;
  /** A real-time repeating timer. */
  every: (ms: number, fn: () => void) => () => void;
  /** The point's current state, for STATUS= in `systemctl status`. */
  current: () => PointState | undefined;
}

/**
 * The service's side of its systemd unit: READY once started, WATCHDOG while the main loop beats,
 * STOPPING on shutdown. Silent and harmless outside systemd (no NOTIFY_SOCKET).
 */
export class SystemdLink {
  private readonly notify: SdNotify;
  private readonly watchdog: LivenessWatchdog | undefined;

  constructor(private readonly opts: SystemdLinkOptions) {
    const log = opts.logger;
    this.notify = new SdNotify({
      socket: opts.send ? opts.env.NOTIFY_SOCKET : undefined,
      send: opts.send ?? (() => Promise.resolve()),
      onError: (err) => log.warn('could not notify systemd', { error: err }),
    });
    const intervalMs = this.notify.enabled ? watchdogIntervalMs(opts.env, opts.pid) : undefined;
    this.watchdog =
      intervalMs === undefined
        ? undefined
        : new LivenessWatchdog({
            intervalMs,
            // half the timeout, but never less than a few of the pipeline's 1 s ticks
            maxSilenceMs: Math.max(intervalMs / 2, MIN_SILENCE_MS),
            now: opts.now,
            every: opts.every,
            ping: () => this.notify.watchdog(this.describe()),
            onChange: (healthy, silentMs) =>
              healthy
                ? log.info('main loop beating again: watchdog pings resumed')
                : log.error('main loop silent: watchdog pings stopped, systemd will restart the service', {
                    silentMs: Math.round(silentMs),
                  }),
          });
  }

  /** For the pipeline: called after each evaluation shown on the sign. */
  readonly heartbeat = (): void => this.watchdog?.beat();

  /** Start-up is complete: the sign shows the first state. */
  ready(): void {
    this.notify.ready(this.describe());
    this.watchdog?.start();
    if (this.notify.enabled) this.opts.logger.debug('notified systemd: ready');
  }

  stopping(): void {
    this.watchdog?.stop();
    this.notify.stop();
  }

  flush(): Promise<void> {
    return this.notify.flush();
  }

  private describe(): string | undefined {
    const s = this.opts.current();
    if (!s) return undefined;
    const reasons = s.reasons.length ? ` (${s.reasons.join(', ')})` : '';
    return `${s.state}${reasons}, power ${s.power}, ${s.occupancy}/${s.capacity} people, mode ${s.mode}`;
  }
}
