import type { Clock } from '../../core/clock.js';
import type { Driver, DriverSink } from '../interfaces.js';
import type { SeededRandom } from './random.js';
import type { SimWorld, WorldState } from './world.js';

/** Steps the simulated world once per simulated second. Registered before the devices that sample it. */
export class SimWorldDriver implements Driver {
  readonly name = 'sim.world';
  private cancel: (() => void) | undefined;

  constructor(
    /** Public so tests can compare the physics the drivers sample with a world stepped on its own. */
    readonly world: SimWorld,
    private readonly clock: Clock,
  ) {}

  async start(): Promise<void> {
    this.cancel ??= this.clock.every(1000, () => this.world.step());
  }

  async stop(): Promise<void> {
    this.cancel?.();
    this.cancel = undefined;
  }
}

type Sample = (s: Readonly<WorldState>, rng: SeededRandom) => Array<[string, number | null]>;

/**
 * A simulated device: samples the world every `intervalMs` of clock time and reports channels. With
 * `heartbeatMs`, it behaves like an edge-triggered input: it reports at once on a change, and repeats
 * an unchanged value only every `heartbeatMs` so the reading never goes stale.
 */
export class SimSampler implements Driver {
  private cancel: (() => void) | undefined;
  private last = '';
  private lastAt = Number.NEGATIVE_INFINITY;

  constructor(
    readonly name: string,
    private readonly ctx: { world: SimWorld; clock: Clock; rng: SeededRandom },
    private readonly intervalMs: number,
    private readonly sample: Sample,
    private readonly heartbeatMs?: number,
  ) {}

  async start(sink: DriverSink): Promise<void> {
    if (this.cancel) return;
    sink.health(this.name, 'ok', 'simulated');
    this.emit(sink);
    this.cancel = this.ctx.clock.every(this.intervalMs, () => this.emit(sink));
  }

  private emit(sink: DriverSink): void {
    const values = this.sample(this.ctx.world.state, this.ctx.rng);
    const now = this.ctx.clock.now();
    if (this.heartbeatMs !== undefined) {
      const key = JSON.stringify(values);
      if (key === this.last && now - this.lastAt < this.heartbeatMs) return;
      this.last = key;
    }
    this.lastAt = now;
    for (const [channel, value] of values) sink.reading(channel, value);
  }

  async stop(): Promise<void> {
    this.cancel?.();
    this.cancel = undefined;
  }
}

/** The simulated door: reports each passage the world produced, in order, once per second. */
export class SimDoorDriver implements Driver {
  readonly name = 'sim.door';
  private cancel: (() => void) | undefined;

  constructor(private readonly ctx: { world: SimWorld; clock: Clock }) {}

  async start(sink: DriverSink): Promise<void> {
    if (this.cancel) return;
    sink.health(this.name, 'ok', 'simulated');
    this.cancel = this.ctx.clock.every(1000, () => {
      for (const p of this.ctx.world.takePassages()) sink.passage(p);
    });
  }

  async stop(): Promise<void> {
    this.cancel?.();
    this.cancel = undefined;
  }
}

const round = (v: number, digits: number): number => Number(v.toFixed(digits));

export const sampleBattery: Sample = (s, rng) => {
  const current = round(s.batteryCurrentA + rng.noise(0.05), 2);
  const voltage = round(s.batteryVoltage + rng.noise(0.005), 3);
  const remainingAh = s.socPercent; // 100 Ah battery: 1 % = 1 Ah
  const timeToGo = current < -0.1 ? Math.round((remainingAh / -current) * 60) : null;
  return [
    ['battery.voltage', voltage],
    ['battery.current', current],
    ['battery.power', Math.round(voltage * current)],
    ['battery.soc', round(s.socPercent, 1)],
    ['battery.timeToGo', timeToGo],
  ];
};

export const sampleMains: Sample = (s) => [['mains.present', s.mains ? 1 : 0]];

/** What the internet probe would find in the simulated world (no random draw: the noise stream is kept). */
export const sampleInternet: Sample = (s) => [['internet.up', s.internetUp ? 1 : 0]];

export const sampleGenerator: Sample = (s) => [
  ['generator.running', s.generatorRunning ? 1 : 0],
  ['generator.fuelLevel', round(s.fuelPercent, 1)],
  ['generator.load', round(s.generatorLoadPercent, 1)],
  ['generator.runHours', round(s.runHours, 2)],
];

export const sampleTemperature: Sample = (s, rng) => [
  ['temperature.indoor', round(s.indoorC + rng.noise(0.05), 2)],
  ['temperature.outdoor', round(s.outdoorC + rng.noise(0.1), 2)],
];
