import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { downsample, type HistoryRequest } from '../../../src/web/history.js';
import type { HistoryPoint } from '../../../src/web/types.js';

const SINCE = Date.parse('2026-12-01T06:00:00.000Z');
/** downsample rounds to 3 decimals. */
const ROUNDING = 0.0005 + 1e-9;

/** A random step series around [SINCE, until): readings may start before since and end after until. */
const scenario = fc
  .record({
    rangeMs: fc.integer({ min: 2, max: 3_600_000 }),
    points: fc.integer({ min: 2, max: 200 }),
    startMs: fc.integer({ min: -600_000, max: 600_000 }),
    steps: fc.array(
      fc.record({
        dt: fc.integer({ min: 0, max: 300_000 }),
        value: fc.option(fc.double({ min: -1e4, max: 1e4, noNaN: true }), { nil: null, freq: 5 }),
      }),
      { maxLength: 80 },
    ),
    staleMs: fc.oneof(fc.integer({ min: 1, max: 600_000 }), fc.constant(Infinity)),
  })
  .map(({ rangeMs, points, startMs, steps, staleMs }) => {
    let ts = SINCE + startMs;
    const readings: HistoryPoint[] = steps.map((s) => {
      ts += s.dt;
      return { ts, value: s.value };
    });
    const req: HistoryRequest = { channel: 'battery.soc', sinceMs: SINCE, untilMs: SINCE + rangeMs, points };
    return { readings, req, staleMs };
  });

/** The values in effect for a positive time in [from, to), by the definition, one reading at a time. */
function inEffect(
  readings: readonly HistoryPoint[],
  req: HistoryRequest,
  staleMs: number,
  from: number,
  to: number,
) {
  const out: Array<number | null> = [];
  readings.forEach((r, i) => {
    const end = Math.min(readings[i + 1]?.ts ?? Infinity, r.ts + staleMs, req.untilMs, to);
    if (Math.max(r.ts, req.sinceMs, from) < end) out.push(r.value);
  });
  return out;
}

describe('history of step data, for random series (downsample)', () => {
  it('every bucket lies between the min and max of the values in effect in it; a bucket is left out only when nothing was', () => {
    fc.assert(
      fc.property(scenario, ({ readings, req, staleMs }) => {
        const s = downsample(readings, req, staleMs);
        expect(s.ts).toEqual([...s.ts].sort((a, b) => a - b));
        const shown = new Map(s.ts.map((t, i) => [t, s.values[i]]));
        for (let start = req.sinceMs; start < req.untilMs; start += s.bucketMs) {
          const end = Math.min(start + s.bucketMs, req.untilMs);
          const held = inEffect(readings, req, staleMs, start, end);
          const numbers = held.filter((v): v is number => v !== null);
          if (!shown.has(start)) {
            expect(held).toEqual([]);
            continue;
          }
          const v = shown.get(start);
          if (numbers.length === 0) {
            expect(v).toBeNull();
            expect(held.length).toBeGreaterThan(0);
          } else {
            expect(typeof v).toBe('number');
            expect(v as number).toBeGreaterThanOrEqual(Math.min(...numbers) - ROUNDING);
            expect(v as number).toBeLessThanOrEqual(Math.max(...numbers) + ROUNDING);
          }
          shown.delete(start);
        }
        // no bucket outside the grid from since to until
        expect([...shown.keys()]).toEqual([]);
      }),
      { seed: 4242, numRuns: 2000 },
    );
  });

  it('a constant series gives that constant in every bucket it reaches, and reaches all when it never goes stale', () => {
    fc.assert(
      fc.property(
        scenario,
        fc.integer({ min: -1e7, max: 1e7 }).map((k) => k / 1000),
        ({ readings, req }, c) => {
          const constant = [{ ts: req.sinceMs - 1, value: c }, ...readings.map((r) => ({ ...r, value: c }))];
          const s = downsample(constant, req, Infinity);
          expect(s.values).toEqual(s.ts.map(() => c));
          expect(s.ts.length).toBe(Math.ceil((req.untilMs - req.sinceMs) / s.bucketMs));
        },
      ),
      { seed: 4343, numRuns: 1000 },
    );
  });
});
