// One controller per log (issue 12, Deliver 4). The lock is an SQLite file next to the log, held in
// EXCLUSIVE locking mode for the life of the process. Why SQLite and not a pid file with O_EXCL:
// SQLite's lock is a POSIX record lock (fcntl), which the kernel drops when the process ends in any way,
// SIGKILL and power-cut included. So a crashed holder never leaves a lock that blocks systemd's restart,
// and no liveness guess (kill(pid, 0), /proc/<pid>/cmdline, pid reuse) is needed to tell a stale lock
// from a live one. The pid file next to the log only names the holder in messages; it decides nothing.
// Caveat of fcntl locks: closing ANY descriptor of the lock file in the holding process drops the lock,
// so nothing else in the service may open `<log>.lock` (SQLite itself tracks its own descriptors).
import { mkdirSync } from 'node:fs';
import { dirname } from 'node:path';
import Database from 'better-sqlite3';
import { errorMessage } from '../core/errors.js';

/** How long a start waits for the lock: a CLI probe holds a read lock for microseconds, a service forever. */
const ACQUIRE_WAIT_MS = 2000;

export function lockPathFor(logPath: string): string {
  return `${logPath}.lock`;
}

/** Another live process holds the log's lock; nothing was written. */
export class LogLockedError extends Error {
  constructor(readonly lockPath: string) {
    super(`the log's lock ${lockPath} is held by another process`);
    this.name = 'LogLockedError';
  }
}

/** The exclusive lock of one log; `acquire()` before anything touches the log, the sign or the broker. */
export class LogLock {
  private db: Database.Database | undefined;
  readonly path: string;

  constructor(
    logPath: string,
    private readonly waitMs = ACQUIRE_WAIT_MS,
  ) {
    this.path = lockPathFor(logPath);
  }

  /** Throws LogLockedError when a live process holds it. Writes the lock file only on the very first start. */
  acquire(): void {
    if (this.db) return;
    mkdirSync(dirname(this.path), { recursive: true });
    const db = new Database(this.path, { timeout: this.waitMs });
    try {
      // In EXCLUSIVE locking mode the lock taken by the first write transaction is kept until close.
      db.pragma('locking_mode = EXCLUSIVE');
      db.exec('BEGIN EXCLUSIVE');
      db.exec('COMMIT');
    } catch (err) {
      db.close();
      if ((err as { code?: string }).code === 'SQLITE_BUSY') throw new LogLockedError(this.path);
      throw new Error(`could not lock ${this.path}: ${errorMessage(err)}`, { cause: err });
    }
    this.db = db;
  }

  /** Safe twice. The kernel releases the lock anyway when the process ends. */
  release(): void {
    this.db?.close();
    this.db = undefined;
  }
}

/**
 * Whether a live process holds the log's lock now, for CLI commands: undefined when there is no lock file
 * (no service has run on this log with this version). A read lock for a moment; never writes.
 */
export function logLockHeld(logPath: string): boolean | undefined {
  let db: Database.Database;
  try {
    db = new Database(lockPathFor(logPath), { readonly: true, fileMustExist: true, timeout: 0 });
  } catch {
    return undefined;
  }
  try {
    db.prepare('SELECT count(*) FROM sqlite_master').get();
    return false;
  } catch (err) {
    return (err as { code?: string }).code === 'SQLITE_BUSY' ? true : undefined;
  } finally {
    db.close();
  }
}
