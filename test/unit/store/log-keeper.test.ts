import { join } from 'node:path';
import Database from 'better-sqlite3';
import { describe, expect, it } from 'vitest';
import { ManualClock } from '../../../src/core/clock.js';
import { MemoryLogger } from '../../../src/core/logger.js';
import type { CronScheduler } from '../../../src/schedule/cron.js';
import { LogKeeper } from '../../../src/store/log-keeper.js';
import { openLog } from '../../../src/store/sqlite-log.js';
import type { TimeSource } from '../../../src/system/boot-info.js';
import type { ClockSyncState } from '../../../src/system/clock-sync.js';
import { useTempLogs } from './temp-log.js';

const T0 = Date.parse('2026-12-01T08:00:00.000Z');
const DAY = 86_400_000;

/** Fires jobs only when the test says so. */
class FakeScheduler implements CronScheduler {
  readonly jobs: Array<{ expression: string; fn: (at: number) => void }> = [];
  schedule(expression: string, _tz: string, fn: (at: number) => void): () => void {
    const job = { expression, fn };
    this.jobs.push(job);
    return () => this.jobs.splice(this.jobs.indexOf(job), 1);
  }
  matches(): boolean {
    return false;
  }
  fire(): void {
    for (const j of [...this.jobs]) j.fn(0);
  }
}

function setup(opts: {
  maxBytes?: number;
  rawDays?: number;
  sync?: ClockSyncState;
  bootId?: string;
  path: string;
}) {
  const clock = new ManualClock(T0);
  let sync: ClockSyncState = opts.sync ?? 'unknown';
  let mono = 1_000_000;
  const time: TimeSource = {
    bootId: () => opts.bootId ?? 'boot-1',
    monotonicMs: () => mono,
    clockSync: () => sync,
  };
  const scheduler = new FakeScheduler();
  const logger = new MemoryLogger();
  const keeper = new LogKeeper({
    policy: {
      rawRetentionMs: (opts.rawDays ?? 30) * DAY,
      downsampleMs: 15 * 60_000,
      maxBytes: opts.maxBytes ?? 1e9,
      minFreeBytes: 0,
    },
    schedule: '7 * * * *',
    scheduler,
    timeZone: 'Europe/Kyiv',
    clock,
    logger,
    clockCheckMs: 60_000,
  });
  const log = openLog(opts.path, { time, maxBytes: opts.maxBytes, onFull: keeper.onFull });
  keeper.start(log);
  return {
    clock,
    log,
    keeper,
    scheduler,
    logger,
    setSync: (s: ClockSyncState) => {
      sync = s;
    },
    advance: (ms: number) => {
      mono += ms;
      clock.advance(ms);
    },
  };
}

describe('LogKeeper: a full disk', () => {
  const tmp = useTempLogs();

  it('sheds the oldest readings, names the unsent ones in a gap event, raises one alarm, and keeps logging', () => {
    const path = join(tmp.dir(), 'kiosk.db');
    const k = setup({ path, maxBytes: 256 * 1024 });
    let appended = 0;
    for (let b = 0; b < 400; b++) {
      const rows = k.log.appendReadings(
        Array.from({ length: 50 }, (_, i) => ({
          channel: 'battery.voltage',
          value: b + i,
          ts: T0 + b * 1000 + i,
        })),
      );
      appended += rows.length;
      if (b === 5) k.log.markSent('telemetry', rows.at(-1)?.seq ?? 0);
    }
    expect(appended).toBe(20_000);
    // events are still durable while the disk is full
    const ev = k.log.appendEvent({ type: 'state', level: 'info', ts: T0, message: 'still logging' });
    expect(ev.seq).toBeGreaterThan(0);

    const events = k.log.queryEvents({});
    const full = events.filter((e) => e.type === 'storage.full');
    expect(full).toHaveLength(1);
    expect(full[0]?.level).toBe('alarm');
    const gaps = events.filter((e) => e.type === 'gap');
    expect(gaps.length).toBeGreaterThan(0);
    // the first shed range starts right after what the uplink had sent (seq 300): sent rows need no gap
    expect(gaps[0]?.data).toMatchObject({ stream: 'telemetry', fromSeq: 301, reason: 'disk full' });
    const remaining = k.log.queryReadings({});
    expect(remaining.length).toBeLessThan(20_000);
    expect(remaining.at(-1)?.seq).toBe(20_000);
    // what is left is one contiguous seq range: shedding is oldest first, by range
    const first = remaining[0]?.seq ?? 0;
    expect(remaining.every((r, i) => r.seq === first + i)).toBe(true);
    // every gap plus what is left accounts for every unsent seq
    const gapped = gaps.reduce((n, g) => n + Number(g.data?.count), 0);
    expect(300 + gapped + remaining.length).toBe(20_000);
    k.log.close();
    const raw = new Database(path, { readonly: true });
    expect(raw.pragma('integrity_check', { simple: true })).toBe('ok');
    raw.close();
  });
});

describe('LogKeeper: retention', () => {
  const tmp = useTempLogs();

  it('downsamples readings older than the raw retention into min/max/mean, by seq, with a gap for unsent ones', () => {
    const k = setup({ path: join(tmp.dir(), 'kiosk.db'), rawDays: 1 });
    for (let h = 0; h < 48; h++) {
      k.log.appendReadings([
        { channel: 'temperature.indoor', value: 18 + (h % 4), ts: k.clock.now() },
        { channel: 'temperature.indoor', value: 20, ts: k.clock.now() + 60_000 },
      ]);
      k.advance(3_600_000);
    }
    k.log.markSent('telemetry', 10);
    expect(k.scheduler.jobs.map((j) => j.expression)).toEqual(['7 * * * *']);
    k.scheduler.fire();
    expect(k.logger.lines.filter((l) => l.startsWith('ERROR'))).toEqual([]);
    const raw = k.log.queryReadings({});
    // 48 h logged, raw kept for 1 day: the oldest 24 h (+ the row on the cut) were folded
    expect(raw[0]?.ts).toBeGreaterThanOrEqual(k.clock.now() - DAY - 3_600_000);
    expect(raw.length).toBeLessThan(96);
    expect(raw.length).toBeGreaterThanOrEqual(46);
    const db = k.log.database();
    const buckets = db
      .prepare('SELECT min, max, mean, n, first_seq FROM downsampled ORDER BY first_seq')
      .all() as Array<{
      min: number;
      max: number;
      mean: number;
      n: number;
      first_seq: number;
    }>;
    expect(buckets.reduce((n, b) => n + b.n, 0) + raw.length).toBe(96);
    expect(buckets[0]).toMatchObject({ min: 18, max: 20, mean: 19, n: 2, first_seq: 1 });
    const gap = k.log.queryEvents({}).find((e) => e.type === 'gap');
    expect(gap?.data).toMatchObject({ stream: 'telemetry', fromSeq: 11, reason: 'downsampled' });
    // a second pass right away has nothing to do
    const before = db.prepare('SELECT count(*) AS n FROM downsampled').get();
    k.keeper.runRetention();
    expect(db.prepare('SELECT count(*) AS n FROM downsampled').get()).toEqual(before);
  });

  it('never expires by an unsynchronised clock: a wrong date far ahead expires nothing', () => {
    const k = setup({ path: join(tmp.dir(), 'kiosk.db'), rawDays: 1, sync: 'unsynchronized' });
    // fake-hwclock: a date two weeks in the past, and the clock is not synchronised
    k.log.appendReadings([{ channel: 'battery.soc', value: 50, ts: T0 - 14 * DAY }]);
    k.log.appendReadings([{ channel: 'battery.soc', value: 51, ts: T0 }]);
    k.scheduler.fire();
    expect(k.log.queryReadings({}).map((r) => r.value)).toEqual([50, 51]);
  });
});

describe('LogKeeper: the clock becomes known', () => {
  const tmp = useTempLogs();

  it('corrects records logged before the first sync in this boot, once, from their monotonic time', () => {
    const path = join(tmp.dir(), 'kiosk.db');
    const k = setup({ path, sync: 'unsynchronized' });
    // the Pi booted believing it is two weeks ago
    const wrong = T0 - 14 * DAY;
    k.log.appendReadings([{ channel: 'battery.soc', value: 1, ts: wrong }]);
    k.advance(10_000);
    k.log.appendEvent({ type: 'state', level: 'info', ts: wrong + 10_000, message: 'unsynced' });
    k.advance(50_000);
    k.setSync('synchronized');
    k.advance(60_000); // the next clock check
    const [r] = k.log.queryReadings({});
    // the reading was stamped at mono 1 000 000; sync seen at mono 1 120 000 and wall T0 + 120 s
    expect(r?.ts).toBe(T0 + 120_000 - 120_000);
    const db = k.log.database();
    expect(db.prepare('SELECT clock FROM readings').all()).toEqual([{ clock: 2 }]);
    const fixed = k.log.queryEvents({}).find((e) => e.type === 'state');
    expect(fixed?.ts).toBe(T0 + 10_000);
    const note = k.log.queryEvents({}).filter((e) => e.type === 'clock.corrected');
    expect(note).toHaveLength(1);
    expect(note[0]?.data).toMatchObject({ readings: 1, events: 1 });
    // later records are stamped synchronised and are never touched again
    k.log.appendReadings([{ channel: 'battery.soc', value: 2, ts: k.clock.now() }]);
    k.advance(60_000);
    expect(k.log.queryEvents({}).filter((e) => e.type === 'clock.corrected')).toHaveLength(1);
    expect(db.prepare('SELECT clock FROM readings ORDER BY seq').all()).toEqual([{ clock: 2 }, { clock: 1 }]);
  });
});
