import { describe, expect, it } from 'vitest';
import { Debouncer } from '../../../../src/drivers/gpio/debounce.js';
import { RunHours } from '../../../../src/drivers/gpio/run-hours.js';

describe('Debouncer', () => {
  it('lets a level through only after it held for debounceMs', () => {
    const d = new Debouncer(0, 50, 0);
    expect(d.feed(1, 100)).toBeUndefined();
    expect(d.deadline()).toBe(150);
    expect(d.settle(149)).toBeUndefined();
    expect(d.settle(150)).toBe(1);
    expect(d.stable).toBe(1);
    expect(d.deadline()).toBeUndefined();
  });

  it('ignores chatter shorter than debounceMs', () => {
    const d = new Debouncer(0, 50, 0);
    for (let t = 100; t < 300; t += 20) d.feed(t % 40 === 0 ? 1 : 0, t);
    d.feed(0, 300);
    expect(d.settle(1000)).toBeUndefined();
    expect(d.stable).toBe(0);
  });

  it('restarts the wait when the level bounces back and forth', () => {
    const d = new Debouncer(0, 50, 0);
    d.feed(1, 0);
    d.feed(0, 30);
    d.feed(1, 40);
    expect(d.settle(80)).toBeUndefined();
    expect(d.settle(90)).toBe(1);
  });

  it('with 0 ms passes every change at once', () => {
    const d = new Debouncer(1, 0, 0);
    expect(d.feed(0, 5)).toBe(0);
    expect(d.feed(1, 6)).toBe(1);
  });

  it('a feed after the deadline settles the old level first, then starts the new one', () => {
    const d = new Debouncer(0, 50, 0);
    d.feed(1, 0);
    expect(d.feed(0, 60)).toBe(1);
    expect(d.stable).toBe(1);
    expect(d.settle(110)).toBe(0);
  });
});

describe('RunHours', () => {
  it('counts only while running and continues from the restored value', () => {
    const h = new RunHours(100);
    h.update(true, 0);
    expect(h.hours(1_800_000)).toBeCloseTo(100.5);
    h.update(false, 3_600_000);
    expect(h.hours(10_000_000)).toBeCloseTo(101);
    h.update(true, 10_000_000);
    expect(h.hours(10_000_000 + 360_000)).toBeCloseTo(101.1);
  });

  it('a clock that jumps backwards adds nothing; a bad restored value starts at 0', () => {
    const h = new RunHours(Number.NaN);
    h.update(true, 5_000_000);
    expect(h.hours(1_000_000)).toBe(0);
    h.update(false, 1_000_000);
    expect(h.hours(9_000_000)).toBe(0);
    expect(new RunHours(-3).hours(0)).toBe(0);
  });
});
