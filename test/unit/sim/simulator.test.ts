import { describe, expect, it } from 'vitest';
import { buildConfigSchema } from '../../../src/config/schema.js';
import { ManualClock } from '../../../src/core/clock.js';
import type { DriverSink } from '../../../src/drivers/interfaces.js';
import { buildSimDrivers } from '../../../src/drivers/sim/build.js';

type Trace = Array<[number, string, number | null]>;

async function play(scenario: 'normal' | 'blackout' | 'crowd', seed: number, hours: number): Promise<Trace> {
  const config = buildConfigSchema().parse({
    point: { id: 'p', capacity: 40 },
    simulation: { scenario, seed },
  });
  const clock = new ManualClock(Date.parse('2026-12-01T00:00:00Z'));
  const trace: Trace = [];
  let people = 0;
  const sink: DriverSink = {
    reading: (channel, value) => trace.push([clock.now(), channel, value]),
    passage: (d) => {
      people += d === 'in' ? 1 : -1;
      trace.push([clock.now(), 'people', people]);
    },
    health: () => undefined,
  };
  for (const d of buildSimDrivers(config, clock)) await d.start(sink);
  clock.advance(hours * 3_600_000);
  return trace;
}

const series = (t: Trace, channel: string) =>
  t.filter(([, c]) => c === channel).map(([ts, , v]) => [ts, v] as const);

describe('simulator', () => {
  it('is deterministic for a seed and differs between seeds', async () => {
    const a = await play('crowd', 7, 2);
    const b = await play('crowd', 7, 2);
    const c = await play('crowd', 8, 2);
    expect(a).toEqual(b);
    expect(a).not.toEqual(c);
  });

  it('plays a blackout: grid fails, battery drains, generator starts, fuel falls, grid returns', async () => {
    const t = await play('blackout', 1, 5);
    const mains = series(t, 'mains.present');
    expect(mains.some(([, v]) => v === 0)).toBe(true);
    expect(mains.at(-1)?.[1]).toBe(1);
    const soc = series(t, 'battery.soc').map(([, v]) => v ?? 0);
    expect(Math.min(...soc)).toBeLessThan(55);
    const gen = series(t, 'generator.running');
    expect(gen.some(([, v]) => v === 1)).toBe(true);
    expect(gen.at(-1)?.[1]).toBe(0);
    const fuel = series(t, 'generator.fuelLevel').map(([, v]) => v ?? 0);
    expect(fuel.at(-1)).toBeLessThan((fuel[0] ?? 0) - 10);
    const indoor = series(t, 'temperature.indoor').map(([, v]) => v ?? 0);
    expect(Math.min(...indoor)).toBeLessThan(18);
  });

  it('plays a crowd past capacity that then leaves', async () => {
    const people = series(await play('crowd', 3, 3), 'people').map(([, v]) => v ?? 0);
    const peak = Math.max(...people);
    expect(peak).toBeGreaterThan(40);
    expect(people.at(-1)).toBeLessThan(peak / 2);
  });

  it('reports null time-to-go while charging, minutes while discharging', async () => {
    const ttg = series(await play('blackout', 1, 1), 'battery.timeToGo');
    expect(ttg[0]?.[1]).toBeNull();
    expect(ttg.some(([, v]) => typeof v === 'number' && v > 0)).toBe(true);
  });
});
