#!/usr/bin/env node
import './heap-flags.js';
import { userInfo } from 'node:os';
import type { CliIo } from './cli/io.js';
import { runCli } from './cli/program.js';
import { systemdNotifyCli } from './system/sd-notify.js';

/** The composition root: the only place that touches `process`. */
function processIo(): CliIo {
  return {
    stdout: (text) => process.stdout.write(text),
    stderr: (text) => process.stderr.write(text),
    stdoutIsTty: process.stdout.isTTY === true,
    stderrIsTty: process.stderr.isTTY === true,
    env: process.env,
    pid: process.pid,
    user: safeUser(),
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

process.on('uncaughtException', (err) => fatal('uncaught exception', err));
process.on('unhandledRejection', (err) => fatal('unhandled rejection', err));

const code = await runCli(process.argv.slice(2), processIo());
process.exitCode = code;
// Do not wait for stray handles (an unreachable broker's socket) once the command is done.
setTimeout(() => process.exit(code), 200).unref();
