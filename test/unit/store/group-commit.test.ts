import { describe, expect, it, vi } from 'vitest';
import { ManualClock } from '../../../src/core/clock.js';
import type { LoggedReading, Reading } from '../../../src/core/readings.js';
import { ReadingBatcher } from '../../../src/store/group-commit.js';
import type { SqliteLog } from '../../../src/store/sqlite-log.js';
import { useTempLogs } from './temp-log.js';

const T0 = Date.parse('2026-12-01T08:00:00.000Z');
const INTERVAL = 1000;

function reading(i: number): Reading {
  return { channel: 'temperature.indoor', value: 20 + i, ts: T0 + i };
}

function setup(log: SqliteLog, maxBuffered?: number) {
  const clock = new ManualClock(T0);
  const committed: LoggedReading[][] = [];
  const errors: Error[] = [];
  const batcher = new ReadingBatcher({
    store: log,
    clock,
    intervalMs: INTERVAL,
    onCommitted: (rows) => committed.push(rows),
    onError: (err) => errors.push(err),
    maxBuffered,
  });
  return { clock, committed, errors, batcher };
}

describe('ReadingBatcher', () => {
  const tmp = useTempLogs();

  it('commits nothing before the interval and everything, in one batch, after it', () => {
    const log = tmp.open();
    const { clock, committed, batcher } = setup(log);
    batcher.start();
    for (let i = 0; i < 5; i++) batcher.add(reading(i));

    clock.advance(INTERVAL - 1);
    expect(log.queryReadings({})).toEqual([]);
    expect(committed).toEqual([]);

    clock.advance(1);
    expect(log.queryReadings({}).map((r) => r.value)).toEqual([20, 21, 22, 23, 24]);
    expect(committed).toHaveLength(1);
    expect(committed[0]?.map((r) => r.seq)).toEqual([1, 2, 3, 4, 5]);
    expect(batcher.stats().pending).toBe(0);
    batcher.stop();
  });

  it('does not commit an empty batch', () => {
    const log = tmp.open();
    const { clock, committed, batcher } = setup(log);
    const append = vi.spyOn(log, 'appendReadings');
    batcher.start();
    clock.advance(5 * INTERVAL);
    expect(append).not.toHaveBeenCalled();
    expect(committed).toEqual([]);
    batcher.stop();
  });

  it('saves a waiting status in the same transaction as the next readings, or alone once it may wait no longer', () => {
    const log = tmp.open();
    const { clock, batcher } = setup(log);
    const append = vi.spyOn(log, 'appendReadings');
    batcher.start();
    batcher.saveStatus({ state: 'OPEN' }, T0, 10 * INTERVAL);
    expect(batcher.hasPending()).toBe(false);
    clock.advance(3 * INTERVAL);
    expect(append).not.toHaveBeenCalled();
    expect(log.loadStatus()).toBeUndefined();
    batcher.add(reading(1));
    batcher.saveStatus({ state: 'FULL' }, T0 + 3 * INTERVAL, 10 * INTERVAL); // only the newest waits
    clock.advance(INTERVAL);
    expect(append).toHaveBeenCalledTimes(1);
    expect(log.loadStatus()).toEqual({ status: { state: 'FULL' }, savedAt: T0 + 3 * INTERVAL });
    expect(log.queryReadings({})).toHaveLength(1);
    // no readings come: the status is committed alone once its wait is over
    batcher.saveStatus({ state: 'CLOSED' }, clock.now(), 5 * INTERVAL);
    clock.advance(4 * INTERVAL);
    expect(log.loadStatus()?.status).toEqual({ state: 'FULL' });
    clock.advance(INTERVAL);
    expect(batcher.hasPending()).toBe(false);
    expect(log.loadStatus()?.status).toEqual({ state: 'CLOSED' });
    // a status that may not wait goes at the next interval; stop() commits one that still could
    batcher.saveStatus({ state: 'STANDBY' }, clock.now());
    expect(batcher.hasPending()).toBe(true);
    clock.advance(INTERVAL);
    expect(log.loadStatus()?.status).toEqual({ state: 'STANDBY' });
    batcher.saveStatus({ state: 'OPEN' }, clock.now(), 60 * INTERVAL);
    batcher.stop();
    expect(log.loadStatus()?.status).toEqual({ state: 'OPEN' });
  });

  it('flushes on stop(), cancels its timer, and may be stopped twice', () => {
    const log = tmp.open();
    const { clock, committed, batcher } = setup(log);
    batcher.start();
    batcher.add(reading(0));
    batcher.stop();
    batcher.stop();
    expect(log.queryReadings({})).toHaveLength(1);

    batcher.add(reading(1));
    clock.advance(10 * INTERVAL);
    expect(log.queryReadings({})).toHaveLength(1);
    expect(committed).toHaveLength(1);
  });

  it('keeps the readings of a failed commit and commits them at the next interval', () => {
    const log = tmp.open();
    const { clock, committed, errors, batcher } = setup(log);
    vi.spyOn(log, 'appendReadings').mockImplementationOnce(() => {
      throw new Error('SQLITE_FULL: database or disk is full');
    });
    batcher.start();
    batcher.add(reading(0));
    batcher.add(reading(1));

    clock.advance(INTERVAL);
    expect(errors.map((e) => e.message)).toEqual([expect.stringMatching(/2 readings failed.*disk is full/)]);
    expect(log.queryReadings({})).toEqual([]);
    expect(batcher.stats().pending).toBe(2);

    batcher.add(reading(2));
    clock.advance(INTERVAL);
    expect(log.queryReadings({}).map((r) => r.value)).toEqual([20, 21, 22]);
    expect(committed.flat().map((r) => r.seq)).toEqual([1, 2, 3]);
    batcher.stop();
  });

  it('bounds the buffer while commits fail, dropping the oldest and counting them', () => {
    const log = tmp.open();
    const { clock, errors, batcher } = setup(log, 3);
    const append = vi.spyOn(log, 'appendReadings').mockImplementation(() => {
      throw new Error('disk I/O error');
    });
    batcher.start();
    for (let i = 0; i < 5; i++) batcher.add(reading(i));
    expect(batcher.stats()).toEqual({ pending: 3, dropped: 2, rejected: 0 });

    clock.advance(INTERVAL);
    expect(errors.map((e) => e.message)).toEqual([
      expect.stringMatching(/dropped the 2 oldest readings/),
      expect.stringMatching(/disk I\/O error/),
    ]);

    append.mockRestore();
    clock.advance(INTERVAL);
    expect(log.queryReadings({}).map((r) => r.value)).toEqual([22, 23, 24]);
    batcher.stop();
  });

  it('refuses a reading that could never be stored without blocking the others', () => {
    const log = tmp.open();
    const { clock, errors, batcher } = setup(log);
    batcher.start();
    expect(batcher.add({ channel: 'no spaces allowed', value: 1, ts: T0 })).toBe(false);
    expect(batcher.add(reading(0))).toBe(true);
    clock.advance(INTERVAL);
    expect(errors.map((e) => e.message)).toEqual([expect.stringMatching(/invalid channel name/)]);
    expect(log.queryReadings({})).toHaveLength(1);
    expect(batcher.stats().rejected).toBe(1);
    batcher.stop();
  });
});
