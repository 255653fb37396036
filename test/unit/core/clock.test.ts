import { describe, expect, it } from 'vitest';
import { ManualClock } from '../../../src/core/clock.js';

describe('ManualClock', () => {
  it('fires timers in due order, ties in registration order, only when advanced', () => {
    const c = new ManualClock(0);
    const seen: string[] = [];
    c.every(1000, () => seen.push(`a${c.now()}`));
    c.every(500, () => seen.push(`b${c.now()}`));
    const cancel = c.after(1000, () => seen.push(`once${c.now()}`));
    c.after(1500, () => seen.push(`x${c.now()}`));
    expect(seen).toEqual([]);
    c.advance(2000);
    expect(seen).toEqual(['b500', 'a1000', 'b1000', 'once1000', 'b1500', 'x1500', 'a2000', 'b2000']);
    cancel();
    expect(c.now()).toBe(2000);
  });

  it('stops a cancelled interval', () => {
    const c = new ManualClock(0);
    let n = 0;
    const cancel = c.every(10, () => n++);
    c.advance(35);
    cancel();
    c.advance(100);
    expect(n).toBe(3);
  });
});
