import { describe, expect, it } from 'vitest';
import {
  downsample,
  HISTORY_STALE_MS,
  type HistoryRequest,
  historyStaleMs,
  withSummaries,
} from '../../../src/web/history.js';
import type { HistoryPoint, HistorySummary } from '../../../src/web/types.js';

const SINCE = Date.parse('2026-12-01T06:00:00.000Z');
const MIN = 60_000;
/** Ten minutes in ten one-minute buckets. */
const REQ: HistoryRequest = {
  channel: 'battery.voltage',
  sinceMs: SINCE,
  untilMs: SINCE + 10 * MIN,
  points: 10,
};

const at = (ms: number, value: number | null): HistoryPoint => ({ ts: SINCE + ms, value });
const starts = (...minutes: number[]): number[] => minutes.map((m) => SINCE + m * MIN);

describe('history of step data (downsample)', () => {
  it('a single reading before since fills every bucket up to the staleness bound, then the series stops', () => {
    expect(HISTORY_STALE_MS).toBe(240_000);
    const s = downsample([at(-MIN, 12.5)], REQ);
    expect(s.bucketMs).toBe(MIN);
    // held from since - 1 min for 4 min: minutes 0, 1 and 2 of the range
    expect(s.ts).toEqual(starts(0, 1, 2));
    expect(s.values).toEqual([12.5, 12.5, 12.5]);
    // with no bound it holds to until
    expect(downsample([at(-MIN, 12.5)], REQ, Infinity).values).toEqual(Array(10).fill(12.5));
  });

  it('draws no held value past now, even when until lies in the future', () => {
    const s = downsample([at(0, 12.5), at(2 * MIN, 12.5)], REQ, Infinity, SINCE + 3 * MIN + 30_000);
    expect(s.ts).toEqual(starts(0, 1, 2, 3));
    expect(s.values).toEqual([12.5, 12.5, 12.5, 12.5]);
  });

  it('the staleness bound follows the configured heartbeat, never below the default', () => {
    expect(historyStaleMs(120)).toBe(HISTORY_STALE_MS);
    expect(historyStaleMs(0)).toBe(HISTORY_STALE_MS);
    expect(historyStaleMs(600)).toBe(1_200_000);
  });

  it('a steady value logged by heartbeat only (every 120 s) has no holes in 1-minute buckets', () => {
    const s = downsample([at(-90_000, 13.2), at(30_000, 13.2), at(150_000, 13.2), at(270_000, 13.2)], {
      ...REQ,
      untilMs: SINCE + 5 * MIN,
      points: 5,
    });
    expect(s.ts).toEqual(starts(0, 1, 2, 3, 4));
    expect(s.values).toEqual([13.2, 13.2, 13.2, 13.2, 13.2]);
  });

  it('a value change mid-bucket gives the time-weighted mean, not the mean of the readings', () => {
    const s = downsample([at(0, 10), at(45_000, 20), at(MIN + 10_000, 20), at(MIN + 20_000, 20)], REQ);
    // 45 s of 10 and 15 s of 20; the plain mean of the two readings would be 15
    expect(s.values[0]).toBe(12.5);
    expect(s.values[1]).toBe(20);
  });

  it('a null stretch shows as null buckets; a partly null bucket averages its measured time only', () => {
    const s = downsample([at(0, 10), at(30_000, 30), at(45_000, null), at(3 * MIN, 12)], REQ);
    expect(s.ts).toEqual(starts(0, 1, 2, 3, 4, 5, 6));
    // minute 0: 30 s of 10 and 15 s of 30, then a fault: (300 + 450) / 45
    expect(s.values).toEqual([16.667, null, null, 12, 12, 12, 12]);
  });

  it('a fault holds like a value and goes stale like one', () => {
    const s = downsample([at(0, null)], REQ);
    expect(s.ts).toEqual(starts(0, 1, 2, 3));
    expect(s.values).toEqual([null, null, null, null]);
  });

  it('leaves out the buckets before the first known value', () => {
    const s = downsample([at(150_000, 7), at(4 * MIN, 8)], REQ);
    expect(s.ts).toEqual(starts(2, 3, 4, 5, 6, 7));
    // minute 2 knows only its last 30 s
    expect(s.values).toEqual([7, 7, 8, 8, 8, 8]);
  });

  it('stops after a gap longer than the staleness bound and resumes at the next reading', () => {
    const s = downsample([at(0, 5), at(6 * MIN + 40_000, 7)], REQ);
    // 5 holds to minute 4; minutes 4 and 5 are unknown; minute 6 knows only its last 20 s
    expect(s.ts).toEqual(starts(0, 1, 2, 3, 6, 7, 8, 9));
    expect(s.values).toEqual([5, 5, 5, 5, 7, 7, 7, 7]);
  });

  it('the last bucket ends at until: a shorter last bucket is weighted by its own length', () => {
    const req = { channel: 'battery.soc', sinceMs: 0, untilMs: 1000, points: 3 };
    const s = downsample(
      [
        { ts: 0, value: 1 },
        { ts: 900, value: 4 },
        { ts: 1000, value: 99 },
      ],
      req,
      Infinity,
    );
    expect(s.bucketMs).toBe(334);
    expect(s.ts).toEqual([0, 334, 668]);
    // [668, 1000): 232 ms of 1 and 100 ms of 4; the reading at until and later ones hold for no time
    expect(s.values).toEqual([1, 1, Math.round(((232 + 400) / 332) * 1000) / 1000]);
  });

  it('makes no bucket that starts at or after until when the rounded-up buckets cover the range early', () => {
    const s = downsample([{ ts: 0, value: 3 }], {
      channel: 'battery.soc',
      sinceMs: 0,
      untilMs: 10,
      points: 7,
    });
    expect(s.bucketMs).toBe(2);
    expect(s.ts).toEqual([0, 2, 4, 6, 8]);
  });

  it('orders readings by time (a clock set back), and of two at one ts the later logged one holds', () => {
    const s = downsample([at(MIN, 20), at(0, 10), at(MIN, 30)], {
      ...REQ,
      untilMs: SINCE + 2 * MIN,
      points: 2,
    });
    expect(s.values).toEqual([10, 30]);
  });

  it('keeps the response shape', () => {
    const s = downsample([at(0, 1)], REQ);
    expect(Object.keys(s).sort()).toEqual(['bucketMs', 'channel', 'since', 'ts', 'until', 'values']);
    expect(s.since).toBe('2026-12-01T06:00:00.000Z');
    expect(s.until).toBe('2026-12-01T06:10:00.000Z');
    expect(downsample([], REQ)).toMatchObject({ ts: [], values: [] });
  });
});

describe('history older than the raw readings (withSummaries)', () => {
  const QUARTER = 15 * MIN;
  /** Two hours in eight quarter-hour buckets. */
  const HOURS: HistoryRequest = { ...REQ, untilMs: SINCE + 8 * QUARTER, points: 8 };
  const bucket = (quarter: number, mean: number | null, n = 8, ms = QUARTER): HistorySummary => ({
    start: SINCE + quarter * QUARTER,
    ms,
    mean,
    n,
  });

  it('a downsampled bucket holds its mean for its whole length, though longer than the staleness bound', () => {
    const points = withSummaries([], [bucket(0, 11), bucket(1, 12.5), bucket(3, null)]);
    expect(points).toEqual([
      { ts: SINCE, value: 11, holdMs: QUARTER },
      { ts: SINCE + QUARTER, value: 12.5, holdMs: QUARTER },
      { ts: SINCE + 3 * QUARTER, value: null, holdMs: QUARTER },
    ]);
    const s = downsample(points, HOURS);
    // quarter 2 was never folded (the logger was down): left out; quarter 3 was faults only
    expect(s.ts).toEqual([SINCE, SINCE + QUARTER, SINCE + 3 * QUARTER]);
    expect(s.values).toEqual([11, 12.5, null]);
  });

  it('raw readings win: buckets from the first raw reading on are dropped, one running into it is cut', () => {
    const raw = [
      at(4 * QUARTER + 5 * MIN, 20),
      at(4 * QUARTER + 8 * MIN, 20),
      at(4 * QUARTER + 11 * MIN, 20),
      at(5 * QUARTER, 22),
    ];
    const points = withSummaries(raw, [bucket(3, 10), bucket(4, 12), bucket(5, 99), bucket(6, 99)]);
    expect(points).toEqual([
      { ts: SINCE + 3 * QUARTER, value: 10, holdMs: QUARTER },
      { ts: SINCE + 4 * QUARTER, value: 12, holdMs: QUARTER },
      ...raw,
    ]);
    const s = downsample(points, HOURS);
    // quarter 4: 5 min of the bucket's 12 (the first raw reading ends it), then 10 min of 20; quarter 5:
    // raw only, 22 held 4 min; quarter 6: the bucket lies after raw readings began, so it is not used
    expect(s.ts).toEqual([3, 4, 5].map((q) => SINCE + q * QUARTER));
    expect(s.values).toEqual([10, Math.round(((5 * 12 + 10 * 20) / 15) * 1000) / 1000, 22]);
  });

  it('the value in effect at since wins over a bucket too', () => {
    const raw = [at(-MIN, 13), at(2 * MIN, 13)];
    expect(withSummaries(raw, [bucket(-1, 99), bucket(0, 99)])).toEqual([
      { ts: SINCE - QUARTER, value: 99, holdMs: QUARTER },
      ...raw,
    ]);
    expect(downsample(withSummaries(raw, [bucket(-1, 99), bucket(0, 99)]), HOURS).values).toEqual([13]);
  });

  it('merges buckets of one start (folded in two passes) weighted by the readings folded; faults carry no weight', () => {
    const points = withSummaries(
      [],
      [bucket(0, 10, 3), bucket(0, 14, 1), bucket(0, null, 5), bucket(1, null, 2)],
    );
    expect(points).toEqual([
      { ts: SINCE, value: 11, holdMs: QUARTER },
      { ts: SINCE + QUARTER, value: null, holdMs: QUARTER },
    ]);
  });

  it('sorts buckets by start and ignores empty ones', () => {
    const points = withSummaries([], [bucket(2, 3), bucket(0, 1), bucket(1, 2, 4, 0)]);
    expect(points.map((p) => p.value)).toEqual([1, 3]);
  });
});
