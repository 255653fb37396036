import { describe, expect, it } from 'vitest';
import { buildConfigSchema } from '../../../src/config/schema.js';
import { evaluatePoint, type ModelConfig, powerSource } from '../../../src/point/model.js';
import type { ChannelValue, Mode, PointState } from '../../../src/point/types.js';

const base = buildConfigSchema().parse({ point: { id: 'p', capacity: 40 } });
const cfg: ModelConfig = {
  capacity: 40,
  servesElderly: false,
  services: ['heat', 'charging', 'water'],
  rules: base.rules,
  alarms: base.alarms,
};

const T0 = Date.parse('2026-12-01T08:00:00Z');

function values(now: number, v: Record<string, number | null>): Map<string, ChannelValue> {
  return new Map(Object.entries(v).map(([k, value]) => [k, { value, ts: now }]));
}

const grid = { 'mains.present': 1, 'generator.running': 0, 'battery.soc': 95, 'temperature.indoor': 21 };

function step(
  prev: PointState | undefined,
  now: number,
  v: Record<string, number | null>,
  occupancy = 10,
  mode: Mode = 'auto',
  c: ModelConfig = cfg,
) {
  return evaluatePoint(prev, { now, latest: values(now, v), mode, occupancy }, c);
}

describe('point model', () => {
  it('is OPEN on grid power with a warm room and room to spare', () => {
    const { state, events } = step(undefined, T0, grid);
    expect(state).toMatchObject({ state: 'OPEN', power: 'grid', reasons: [], full: false, cold: false });
    expect(state.services).toEqual({ heat: true, charging: true, water: true });
    expect(events).toEqual([
      expect.objectContaining({
        type: 'state.changed',
        data: expect.objectContaining({ from: null, to: 'OPEN' }),
      }),
    ]);
  });

  it('is OPEN_LIMITED on battery only, and OPEN again on the generator', () => {
    const open = step(undefined, T0, grid).state;
    const onBattery = step(open, T0 + 60_000, { ...grid, 'mains.present': 0 });
    expect(onBattery.state).toMatchObject({
      state: 'OPEN_LIMITED',
      power: 'battery',
      reasons: ['battery-only'],
    });
    expect(onBattery.events.map((e) => e.type)).toEqual(['state.changed', 'power.changed']);
    const onGen = step(onBattery.state, T0 + 120_000, {
      ...grid,
      'mains.present': 0,
      'generator.running': 1,
    });
    expect(onGen.state).toMatchObject({ state: 'OPEN', power: 'generator' });
  });

  it('marks the battery low and no power', () => {
    const low = step(undefined, T0, { ...grid, 'mains.present': 0, 'battery.soc': 10 }).state;
    expect(low.reasons).toEqual(['battery-only', 'battery-low']);
    const none = step(undefined, T0, { 'mains.present': 0, 'generator.running': 0, 'battery.soc': 0 }).state;
    expect(none).toMatchObject({
      power: 'none',
      state: 'OPEN_LIMITED',
      reasons: ['no-power', 'battery-low'],
    });
    expect(none.services.charging).toBe(false);
  });

  it('goes FULL at capacity at once, and back to OPEN only below 90 %', () => {
    const open = step(undefined, T0, grid, 39).state;
    const full = step(open, T0 + 1000, grid, 40).state;
    expect(full.state).toBe('FULL');
    // 37/40 = 92.5 %: still FULL (hysteresis)
    const still = step(full, T0 + 120_000, grid, 37).state;
    expect(still.state).toBe('FULL');
    const back = step(still, T0 + 180_000, grid, 35).state;
    expect(back.state).toBe('OPEN');
  });

  it('holds a state for the minimum dwell time before a rule may change it', () => {
    const open = step(undefined, T0, grid).state;
    // a change 1 s after start waits for the dwell time
    expect(step(open, T0 + 1000, { ...grid, 'mains.present': 0 }).state.state).toBe('OPEN');
    const limited = step(open, T0 + 60_000, { ...grid, 'mains.present': 0 }).state;
    expect(limited.state).toBe('OPEN_LIMITED');
    // mains flickers back 5 s later: the sign must not flicker with it
    const flicker = step(limited, T0 + 65_000, grid).state;
    expect(flicker.state).toBe('OPEN_LIMITED');
    expect(flicker.since).toBe(T0 + 60_000);
    const settled = step(flicker, T0 + 60_000 + cfg.rules.minDwellSec * 1000, grid).state;
    expect(settled.state).toBe('OPEN');
  });

  it('gets cold below 18 °C and warm again only above 18.5 °C', () => {
    let s = step(undefined, T0, grid).state;
    s = step(s, T0 + 60_000, { ...grid, 'temperature.indoor': 17.9 }).state;
    expect(s).toMatchObject({ state: 'OPEN_LIMITED', cold: true, reasons: ['cold'] });
    expect(s.services.heat).toBe(false);
    s = step(s, T0 + 120_000, { ...grid, 'temperature.indoor': 18.3 }).state;
    expect(s.cold).toBe(true);
    s = step(s, T0 + 180_000, { ...grid, 'temperature.indoor': 18.6 }).state;
    expect(s).toMatchObject({ state: 'OPEN', cold: false });
  });

  it('uses the 20 °C floor for points serving the elderly', () => {
    const elderly = { ...cfg, servesElderly: true };
    expect(step(undefined, T0, { ...grid, 'temperature.indoor': 19.5 }, 10, 'auto', elderly).state.cold).toBe(
      true,
    );
    expect(step(undefined, T0, { ...grid, 'temperature.indoor': 19.5 }).state.cold).toBe(false);
  });

  it('obeys the operator at once, whatever the rules say', () => {
    const open = step(undefined, T0, grid).state;
    const closed = step(open, T0 + 1000, grid, 10, 'closed');
    expect(closed.state.state).toBe('CLOSED');
    expect(closed.events[0]).toMatchObject({
      type: 'state.changed',
      data: { from: 'OPEN', to: 'CLOSED', mode: 'closed' },
    });
    expect(step(closed.state, T0 + 2000, grid, 10, 'standby').state.state).toBe('STANDBY');
    expect(step(closed.state, T0 + 2000, grid, 50, 'open').state.state).toBe('FULL');
  });

  it('ignores stale readings instead of trusting an old value', () => {
    const old = new Map<string, ChannelValue>([
      ['mains.present', { value: 1, ts: T0 }],
      ['battery.soc', { value: 80, ts: T0 + 500_000 }],
    ]);
    const s = evaluatePoint(
      undefined,
      { now: T0 + 500_000, latest: old, mode: 'auto', occupancy: 0 },
      cfg,
    ).state;
    expect(s.power).toBe('battery');
  });

  it('derives the power source from what is known', () => {
    expect(powerSource(new Map())).toBe('unknown');
    expect(
      powerSource(
        new Map([
          ['mains.present', 0],
          ['generator.running', 0],
        ]),
      ),
    ).toBe('none');
    expect(powerSource(new Map([['battery.voltage', 12.4]]))).toBe('battery');
  });
});
