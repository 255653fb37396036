import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  adjustCount,
  applyPassage,
  emptyOccupancy,
  localDay,
  rollDay,
  setCount,
} from '../../../src/point/occupancy.js';

const TZ = 'Europe/Tallinn';
const T0 = Date.parse('2026-12-01T10:00:00Z');

describe('occupancy', () => {
  it('counts entries and exits and never goes below zero', () => {
    let o = emptyOccupancy(T0, TZ);
    o = applyPassage(o, 'in', T0, TZ);
    o = applyPassage(o, 'out', T0, TZ);
    o = applyPassage(o, 'out', T0, TZ);
    expect(o).toMatchObject({ count: 0, entries: 1, exits: 2 });
  });

  it('never goes below zero for any sequence of passages and corrections', () => {
    const action = fc.oneof(
      fc.constant<'in' | 'out'>('in'),
      fc.constant<'in' | 'out'>('out'),
      fc.integer({ min: -50, max: 50 }),
    );
    fc.assert(
      fc.property(fc.array(action, { maxLength: 200 }), (actions) => {
        let o = emptyOccupancy(T0, TZ);
        for (const a of actions) o = typeof a === 'number' ? adjustCount(o, a) : applyPassage(o, a, T0, TZ);
        expect(o.count).toBeGreaterThanOrEqual(0);
        expect(o.entries).toBe(actions.filter((a) => a === 'in').length);
      }),
    );
  });

  it('resets the daily counters at local midnight, keeping the people inside', () => {
    // 21:59 UTC is 23:59 in Tallinn (UTC+2 in winter)
    const beforeMidnight = Date.parse('2026-12-01T21:59:00Z');
    let o = applyPassage(emptyOccupancy(beforeMidnight, TZ), 'in', beforeMidnight, TZ);
    expect(o.day).toBe('2026-12-01');
    o = rollDay(o, beforeMidnight + 120_000, TZ);
    expect(o).toEqual({ count: 1, entries: 0, exits: 0, day: '2026-12-02' });
    expect(localDay(beforeMidnight + 120_000, 'UTC')).toBe('2026-12-01');
  });

  it('lets the operator set the count without touching the daily counters', () => {
    const o = applyPassage(emptyOccupancy(T0, TZ), 'in', T0, TZ);
    expect(setCount(o, 17)).toMatchObject({ count: 17, entries: 1 });
    expect(setCount(o, -4).count).toBe(0);
  });
});
