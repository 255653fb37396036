import { describe, expect, it } from 'vitest';
import { POINT_STATES, type PointStateName } from '../../../src/point/types.js';
import { BATTERY, GRID, hold, MIN, modelConfig, SEC, type Step, step, T0 } from './helpers.js';

const cfg = modelConfig();
const DWELL = cfg.rules.minDwellSec * SEC;

/** Inputs that, held, give each state. */
const GIVES: Record<PointStateName, Step> = {
  OPEN: { v: GRID, occupancy: 10 },
  OPEN_LIMITED: { v: BATTERY, occupancy: 10 },
  FULL: { v: GRID, occupancy: 40 },
  STANDBY: { v: GRID, occupancy: 10, mode: 'standby' },
  CLOSED: { v: GRID, occupancy: 10, mode: 'closed' },
};

/** How long the `from` state must have been shown before `to` may follow. */
function dwellFor(from: PointStateName, to: PointStateName): number {
  if ((GIVES[from].mode ?? 'auto') !== (GIVES[to].mode ?? 'auto')) return 0; // a person decided
  if (to === 'FULL') return 0; // never keep inviting people into a full room
  return DWELL;
}

const pairs = POINT_STATES.flatMap((from) =>
  POINT_STATES.filter((to) => to !== from).map((to) => ({ from, to, dwell: dwellFor(from, to) })),
);

describe('every state transition, with its dwell', () => {
  it.each(pairs)('$from → $to after $dwell ms', ({ from, to, dwell }) => {
    const start = step(undefined, T0, GIVES[from], cfg).state;
    expect(start.state).toBe(from);
    if (dwell > 0) {
      const early = step(start, T0 + dwell - SEC, GIVES[to], cfg);
      expect(early.state.state).toBe(from);
      expect(early.events.filter((e) => e.type === 'state.changed')).toEqual([]);
    }
    const onTime = step(start, T0 + dwell, GIVES[to], cfg);
    expect(onTime.state).toMatchObject({ state: to, since: T0 + dwell });
    expect(onTime.events.find((e) => e.type === 'state.changed')).toMatchObject({
      data: { from, to },
    });
  });
});

describe('the schedule and the operator', () => {
  const open = step(undefined, T0, GIVES.OPEN, cfg).state;

  it.each([
    ['closed', 'CLOSED'],
    ['standby', 'STANDBY'],
  ] as const)('in auto the schedule %s gives %s at once', (scheduled, expected) => {
    expect(step(open, T0 + SEC, { ...GIVES.OPEN, scheduled }, cfg).state.state).toBe(expected);
  });

  it('an operator override wins over the schedule until auto, then the schedule decides again', () => {
    const closedBySchedule = step(open, T0 + SEC, { scheduled: 'closed' }, cfg).state;
    expect(closedBySchedule.state).toBe('CLOSED');
    const opened = step(closedBySchedule, T0 + 2 * SEC, { scheduled: 'closed', mode: 'open' }, cfg);
    expect(opened.state).toMatchObject({ state: 'OPEN', mode: 'open' });
    expect(opened.events[0]).toMatchObject({
      data: { from: 'CLOSED', to: 'OPEN', mode: 'open', scheduled: 'closed' },
    });
    // the schedule opens and closes while the override holds: nothing changes
    const still = step(opened.state, T0 + 3 * SEC, { scheduled: 'standby', mode: 'open' }, cfg).state;
    expect(still.state).toBe('OPEN');
    const back = step(still, T0 + 4 * SEC, { scheduled: 'standby', mode: 'auto' }, cfg).state;
    expect(back.state).toBe('STANDBY');
  });

  it('the operator opening a full point shows FULL, and closing it shows CLOSED whatever the rules say', () => {
    expect(step(open, T0 + SEC, { occupancy: 60, mode: 'open' }, cfg).state.state).toBe('FULL');
    expect(step(open, T0 + SEC, { v: BATTERY, occupancy: 60, mode: 'closed' }, cfg).state.state).toBe(
      'CLOSED',
    );
  });

  it('a rule change still waits for the dwell after an operator change', () => {
    const closed = step(open, T0 + SEC, { mode: 'closed' }, cfg).state;
    const byOperator = step(closed, T0 + MIN, { mode: 'open' }, cfg).state;
    expect(byOperator).toMatchObject({ state: 'OPEN', since: T0 + MIN });
    expect(step(byOperator, T0 + MIN + SEC, { mode: 'open', v: BATTERY }, cfg).state.state).toBe('OPEN');
    expect(step(byOperator, T0 + MIN + DWELL, { mode: 'open', v: BATTERY }, cfg).state.state).toBe(
      'OPEN_LIMITED',
    );
  });
});

describe('FULL dwell', () => {
  it('with fullDwellSec the room must stay full that long before the sign says FULL', () => {
    const c = modelConfig({ rules: { fullDwellSec: 20 } });
    let s = step(undefined, T0, GIVES.OPEN, c).state;
    s = step(s, T0 + MIN, { occupancy: 40 }, c).state;
    expect(s.state).toBe('OPEN');
    // one person leaves for a moment: the wait starts over
    s = step(s, T0 + MIN + 10 * SEC, { occupancy: 39 }, c).state;
    s = step(s, T0 + MIN + 15 * SEC, { occupancy: 40 }, c).state;
    s = step(s, T0 + MIN + 30 * SEC, { occupancy: 40 }, c).state;
    expect(s.state).toBe('OPEN');
    s = step(s, T0 + MIN + 35 * SEC, { occupancy: 40 }, c).state;
    expect(s.state).toBe('FULL');
  });
});

describe('limit reasons and services', () => {
  it.each([
    ['battery only', { v: BATTERY }, ['battery-only'], { charging: true }],
    [
      'no power',
      { v: { 'mains.present': 0, 'generator.running': 0, 'battery.soc': 0 } },
      ['no-power', 'battery-low'],
      { charging: false },
    ],
    ['water switch off', { v: { ...GRID, 'service.water': 0 } }, ['no-water'], { water: false }],
    ['heater failed in a warm room', { v: { ...GRID, 'service.heat': 0 } }, ['no-heat'], { heat: false }],
    ['cold', { v: { ...GRID, 'temperature.indoor': 16 } }, ['cold'], { heat: false }],
    [
      'low battery on battery',
      { v: { ...BATTERY, 'battery.soc': 15 } },
      ['battery-only', 'battery-low'],
      { charging: false },
    ],
  ] as const)('%s', (_name, s, reasons, services) => {
    const st = step(undefined, T0, s as Step, cfg).state;
    expect(st.reasons).toEqual(reasons);
    expect(st.services).toMatchObject(services);
    expect(st.state).toBe('OPEN_LIMITED');
  });

  it('internet counts as down only after the probe said so for internetDownAfterSec, and up at once', () => {
    const c = modelConfig({ point: { services: ['internet'] } });
    const DOWN = { ...GRID, 'internet.up': 0 };
    let s = step(undefined, T0, { v: { ...GRID, 'internet.up': 1 } }, c).state;
    s = step(s, T0 + SEC, { v: DOWN }, c).state;
    expect(s.services.internet).toBe(true); // one failed round is not an outage
    s = step(s, T0 + c.rules.internetDownAfterSec * SEC, { v: DOWN }, c).state;
    expect(s.services.internet).toBe(true);
    s = step(s, T0 + SEC + c.rules.internetDownAfterSec * SEC, { v: DOWN }, c).state;
    expect(s.services.internet).toBe(false);
    expect(s.reasons).toEqual(['no-internet']);
    s = step(s, T0 + 10 * MIN, { v: { ...GRID, 'internet.up': 1 } }, c).state;
    expect(s.services.internet).toBe(true);
    expect(s.reasons).toEqual([]);
  });

  it('never judges the internet from anything but the probe (no reading claims nothing)', () => {
    const c = modelConfig({ point: { services: ['internet'] } });
    const s = hold(undefined, T0, T0 + 2 * c.rules.internetDownAfterSec * SEC, { v: GRID }, c, 10 * SEC);
    expect(s.state.services.internet).toBe(true);
    expect(s.state.state).toBe('OPEN');
  });

  it('battery low clears only at batteryOkPercent (hysteresis)', () => {
    let s = step(undefined, T0, { v: { ...BATTERY, 'battery.soc': 19 } }, cfg).state;
    expect(s.reasons).toContain('battery-low');
    s = step(s, T0 + MIN, { v: { ...BATTERY, 'battery.soc': 24 } }, cfg).state;
    expect(s.reasons).toContain('battery-low');
    s = step(s, T0 + 2 * MIN, { v: { ...BATTERY, 'battery.soc': 25 } }, cfg).state;
    expect(s.reasons).toEqual(['battery-only']);
  });
});
