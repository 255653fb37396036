import { execFile } from 'node:child_process';

/**
 * Hands one notify datagram (newline-separated `KEY=VALUE` fields) to the service manager's socket.
 * Rejects when it could not; the caller decides how loud to be about it.
 */
export type NotifySender = (socket: string, fields: readonly string[]) => Promise<void>;

export interface SdNotifyOptions {
  /** `$NOTIFY_SOCKET`; undefined or empty makes every call a no-op. */
  socket: string | undefined;
  send: NotifySender;
  /** Told about the first failure only, so a missing helper does not flood the journal. */
  onError?: (err: unknown) => void;
}

/**
 * The service side of sd_notify(3): READY=1, WATCHDOG=1, STOPPING=1 and STATUS=. Without a notify
 * socket it does nothing. Nothing here throws or blocks: each message is queued behind the previous one
 * (so the manager sees them in order) and sent in the background.
 */
export class SdNotify {
  readonly enabled: boolean;
  private queue: Promise<void> = Promise.resolve();
  private failed = false;
  private stopping = false;

  constructor(private readonly opts: SdNotifyOptions) {
    this.enabled = typeof opts.socket === 'string' && opts.socket.length > 0;
  }

  /** Start-up is complete (the sign shows the first state). */
  ready(status?: string): void {
    this.send(['READY=1', ...statusField(status)]);
  }

  /** The main loop is alive. Ignored once stopping. */
  watchdog(status?: string): void {
    if (!this.stopping) this.send(['WATCHDOG=1', ...statusField(status)]);
  }

  /** Shutdown has begun. */
  stop(status = 'stopping'): void {
    this.stopping = true;
    this.send(['STOPPING=1', ...statusField(status)]);
  }

  /** Free-form text for `systemctl status`. */
  status(text: string): void {
    this.send(statusField(text));
  }

  /** Resolves once everything queued so far has been handed over (or given up on). */
  flush(): Promise<void> {
    return this.queue;
  }

  private send(fields: readonly string[]): void {
    const socket = this.opts.socket;
    if (!this.enabled || socket === undefined || fields.length === 0) return;
    this.queue = this.queue.then(() =>
      this.opts.send(socket, fields).catch((err: unknown) => {
        if (this.failed) return;
        this.failed = true;
        this.opts.onError?.(err);
      }),
    );
  }
}

/** STATUS= is one line; systemd shows it in `systemctl status`. */
function statusField(text: string | undefined): string[] {
  if (text === undefined) return [];
  const line = text.replace(/[\r\n]+/g, ' ').trim();
  return line ? [`STATUS=${line.slice(0, 200)}`] : [];
}

export interface SystemdNotifyCliOptions {
  /** The environment to find the helper on (`PATH`); the socket is passed explicitly. */
  env: Readonly<Record<string, string | undefined>>;
  /** Give up on one message after this long. */
  timeoutMs?: number;
  /** The helper; `systemd-notify` from the systemd package by default. */
  command?: string;
}

/**
 * A sender that runs `systemd-notify KEY=VALUE ...` for each message. Node has no unix datagram sockets,
 * and a native addon would need a compiler on every Pi; the helper ships with systemd itself. Its costs:
 * a short child process per message (a few ms of CPU, twice a minute with WatchdogSec=30), and the unit
 * must say NotifyAccess=all because the sender is a child, not the main process. systemd-notify waits for
 * the manager to process the message (sd_notify_barrier, systemd >= 246), so it is never mis-attributed.
 */
export function systemdNotifyCli(opts: SystemdNotifyCliOptions): NotifySender {
  const command = opts.command ?? 'systemd-notify';
  const timeout = opts.timeoutMs ?? 5000;
  return (socket, fields) =>
    new Promise((resolve, reject) => {
      const env: Record<string, string> = { NOTIFY_SOCKET: socket };
      const path = opts.env.PATH;
      env.PATH = path && path.length > 0 ? path : '/usr/local/bin:/usr/bin:/bin';
      execFile(command, [...fields], { env, timeout, windowsHide: true }, (err, _stdout, stderr) => {
        if (err) reject(new Error(`${command} failed: ${String(stderr).trim() || err.message}`));
        else resolve();
      });
    });
}
