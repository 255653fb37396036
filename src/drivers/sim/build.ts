import type { KioskConfig } from '../../config/schema.js';
import type { Clock } from '../../core/clock.js';
import type { Driver } from '../interfaces.js';
import { SeededRandom } from './random.js';
import { scenario } from './scenarios.js';
import {
  SimDoorDriver,
  SimSampler,
  SimWorldDriver,
  sampleBattery,
  sampleGenerator,
  sampleInternet,
  sampleMains,
  sampleTemperature,
} from './sim-drivers.js';
import { SimWorld } from './world.js';

/** The simulated devices of one point, all stepping one seeded world on the service clock. */
export function buildSimDrivers(config: KioskConfig, clock: Clock): Driver[] {
  const { scenario: name, seed, startSec } = config.simulation;
  // The world draws from its own stream; the drivers' sensor noise from this one, so sampling more or
  // less often never changes the physics (and a restart at startSec replays the same world).
  const rng = SeededRandom.stream(seed, 'sensors');
  const world = new SimWorld(scenario(name), seed, config.point.capacity, startSec);
  const ctx = { world, clock, rng };
  const hw = config.hardware;
  const drivers: Driver[] = [new SimWorldDriver(world, clock)];
  if (hw.battery.driver === 'sim') drivers.push(new SimSampler('sim.battery', ctx, 5000, sampleBattery));
  if (hw.mains.driver === 'sim') drivers.push(new SimSampler('sim.mains', ctx, 1000, sampleMains, 30_000));
  if (hw.generator.driver === 'sim')
    drivers.push(new SimSampler('sim.generator', ctx, 10_000, sampleGenerator));
  if (hw.temperature.driver === 'sim') {
    drivers.push(new SimSampler('sim.temperature', ctx, 30_000, sampleTemperature));
  }
  if (hw.door.driver === 'sim') drivers.push(new SimDoorDriver(ctx));
  if (hw.internet.driver === 'sim')
    drivers.push(new SimSampler('sim.internet', ctx, 1000, sampleInternet, 30_000));
  return drivers;
}
