import { describe, expect, it } from 'vitest';
import type { AlarmName } from '../../../src/point/alarms/catalog.js';
import { ALARMS } from '../../../src/point/alarms/catalog.js';
import { acknowledgeAlarm } from '../../../src/point/alarms/engine.js';
import type { ModelConfig } from '../../../src/point/model.js';
import type { PointState } from '../../../src/point/types.js';
import { BATTERY, GRID, HOUR, hold, MIN, modelConfig, SEC, type Step, step, T0 } from './helpers.js';

const cfg = modelConfig();
const RAISE = cfg.alarms.raiseAfterSec * SEC;
const CLEAR = cfg.alarms.clearAfterSec * SEC;

interface Row {
  alarm: AlarmName;
  cfg?: ModelConfig;
  /** Inputs well clear of the threshold, past it, and inside the hysteresis band. */
  ok: Step;
  bad: Step;
  band: Step;
  raiseAfter: number;
  clearAfter: number;
}

const GEN: Step['v'] = { ...GRID, 'mains.present': 0, 'generator.running': 1, 'generator.load': 50 };
const elderly = modelConfig({ point: { servesElderly: true } });

const ROWS: Row[] = [
  {
    alarm: 'battery.low',
    ok: { v: { ...BATTERY, 'battery.soc': 60 } },
    bad: { v: { ...BATTERY, 'battery.soc': 15 } },
    band: { v: { ...BATTERY, 'battery.soc': 22 } },
    raiseAfter: RAISE,
    clearAfter: CLEAR,
  },
  {
    alarm: 'battery.low',
    // by hours left at the present draw: 100 Ah × 60 % / 40 A = 1.5 h < 2 h
    ok: { v: { ...BATTERY, 'battery.soc': 60, 'battery.current': -10 } },
    bad: { v: { ...BATTERY, 'battery.soc': 60, 'battery.current': -40 } },
    band: { v: { ...BATTERY, 'battery.soc': 60, 'battery.current': -24 } },
    raiseAfter: RAISE,
    clearAfter: CLEAR,
  },
  {
    alarm: 'generator.overload',
    ok: { v: { ...GEN, 'generator.load': 50 } },
    bad: { v: { ...GEN, 'generator.load': 71 } },
    band: { v: { ...GEN, 'generator.load': 68 } },
    raiseAfter: RAISE,
    clearAfter: CLEAR,
  },
  {
    alarm: 'cold',
    ok: { v: { ...GRID, 'temperature.indoor': 21 } },
    bad: { v: { ...GRID, 'temperature.indoor': 17.5 } },
    band: { v: { ...GRID, 'temperature.indoor': 18.2 } },
    raiseAfter: RAISE,
    clearAfter: CLEAR,
  },
  {
    alarm: 'cold',
    cfg: elderly,
    ok: { v: { ...GRID, 'temperature.indoor': 21 } },
    bad: { v: { ...GRID, 'temperature.indoor': 19.5 } },
    band: { v: { ...GRID, 'temperature.indoor': 20.2 } },
    raiseAfter: RAISE,
    clearAfter: CLEAR,
  },
  {
    alarm: 'occupancy.nearFull',
    ok: { occupancy: 20 },
    bad: { occupancy: 36 },
    band: { occupancy: 35 },
    raiseAfter: RAISE,
    clearAfter: CLEAR,
  },
  {
    alarm: 'occupancy.full',
    ok: { occupancy: 20 },
    bad: { occupancy: 40 },
    band: { occupancy: 37 },
    raiseAfter: 0,
    clearAfter: CLEAR,
  },
  {
    alarm: 'sensor.fault',
    ok: { health: new Map([['battery', 'ok']]) },
    bad: { health: new Map([['battery', 'fault']]) },
    band: { health: new Map([['battery', 'fault']]) },
    raiseAfter: RAISE,
    clearAfter: CLEAR,
  },
  {
    alarm: 'door.blocked',
    ok: { v: { ...GRID, 'door.beamBlocked': 0 } },
    bad: { v: { ...GRID, 'door.beamBlocked': 1 } },
    band: { v: GRID }, // no reading: unknown, the alarm holds
    raiseAfter: cfg.alarms.doorBlockedSec * SEC,
    clearAfter: CLEAR,
  },
  {
    alarm: 'tamper',
    ok: { v: { ...GRID, 'tamper.open': 0 } },
    bad: { v: { ...GRID, 'tamper.open': 1 } },
    band: { v: GRID },
    raiseAfter: 0,
    clearAfter: CLEAR,
  },
  {
    alarm: 'inverter.off',
    ok: { v: { ...GRID, 'inverter.state': 9 } },
    bad: { v: { ...GRID, 'inverter.state': 2 } },
    band: { v: GRID }, // no inverter reading: unknown, the alarm holds
    raiseAfter: RAISE,
    clearAfter: CLEAR,
  },
];

const active = (s: PointState) => s.alarms.map((a) => a.alarm);
const ofType = (
  events: Array<{ type: string; data?: Record<string, unknown> }>,
  type: string,
  alarm: string,
) => events.filter((e) => e.type === type && e.data?.alarm === alarm);

describe('every alarm raises and clears with hysteresis and dwell', () => {
  it.each(ROWS.map((r, i) => ({ ...r, name: `${r.alarm} #${i}` })))('$name', (row) => {
    const c = row.cfg ?? cfg;
    const quiet = hold(undefined, T0, T0 + 5 * MIN, row.ok, c, 10 * SEC).state;
    expect(active(quiet)).not.toContain(row.alarm);

    // noise: past the threshold for less than the dwell, then back in the band, raises nothing
    let t = T0 + 10 * MIN;
    if (row.raiseAfter > 0) {
      const blip = hold(quiet, t, t + row.raiseAfter - 2 * SEC, row.bad, c);
      const after = hold(blip.state, t + row.raiseAfter, t + 2 * row.raiseAfter, row.ok, c);
      expect(ofType([...blip.events, ...after.events], 'alarm.raised', row.alarm)).toEqual([]);
      t += 3 * row.raiseAfter;
    }
    // held past the threshold: raised once, exactly when the dwell is over
    const raised = hold(quiet, t, t + row.raiseAfter, row.bad, c);
    const ev = ofType(raised.events, 'alarm.raised', row.alarm);
    expect(ev).toHaveLength(1);
    expect(ev[0]).toMatchObject({ ts: t + row.raiseAfter, level: ALARMS[row.alarm].severity });
    expect(active(raised.state)).toContain(row.alarm);

    // in the hysteresis band for a long time: stays raised, no more events
    t += row.raiseAfter + MIN;
    const banded = hold(raised.state, t, t + 10 * MIN, row.band, c, 10 * SEC);
    expect(active(banded.state)).toContain(row.alarm);
    expect(banded.events.filter((e) => e.data?.alarm === row.alarm)).toEqual([]);

    // back clear: cleared once, only after the clear dwell
    t += 11 * MIN;
    const early = hold(banded.state, t, t + row.clearAfter - SEC, row.ok, c);
    expect(active(early.state)).toContain(row.alarm);
    const cleared = step(early.state, t + row.clearAfter, row.ok, c);
    expect(ofType(cleared.events, 'alarm.cleared', row.alarm)).toHaveLength(1);
    expect(active(cleared.state)).not.toContain(row.alarm);
  });
});

describe('fuel alarms', () => {
  const running = (fuel: number, outdoor = 5): Step => ({
    v: {
      ...GRID,
      'mains.present': 0,
      'generator.running': 1,
      'generator.load': 50,
      'generator.fuelLevel': fuel,
      'temperature.outdoor': outdoor,
    },
  });
  // 10 % of the tank an hour
  const burning =
    (start: number, level0: number, perHour = 10) =>
    (now: number) =>
      running(level0 - ((now - start) / HOUR) * perHour);

  it('fuel.low from the measured trend: 70 % at 10 %/h is 7 h, below 8 h', () => {
    const r = hold(undefined, T0, T0 + 40 * MIN, burning(T0, 76.7), cfg, 10 * SEC);
    expect(r.state.estimates.fuel).toMatchObject({ basis: 'trend' });
    expect(r.state.estimates.fuel.percentPerHour).toBeCloseTo(10, 1);
    expect(r.state.estimates.fuel.hoursLeft).toBeCloseTo(7, 1);
    expect(ofType(r.events, 'alarm.raised', 'fuel.low')).toHaveLength(1);
  });

  it('no fuel.low while the tank holds over 10 h; frost setting in adds its surcharge', () => {
    const warm = hold(undefined, T0, T0 + 40 * MIN, burning(T0, 100), cfg, 10 * SEC).state;
    expect(warm.alarms).toEqual([]);
    expect(warm.estimates.fuel.hoursLeft).toBeCloseTo(9.33, 1);
    const frost = step(warm, T0 + 40 * MIN + SEC, running(93.3, -6), cfg).state;
    expect(frost.estimates.fuel.percentPerHour).toBeCloseTo(11, 1);
  });

  it('before a trend exists, the datasheet rate gives the hours', () => {
    const c = modelConfig({ rules: { fuelTankLitres: 20, fuelFullLoadLitresPerHour: 2 } });
    const s = step(undefined, T0, running(50), c).state;
    // 2 l/h × (0.3 + 0.7 × 0.5) = 1.3 l/h of 20 l = 6.5 %/h; 50 % lasts 7.7 h
    expect(s.estimates.fuel).toMatchObject({ basis: 'nominal', litres: 10 });
    expect(s.estimates.fuel.hoursLeft).toBeCloseTo(7.69, 1);
  });

  it('a refill starts the trend over and clears fuel.low after its dwell', () => {
    const low = hold(undefined, T0, T0 + 40 * MIN, burning(T0, 50), cfg, 10 * SEC).state;
    expect(active(low)).toContain('fuel.low');
    const t = T0 + 41 * MIN;
    const refilled = hold(low, t, t + 40 * MIN, burning(t, 100, 5), cfg, 10 * SEC);
    expect(refilled.state.estimates.fuel.hoursLeft).toBeGreaterThan(15);
    expect(ofType(refilled.events, 'alarm.cleared', 'fuel.low')).toHaveLength(1);
  });

  it('fuel.drop: 12 points gone in two minutes with the generator stopped raises at once (critical)', () => {
    const stopped = (fuel: number): Step => ({ v: { ...GRID, 'generator.fuelLevel': fuel } });
    const before = hold(undefined, T0, T0 + 5 * MIN, stopped(80), cfg, 10 * SEC).state;
    const r = hold(
      before,
      T0 + 6 * MIN,
      T0 + 8 * MIN,
      (now) => stopped(now >= T0 + 8 * MIN ? 68 : 80),
      cfg,
      10 * SEC,
    );
    const ev = ofType(r.events, 'alarm.raised', 'fuel.drop');
    expect(ev).toHaveLength(1);
    expect(ev[0]).toMatchObject({ level: 'critical', ts: T0 + 8 * MIN });
    // a slow burn of 3 points in the same window is no theft
    const slow = hold(
      before,
      T0 + 6 * MIN,
      T0 + 16 * MIN,
      (now) => stopped(80 - ((now - T0 - 6 * MIN) / (10 * MIN)) * 3),
      cfg,
      10 * SEC,
    );
    expect(ofType(slow.events, 'alarm.raised', 'fuel.drop')).toEqual([]);
  });
});

describe('generator.rest (DSNS: 30 min off every 5 h)', () => {
  const gen = (on: boolean): Step => ({
    v: { ...GRID, 'mains.present': 0, 'generator.running': on ? 1 : 0 },
  });

  it('raises after 5 h of running, a 20 min stop is no rest, a 30 min stop clears it', () => {
    const r1 = hold(undefined, T0, T0 + 5 * HOUR - MIN, gen(true), cfg, MIN);
    expect(active(r1.state)).not.toContain('generator.rest');
    const r2 = hold(r1.state, T0 + 5 * HOUR, T0 + 5 * HOUR + MIN, gen(true), cfg, MIN);
    expect(ofType(r2.events, 'alarm.raised', 'generator.rest')).toHaveLength(1);
    const short = hold(r2.state, T0 + 5 * HOUR + 2 * MIN, T0 + 5 * HOUR + 22 * MIN, gen(false), cfg, MIN);
    expect(active(short.state)).toContain('generator.rest');
    const rest = hold(short.state, T0 + 5 * HOUR + 23 * MIN, T0 + 5 * HOUR + 35 * MIN, gen(false), cfg, MIN);
    expect(ofType(rest.events, 'alarm.cleared', 'generator.rest')).toHaveLength(1);
    expect(rest.state.estimates.generatorHoursSinceRest).toBe(0);
  });

  it('a gap longer than the stale limit (controller down) is not counted as running', () => {
    const a = step(undefined, T0, gen(true), cfg).state;
    const b = step(a, T0 + 6 * HOUR, gen(true), cfg).state;
    expect(b.estimates.generatorHoursSinceRest).toBe(0);
  });
});

describe('acknowledgement', () => {
  const raised = hold(undefined, T0, T0 + 2 * MIN, { v: { ...GRID, 'tamper.open': 1 } }, cfg).state;

  it('marks a raised alarm with who and when, once, and logs it', () => {
    const r = acknowledgeAlarm(raised.alarms, 'tamper', 'anna via cli', T0 + 3 * MIN);
    if (!r.ok) throw new Error(r.error);
    expect(r.active[0]?.acknowledged).toEqual({ by: 'anna via cli', at: T0 + 3 * MIN });
    expect(r.event).toMatchObject({
      type: 'alarm.acknowledged',
      level: 'alarm',
      data: { alarm: 'tamper', by: 'anna via cli' },
    });
    const again = acknowledgeAlarm(r.active, 'tamper', 'bob', T0 + 4 * MIN);
    expect(again).toMatchObject({
      ok: false,
      error: expect.stringContaining('already acknowledged by anna'),
    });
  });

  it('rejects an alarm that is not raised, naming those that are, and changes nothing', () => {
    const before = structuredClone(raised.alarms);
    expect(acknowledgeAlarm(raised.alarms, 'fuel.low', 'anna', T0)).toEqual({
      ok: false,
      error: 'alarm "fuel.low" is not raised (raised: tamper)',
    });
    expect(raised.alarms).toEqual(before);
  });

  it('the acknowledgement stays while the alarm is raised, and a new raise needs a new one', () => {
    const r = acknowledgeAlarm(raised.alarms, 'tamper', 'anna', T0 + 3 * MIN);
    if (!r.ok) throw new Error(r.error);
    let s: PointState = { ...raised, alarms: r.active };
    s = hold(s, T0 + 4 * MIN, T0 + 5 * MIN, { v: { ...GRID, 'tamper.open': 1 } }, cfg).state;
    expect(s.alarms[0]?.acknowledged?.by).toBe('anna');
    s = hold(s, T0 + 6 * MIN, T0 + 10 * MIN, { v: { ...GRID, 'tamper.open': 0 } }, cfg).state;
    expect(s.alarms).toEqual([]);
    s = step(s, T0 + 11 * MIN, { v: { ...GRID, 'tamper.open': 1 } }, cfg).state;
    expect(s.alarms[0]).toMatchObject({ alarm: 'tamper', acknowledged: null });
  });
});
