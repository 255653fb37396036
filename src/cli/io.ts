import type { Clock } from '../core/clock.js';
import type { NotifySender } from '../system/sd-notify.js';

/** What a command may use of the process; main.ts builds it, tests pass their own. */
export interface CliIo {
  stdout: (text: string) => void;
  stderr: (text: string) => void;
  stdoutIsTty: boolean;
  /** stderr is a terminal: progress bars are drawn there (export). Undefined counts as no. */
  stderrIsTty?: boolean;
  env: Readonly<Record<string, string | undefined>>;
  pid: number;
  /** Real time: timestamps of operator commands, waiting for the service, durations back from now. */
  clock: Clock;
  /** The OS user running the command, recorded with operator actions. */
  user: string;
  isProcessAlive: (pid: number) => boolean;
  /** Resolves on SIGINT/SIGTERM (for `run` and `log --follow`). */
  onShutdownSignal: (handler: (signal: string) => void) => void;
  /** Sends sd_notify messages to `$NOTIFY_SOCKET` (`run` under systemd); undefined: never notify. */
  notify?: NotifySender;
}

/** `locked` (EX_TEMPFAIL): another live service holds the log; systemd may retry once it is gone. */
export const EXIT = { ok: 0, failure: 1, usage: 64, locked: 75, config: 78 } as const;

/** An error that ends the command with a given exit code and a one-line message, no stack trace. */
export class CliError extends Error {
  constructor(
    message: string,
    readonly exitCode: number,
  ) {
    super(message);
    this.name = 'CliError';
  }
}
