import { mkdtempSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { LogLock, LogLockedError, lockPathFor, logLockHeld } from '../../../src/store/log-lock.js';

describe('LogLock', () => {
  let dir: string;
  let log: string;
  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'kiosk-lock-'));
    log = join(dir, 'sub', 'kiosk.db');
  });
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  it('is held by one holder at a time and free again after release (safe twice)', () => {
    expect(logLockHeld(log)).toBeUndefined(); // no lock file yet
    const a = new LogLock(log, 50);
    a.acquire();
    expect(logLockHeld(log)).toBe(true);
    const b = new LogLock(log, 50);
    expect(() => b.acquire()).toThrow(LogLockedError);
    a.release();
    a.release();
    expect(logLockHeld(log)).toBe(false);
    b.acquire();
    expect(logLockHeld(log)).toBe(true);
    b.release();
  });

  it('writes its file only on the first start', () => {
    const a = new LogLock(log, 50);
    a.acquire();
    a.release();
    const first = statSync(lockPathFor(log), { bigint: true });
    a.acquire();
    expect(() => new LogLock(log, 50).acquire()).toThrow(LogLockedError);
    const later = statSync(lockPathFor(log), { bigint: true });
    expect([later.size, later.mtimeNs]).toEqual([first.size, first.mtimeNs]);
    a.release();
  });
});
