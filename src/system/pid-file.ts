import { readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';

/**
 * Names the running service next to its log, for CLI commands and for a refused second start. Written by
 * the holder of the log's lock (src/store/log-lock.ts), which is what decides whether a service runs.
 */
export class PidFile {
  constructor(
    readonly path: string,
    private readonly pid: number,
  ) {}

  /** Atomically (a reader never sees a half-written pid). */
  write(): void {
    const tmp = `${this.path}.${this.pid}.tmp`;
    writeFileSync(tmp, `${this.pid}\n`);
    renameSync(tmp, this.path);
  }

  remove(): void {
    try {
      if (readPid(this.path) === this.pid) rmSync(this.path, { force: true });
    } catch {
      // already gone
    }
  }
}

export function readPid(path: string): number | undefined {
  try {
    const n = Number.parseInt(readFileSync(path, 'utf8').trim(), 10);
    return Number.isInteger(n) && n > 0 ? n : undefined;
  } catch {
    return undefined;
  }
}

/**
 * The pid of a live service for this log, or undefined. `lockHeld` is the log lock's answer: when known it
 * decides (a stale pid file after SIGKILL, even with its pid reused by another process, counts as none);
 * without a lock file, the pid's liveness.
 */
export function runningServicePid(
  pidPath: string,
  isAlive: (pid: number) => boolean,
  lockHeld?: boolean,
): number | undefined {
  const pid = readPid(pidPath);
  if (lockHeld === false) return undefined;
  if (lockHeld === true) return pid;
  return pid !== undefined && isAlive(pid) ? pid : undefined;
}

export function pidPathFor(logPath: string): string {
  return `${logPath}.pid`;
}
