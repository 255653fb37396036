import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { LogLock, logLockHeld } from '../../../src/store/log-lock.js';
import { PidFile, pidPathFor, runningServicePid } from '../../../src/system/pid-file.js';

describe('runningServicePid', () => {
  let dir: string;
  let log: string;
  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'kiosk-pid-'));
    log = join(dir, 'kiosk.db');
  });
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  it("trusts the log's lock over the pid: a stale file whose pid was reused counts as no service", () => {
    new PidFile(pidPathFor(log), 4242).write();
    expect(readFileSync(pidPathFor(log), 'utf8')).toBe('4242\n');
    const reused = () => true; // some other process now has pid 4242
    expect(runningServicePid(pidPathFor(log), reused, false)).toBeUndefined();
    const lock = new LogLock(log, 50);
    lock.acquire();
    expect(runningServicePid(pidPathFor(log), () => false, logLockHeld(log))).toBe(4242);
    lock.release();
    expect(runningServicePid(pidPathFor(log), reused, logLockHeld(log))).toBeUndefined();
    // no lock file at all (a log of an older version): the pid's liveness decides
    expect(runningServicePid(pidPathFor(join(dir, 'other.db')), reused, undefined)).toBeUndefined();
    expect(runningServicePid(pidPathFor(log), reused, undefined)).toBe(4242);
  });

  it('removes only its own pid file, safe twice', () => {
    const mine = new PidFile(pidPathFor(log), 1);
    new PidFile(pidPathFor(log), 2).write();
    mine.remove();
    expect(readFileSync(pidPathFor(log), 'utf8')).toBe('2\n');
    mine.write();
    mine.remove();
    mine.remove();
    expect(() => readFileSync(pidPathFor(log))).toThrow();
  });
});
