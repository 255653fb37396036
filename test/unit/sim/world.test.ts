import { describe, expect, it } from 'vitest';
import { buildConfigSchema, SCENARIOS, type ScenarioName } from '../../../src/config/schema.js';
import { ManualClock } from '../../../src/core/clock.js';
import type { DriverSink } from '../../../src/drivers/interfaces.js';
import { buildSimDrivers } from '../../../src/drivers/sim/build.js';
import { SeededRandom, streamSeed } from '../../../src/drivers/sim/random.js';
import { scenario } from '../../../src/drivers/sim/scenarios.js';
import {
  SimDoorDriver,
  SimSampler,
  SimWorldDriver,
  sampleBattery,
  sampleGenerator,
  sampleMains,
  sampleTemperature,
} from '../../../src/drivers/sim/sim-drivers.js';
import { SimWorld, type WorldState } from '../../../src/drivers/sim/world.js';

const HOUR = 3600;
const WEEK = 7 * 24 * HOUR;
const CAPACITY = 40;
/** Around the week's events (first blackout, generator start, the tank running dry), a week, past it. */
const CHECKPOINTS = [0, 1, 59, HOUR, 8 * HOUR + 17, 24 * HOUR, 34 * HOUR + 500, WEEK, WEEK + 2 * HOUR + 3];

const sink = (): DriverSink & { readings: number; passages: number } => {
  const s = {
    readings: 0,
    passages: 0,
    reading: () => {
      s.readings += 1;
    },
    passage: () => {
      s.passages += 1;
    },
    health: () => undefined,
  };
  return s;
};

describe('SimWorld: continuous across restarts', () => {
  it.each(SCENARIOS)('%s: the world at startSec = N is the world stepped N times from 0', (name) => {
    const seed = 11;
    const running = new SimWorld(scenario(name), seed, CAPACITY);
    let at = 0;
    for (const n of CHECKPOINTS) {
      for (; at < n; at++) running.step();
      const resumed = new SimWorld(scenario(name), seed, CAPACITY, n);
      // every field, exactly: an equal float is the same physics, a close one is not
      expect(resumed.state satisfies Readonly<WorldState>).toStrictEqual(running.state);
      expect(resumed.state.elapsedSec).toBe(n);
    }
  });

  it('goes on identically after the replay, and drops the replayed passages (nobody counted them)', () => {
    const s = scenario('week');
    const running = new SimWorld(s, 3, CAPACITY);
    const start = 50 * HOUR; // inside the first crowd: the door is busy
    for (let t = 0; t < start; t++) running.step();
    running.takePassages();
    const resumed = new SimWorld(s, 3, CAPACITY, start);
    expect(resumed.takePassages()).toEqual([]);
    for (let t = 0; t < HOUR; t++) {
      running.step();
      resumed.step();
    }
    const passages = running.takePassages();
    expect(passages.length).toBeGreaterThan(50);
    expect(resumed.takePassages()).toEqual(passages);
    expect(resumed.state).toStrictEqual(running.state);
  });

  it('differs between seeds, and keeps the physics of a week: the tank runs dry in the 26 h blackout', () => {
    const w = new SimWorld(scenario('week'), 7, CAPACITY, 30 * HOUR);
    expect(w.state.fuelPercent).toBeGreaterThan(10); // the first blackout left some
    const later = new SimWorld(scenario('week'), 7, CAPACITY, 56 * HOUR);
    expect(later.state.fuelPercent).toBe(0);
    expect(later.state).not.toStrictEqual(new SimWorld(scenario('week'), 8, CAPACITY, 56 * HOUR).state);
  });

  it('draws from its own stream: streams of one seed are distinct and stable', () => {
    expect(streamSeed(7, 'world')).not.toBe(streamSeed(7, 'sensors'));
    expect(streamSeed(7, 'world')).not.toBe(streamSeed(8, 'world'));
    expect(streamSeed(7, 'world')).toBe(streamSeed(7, 'world'));
    const a = SeededRandom.stream(7, 'world');
    const b = SeededRandom.stream(7, 'sensors');
    expect([a.next(), a.next()]).not.toEqual([b.next(), b.next()]);
  });
});

describe('SimWorld: sampling does not change the physics', () => {
  /** The sim devices of build.ts on one world, sampling at `scale` × their usual intervals. */
  async function sampled(name: ScenarioName, scale: number | null, seconds: number): Promise<WorldState> {
    const clock = new ManualClock(Date.parse('2026-12-01T00:00:00Z'));
    const world = new SimWorld(scenario(name), 5, CAPACITY);
    const ctx = { world, clock, rng: SeededRandom.stream(5, 'sensors') };
    const s = sink();
    await new SimWorldDriver(world, clock).start();
    if (scale !== null) {
      const devices = [
        new SimSampler('sim.battery', ctx, 5000 * scale, sampleBattery),
        new SimSampler('sim.mains', ctx, 1000 * scale, sampleMains, 30_000),
        new SimSampler('sim.generator', ctx, 10_000 * scale, sampleGenerator),
        new SimSampler('sim.temperature', ctx, 30_000 * scale, sampleTemperature),
        new SimDoorDriver(ctx),
      ];
      for (const d of devices) await d.start(s);
    }
    clock.advance(seconds * 1000);
    if (scale !== null) expect(s.readings).toBeGreaterThan(0);
    return { ...world.state };
  }

  it.each(['blackout', 'week'] as const)(
    '%s: the state at N is the same sampled often, rarely or never',
    async (name) => {
      const n = name === 'week' ? 40 * HOUR : 5 * HOUR;
      const never = await sampled(name, null, n);
      expect(await sampled(name, 1, n)).toStrictEqual(never);
      expect(await sampled(name, 0.2, n)).toStrictEqual(never);
      expect(await sampled(name, 7, n)).toStrictEqual(never);
      const alone = new SimWorld(scenario(name), 5, CAPACITY);
      for (let t = 0; t < n; t++) alone.step();
      expect(never).toStrictEqual(alone.state);
    },
  );

  it('buildSimDrivers: a run resumed at startSec samples the world that ran from 0', async () => {
    const startSec = 33 * HOUR;
    const config = buildConfigSchema().parse({
      point: { id: 'p', capacity: CAPACITY },
      simulation: { scenario: 'week', seed: 9, startSec },
    });
    const clock = new ManualClock(Date.parse('2026-12-01T00:00:00Z'));
    const drivers = buildSimDrivers(config, clock);
    const worldDriver = drivers.find((d): d is SimWorldDriver => d instanceof SimWorldDriver);
    if (!worldDriver) throw new Error('no sim.world driver');
    for (const d of drivers) await d.start(sink());
    clock.advance(2 * HOUR * 1000);
    const alone = new SimWorld(scenario('week'), 9, CAPACITY);
    for (let t = 0; t < startSec + 2 * HOUR; t++) alone.step();
    expect(worldDriver.world.state).toStrictEqual(alone.state);
  });
});
