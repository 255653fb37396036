import { userInfo } from 'node:os';
import { SystemClock } from '../core/clock.js';
import { systemdNotifyCli } from '../system/sd-notify.js';
import type { CliIo } from './io.js';

// Part of the composition roots (src/main.ts, src/hub/main.ts): the only code besides them that touches `process`.

/** What a command may use of this process. */
export function processIo(): CliIo {
  return {
    stdout: (text) => process.stdout.write(text),
    stderr: (text) => process.stderr.write(text),
    stdoutIsTty: process.stdout.isTTY === true,
    stderrIsTty: process.stderr.isTTY === true,
    env: process.env,
    pid: process.pid,
    user: safeUser(),
    clock: new SystemClock(),
    isProcessAlive: (pid) => {
      try {
        process.kill(pid, 0);
        return true;
      } catch (err) {
        return (err as NodeJS.ErrnoException).code === 'EPERM';
      }
    },
    onShutdownSignal: (handler) => {
      const once = (signal: NodeJS.Signals) => {
        process.off('SIGINT', once);
        process.off('SIGTERM', once);
        handler(signal);
      };
      process.on('SIGINT', once);
      process.on('SIGTERM', once);
    },
    notify: systemdNotifyCli({ env: process.env }),
  };
}

function safeUser(): string {
  try {
    return userInfo().username;
  } catch {
    return `uid-${process.getuid?.() ?? 'unknown'}`;
  }
}

function fatal(kind: string, err: unknown): void {
  const text = err instanceof Error ? (err.stack ?? err.message) : String(err);
  process.stderr.write(`FATAL ${kind}: ${text}\n`);
  // exit non-zero so systemd restarts the service instead of leaving a half-dead process
  process.exit(1);
}

/** Runs a program's CLI as this process: its exit code, fatal errors reported and ended with exit 1. */
export async function runAsMain(run: (argv: readonly string[], io: CliIo) => Promise<number>): Promise<void> {
  process.on('uncaughtException', (err) => fatal('uncaught exception', err));
  process.on('unhandledRejection', (err) => fatal('unhandled rejection', err));
  const code = await run(process.argv.slice(2), processIo());
  process.exitCode = code;
  await Promise.all([drained(process.stdout), drained(process.stderr)]);
  // Do not wait for stray handles (an unreachable broker's socket) once the command and its output are done.
  setTimeout(() => process.exit(code), 200).unref();
}

/**
 * Resolves once everything written to the stream has reached the OS. Writes to a pipe are queued in
 * Node when the pipe is full; exiting before they drain cut `export | ...` short, mid-line, with exit
 * code 0 whenever the reader was slow (issue 17: an export "returned far fewer rows" under load).
 */
function drained(stream: NodeJS.WriteStream): Promise<void> {
  return new Promise((resolve) => {
    if (stream.writableLength === 0) resolve();
    // A write's callback runs after every earlier write; with an error too (a reader that went away).
    else stream.write('', () => resolve());
  });
}
