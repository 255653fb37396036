import { randomBytes } from 'node:crypto';
import {
  closeSync,
  existsSync,
  mkdtempSync,
  openSync,
  readdirSync,
  readFileSync,
  rmSync,
  writeSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { afterEach, describe, expect, it } from 'vitest';
import { openLogRecovering } from '../../src/store/recovery.js';
import { LogOpenError, openLog } from '../../src/store/sqlite-log.js';

const T0 = Date.parse('2026-12-01T08:00:00.000Z');
let dir: string;

afterEach(() => rmSync(dir, { recursive: true, force: true }));

/** A closed log with enough rows to span many pages, events after and among them, some sent. */
function filledLog(path: string): { epoch: string; readings: number; events: number } {
  const log = openLog(path);
  for (let b = 0; b < 40; b++) {
    log.appendReadings(
      Array.from({ length: 100 }, (_, i) => ({
        channel: 'battery.voltage',
        value: b + i / 100,
        ts: T0 + b * 1000 + i,
      })),
    );
    log.appendEvent({ type: 'state', level: 'info', ts: T0 + b * 1000, message: `batch ${b}` });
  }
  log.markSent('telemetry', 1000);
  log.markSent('events', 10);
  const epoch = log.epoch;
  log.close();
  return { epoch, readings: 4000, events: 40 };
}

/** Overwrites whole pages in the middle of the file, where the readings table lives. */
function corruptPages(path: string, pages: number[]): void {
  const fd = openSync(path, 'r+');
  try {
    for (const p of pages) writeSync(fd, randomBytes(1024), 0, 1024, (p - 1) * 1024);
  } finally {
    closeSync(fd);
  }
}

describe('a corrupt log', () => {
  it('is detected at start, moved aside untouched, salvaged into a new epoch, and the loss is logged', () => {
    dir = mkdtempSync(join(tmpdir(), 'store-corrupt-'));
    const path = join(dir, 'kiosk.db');
    const before = filledLog(path);
    const pageCount = readFileSync(path).length / 1024;
    expect(pageCount).toBeGreaterThan(100);
    const bad = [Math.floor(pageCount / 3), Math.floor(pageCount / 3) + 1];
    corruptPages(path, bad);
    const corruptBytes = readFileSync(path);

    // a plain open refuses it with a clear message instead of running on a broken file
    expect(() => openLog(path)).toThrow(LogOpenError);
    expect(() => openLog(path)).toThrow(/is corrupt/);

    const { log, recovery } = openLogRecovering(path, {}, T0 + 60_000);
    try {
      expect(recovery).toBeDefined();
      if (!recovery) return;
      // never deleted: the corrupt file sits next to the new one, byte for byte as it was
      expect(existsSync(recovery.quarantinedAs)).toBe(true);
      expect(readFileSync(recovery.quarantinedAs).equals(corruptBytes)).toBe(true);
      expect(readdirSync(dir).filter((f) => /\.corrupt-\w+$/.test(f))).toHaveLength(1);
      expect(log.epoch).not.toBe(before.epoch);
      expect(recovery.oldEpoch).toBe(before.epoch);

      const readings = log.queryReadings({});
      expect(readings.length).toBeGreaterThan(before.readings * 0.8);
      expect(readings.length).toBeLessThan(before.readings);
      expect(recovery.salvaged.readings).toBe(readings.length);
      // seqs are kept, strictly increasing, and the lost ones are exactly the reported ranges
      const seqs = readings.map((r) => r.seq);
      const lost = recovery.lost.telemetry.flatMap((g) =>
        Array.from({ length: g.to - g.from + 1 }, (_, i) => g.from + i),
      );
      expect(new Set([...seqs, ...lost]).size).toBe(before.readings);
      expect(seqs.every((s, i) => i === 0 || s > (seqs[i - 1] ?? 0))).toBe(true);
      expect(log.sentPosition('telemetry')).toBe(1000);

      const events = log.queryEvents({});
      const corrupt = events.find((e) => e.type === 'storage.corrupt');
      expect(corrupt?.level).toBe('alarm');
      expect(corrupt?.message).toContain(recovery.quarantinedAs);
      const gaps = events.filter((e) => e.type === 'gap');
      expect(gaps.length).toBe(
        recovery.lost.telemetry.filter((g) => g.to > 1000).length + recovery.lost.events.length,
      );
      expect(gaps.length).toBeGreaterThan(0);
      expect(gaps[0]?.data).toMatchObject({ stream: 'telemetry', reason: 'corrupt', oldEpoch: before.epoch });

      // no seq is reused after the salvage
      const [next] = log.appendReadings([{ channel: 'battery.soc', value: 1, ts: T0 }]);
      expect(next?.seq).toBe(before.readings + 1);
    } finally {
      log.close();
    }
    const raw = new Database(path, { readonly: true });
    expect(raw.pragma('integrity_check', { simple: true })).toBe('ok');
    raw.close();

    // the next start opens the salvaged log as it is: no second quarantine
    const again = openLogRecovering(path, {}, T0 + 120_000);
    expect(again.recovery).toBeUndefined();
    again.log.close();
  });

  it('a file that is not a pima-kiosk log is never moved, even through the recovering open', () => {
    dir = mkdtempSync(join(tmpdir(), 'store-corrupt-'));
    const path = join(dir, 'kiosk.db');
    const garbage = randomBytes(8192);
    const fd = openSync(path, 'w');
    writeSync(fd, garbage);
    closeSync(fd);
    expect(() => openLogRecovering(path, {}, T0)).toThrow(/not a database/);
    expect(readdirSync(dir)).toEqual(['kiosk.db']);
    expect(readFileSync(path).equals(garbage)).toBe(true);
  });
});
