import { describe, expect, it } from 'vitest';
import type { Reading } from '../../../src/core/readings.js';
import { applyRetention } from '../../../src/store/retention.js';
import { useTempLogs } from './temp-log.js';

const T = Date.parse('2026-12-01T08:00:00.000Z');
const MIN = 60_000;
const STALE = 240_000;

const row = (ts: number, value: number | null, channel = 'battery.voltage'): Reading => ({
  channel,
  value,
  ts,
});

describe('readingBefore: the value in effect at a time', () => {
  const tmp = useTempLogs();

  it('is the newest reading of the channel before t; one at t itself is not before it', () => {
    const log = tmp.open();
    log.appendReadings([row(T - 3 * MIN, 11), row(T - 2 * MIN, 12), row(T - MIN, null), row(T, 14)]);
    expect(log.readingBefore('battery.voltage', T, STALE)).toMatchObject({ ts: T - MIN, value: null });
    expect(log.readingBefore('battery.voltage', T - MIN, STALE)).toMatchObject({
      ts: T - 2 * MIN,
      value: 12,
    });
    expect(log.readingBefore('battery.voltage', T + 1, STALE)).toMatchObject({ seq: 4, ts: T, value: 14 });
  });

  it('is undefined for an empty log, a channel never logged, or nothing before t', () => {
    const log = tmp.open();
    expect(log.readingBefore('battery.voltage', T, STALE)).toBeUndefined();
    log.appendReadings([row(T, 13), row(T + MIN, 14)]);
    expect(log.readingBefore('battery.voltage', T, STALE)).toBeUndefined();
    expect(log.readingBefore('battery.soc', T + 2 * MIN, STALE)).toBeUndefined();
  });

  it('ignores other channels, however much newer', () => {
    const log = tmp.open();
    log.appendReadings([
      row(T - 3 * MIN, 12),
      row(T - 2 * MIN, 80, 'battery.soc'),
      row(T - MIN, 81, 'battery.soc'),
      row(T - 1, 82, 'battery.soc'),
    ]);
    expect(log.readingBefore('battery.voltage', T, STALE)).toMatchObject({ ts: T - 3 * MIN, value: 12 });
    expect(log.readingBefore('battery.soc', T, STALE)).toMatchObject({ ts: T - 1, value: 82 });
  });

  it('looks back no further than the lookback: from t − lookback (inclusive) to t', () => {
    const log = tmp.open();
    log.appendReadings([row(T - STALE - 1, 11), row(T + MIN, 12)]);
    expect(log.readingBefore('battery.voltage', T, STALE)).toBeUndefined();
    expect(log.readingBefore('battery.voltage', T - 1, STALE)).toMatchObject({ value: 11 });
    expect(log.readingBefore('battery.voltage', T, STALE + 1)).toMatchObject({ value: 11 });
    expect(log.readingBefore('battery.voltage', T, 0)).toBeUndefined();
    expect(log.readingBefore('battery.voltage', T, Infinity)).toMatchObject({ value: 11 });
    expect(() => log.readingBefore('battery.voltage', T, -1)).toThrow(RangeError);
    expect(() => log.readingBefore('battery.voltage', T, Number.NaN)).toThrow(RangeError);
    expect(() => log.readingBefore('battery.voltage', Number.NaN, STALE)).toThrow(RangeError);
  });

  it('reads only the rows logged in the window: one logged later with a clock set back is not found', () => {
    const log = tmp.open();
    // The window T − 4 min .. T is found by seq; the last row has a ts in it but was logged after rows
    // newer than T, so it lies outside the seqs read (the documented cost of needing no ts index).
    log.appendReadings([row(T - 10 * MIN, 10), row(T - 3 * MIN, 11, 'battery.soc'), row(T + MIN, 12)]);
    log.appendReadings([row(T - MIN, 13)]);
    expect(log.readingBefore('battery.voltage', T, STALE)).toBeUndefined();
    // within the window, the newest by ts wins, as in the history's step series
    log.appendReadings([row(T + 10 * MIN, 20), row(T + 9 * MIN, 21), row(T + 20 * MIN, 22)]);
    expect(log.readingBefore('battery.voltage', T + 15 * MIN, STALE * 2)).toMatchObject({ value: 20 });
  });

  it('agrees with a scan of every row over a large log with holes in its seqs', () => {
    const log = tmp.open();
    const channels = ['battery.voltage', 'battery.soc', 'mains.present'];
    const all: Reading[] = [];
    // 20 000 rows, 1 to 30 s apart, channels drawn by a fixed sequence; a run of rows is then deleted
    let ts = T;
    for (let i = 0; i < 20_000; i++) {
      ts += 1000 + ((i * 7919) % 29_000);
      all.push(row(ts, i % 97 === 0 ? null : i, channels[(i * 31) % 7 < 4 ? 0 : (i % 2) + 1]));
    }
    const logged = log.appendReadings(all);
    log.database().prepare('DELETE FROM readings WHERE seq BETWEEN 5000 AND 5500').run();
    const kept = logged.filter((r) => r.seq < 5000 || r.seq > 5500);
    const brute = (channel: string, before: number, lookback: number) =>
      kept
        .filter((r) => r.channel === channel && r.ts < before && r.ts >= before - lookback)
        .reduce<(typeof kept)[number] | undefined>(
          (best, r) => (best && best.ts > r.ts ? best : r),
          undefined,
        );
    const last = logged.at(-1)?.ts ?? T;
    for (let k = 0; k < 300; k++) {
      const before = T + Math.floor((((k * 104_729) % 1000) / 1000) * (last - T + 2 * MIN)) - MIN;
      const channel = channels[k % 3] ?? 'battery.voltage';
      const lookback = [STALE, 30_000, 3_600_000][Math.floor(k / 3) % 3] ?? STALE;
      expect(log.readingBefore(channel, before, lookback)).toEqual(brute(channel, before, lookback));
    }
  });
});

describe('downsampledBuckets: what retention kept of old readings', () => {
  const tmp = useTempLogs();
  const policy = { rawRetentionMs: 86_400_000, downsampleMs: 15 * MIN, maxBytes: 1e9, minFreeBytes: 0 };

  it('gives the buckets of one channel that overlap the range, by start, with their statistics', () => {
    const log = tmp.open();
    const start = T - (T % (15 * MIN));
    log.appendReadings([
      row(start, 12),
      row(start + 5 * MIN, 14),
      row(start + 10 * MIN, null),
      row(start + 5 * MIN, 70, 'battery.soc'),
      row(start + 15 * MIN, 13),
      row(start + 30 * MIN, 11),
      row(start + 2 * 86_400_000, 15),
    ]);
    const result = applyRetention(log, policy, start + 2 * 86_400_000);
    expect(result.downsampled).toBe(6);
    const buckets = log.downsampledBuckets('battery.voltage', start, start + 30 * MIN);
    expect(buckets).toEqual([
      {
        channel: 'battery.voltage',
        bucketStart: start,
        bucketMs: 15 * MIN,
        firstSeq: 1,
        lastSeq: 3,
        n: 3,
        min: 12,
        max: 14,
        mean: 13,
      },
      {
        channel: 'battery.voltage',
        bucketStart: start + 15 * MIN,
        bucketMs: 15 * MIN,
        firstSeq: 5,
        lastSeq: 5,
        n: 1,
        min: 13,
        max: 13,
        mean: 13,
      },
      {
        channel: 'battery.voltage',
        bucketStart: start + 30 * MIN,
        bucketMs: 15 * MIN,
        firstSeq: 6,
        lastSeq: 6,
        n: 1,
        min: 11,
        max: 11,
        mean: 11,
      },
    ]);
    // a bucket that began before since and still covers it counts; one ending at since does not
    expect(
      log.downsampledBuckets('battery.voltage', start + 14 * MIN, start + 16 * MIN).map((b) => b.bucketStart),
    ).toEqual([start, start + 15 * MIN]);
    expect(log.downsampledBuckets('battery.voltage', start + 15 * MIN, start + 29 * MIN)).toHaveLength(1);
    expect(log.downsampledBuckets('battery.soc', start, start + 30 * MIN)).toMatchObject([
      { n: 1, mean: 70 },
    ]);
    expect(log.downsampledBuckets('mains.present', start, start + 30 * MIN)).toEqual([]);
    // the raw reading left is not a bucket
    expect(log.downsampledBuckets('battery.voltage', start + 86_400_000, start + 3 * 86_400_000)).toEqual([]);
  });
});
