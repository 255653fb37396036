import { describe, expect, it } from 'vitest';
import { ManualClock } from '../../../src/core/clock.js';
import { LivenessWatchdog, watchdogIntervalMs } from '../../../src/system/watchdog.js';

describe('watchdogIntervalMs', () => {
  it('reads WATCHDOG_USEC when it is meant for this process', () => {
    expect(watchdogIntervalMs({ WATCHDOG_USEC: '30000000' }, 42)).toBe(30_000);
    expect(watchdogIntervalMs({ WATCHDOG_USEC: '30000000', WATCHDOG_PID: '42' }, 42)).toBe(30_000);
    expect(watchdogIntervalMs({ WATCHDOG_USEC: '30000000', WATCHDOG_PID: '7' }, 42)).toBeUndefined();
    expect(watchdogIntervalMs({}, 42)).toBeUndefined();
    expect(watchdogIntervalMs({ WATCHDOG_USEC: 'soon' }, 42)).toBeUndefined();
    expect(watchdogIntervalMs({ WATCHDOG_USEC: '0' }, 42)).toBeUndefined();
  });
});

describe('LivenessWatchdog', () => {
  function setup() {
    const clock = new ManualClock(0);
    const pings: number[] = [];
    const changes: Array<[boolean, number]> = [];
    const wd = new LivenessWatchdog({
      intervalMs: 10_000,
      now: () => clock.now(),
      every: (ms, fn) => clock.every(ms, fn),
      ping: () => pings.push(clock.now()),
      onChange: (healthy, silent) => changes.push([healthy, silent]),
    });
    return { clock, pings, changes, wd };
  }

  it('pings every half interval while the loop beats', () => {
    const { clock, pings, wd } = setup();
    wd.beat();
    wd.start();
    const beating = clock.every(1000, () => wd.beat());
    clock.advance(20_000);
    beating();
    expect(pings).toEqual([0, 5000, 10_000, 15_000, 20_000]);
  });

  it('stops pinging when the loop goes silent and resumes when it beats again', () => {
    const { clock, pings, changes, wd } = setup();
    wd.beat();
    wd.start();
    let cancel = clock.every(1000, () => wd.beat());
    clock.advance(5000);
    cancel(); // the main loop hangs at t=5 s
    clock.advance(20_000);
    expect(pings).toEqual([0, 5000, 10_000]);
    expect(wd.healthy()).toBe(false);
    expect(changes).toEqual([[false, 10_000]]);
    cancel = clock.every(1000, () => wd.beat());
    clock.advance(5000);
    cancel();
    expect(pings).toEqual([0, 5000, 10_000, 30_000]);
    expect(changes.at(-1)?.[0]).toBe(true);
  });

  it('does not ping before the first beat, nor after stop()', () => {
    const { clock, pings, wd } = setup();
    wd.start();
    clock.advance(6000);
    expect(pings).toEqual([]);
    wd.beat();
    clock.advance(4000);
    expect(pings).toEqual([10_000]);
    wd.stop();
    wd.beat();
    clock.advance(20_000);
    expect(pings).toEqual([10_000]);
  });
});
