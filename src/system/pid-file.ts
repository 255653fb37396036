import { readFileSync, rmSync, writeFileSync } from 'node:fs';

/** Marks a running service next to its log, so CLI commands can tell whether someone will apply them. */
export class PidFile {
  constructor(
    readonly path: string,
    private readonly pid: number,
  ) {}

  write(): void {
    writeFileSync(this.path, `${this.pid}\n`);
  }

  remove(): void {
    try {
      if (readPid(this.path) === this.pid) rmSync(this.path, { force: true });
    } catch {
      // already gone
    }
  }
}

function readPid(path: string): number | undefined {
  try {
    const n = Number.parseInt(readFileSync(path, 'utf8').trim(), 10);
    return Number.isInteger(n) && n > 0 ? n : undefined;
  } catch {
    return undefined;
  }
}

/** The pid of a live service for this log, or undefined (a stale file after SIGKILL counts as none). */
export function runningServicePid(pidPath: string, isAlive: (pid: number) => boolean): number | undefined {
  const pid = readPid(pidPath);
  return pid !== undefined && isAlive(pid) ? pid : undefined;
}

export function pidPathFor(logPath: string): string {
  return `${logPath}.pid`;
}
