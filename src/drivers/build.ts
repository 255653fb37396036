import type { KioskConfig } from '../config/schema.js';
import type { Clock } from '../core/clock.js';
import type { Logger } from '../core/logger.js';
import type { Driver } from './interfaces.js';
import { buildSimDrivers } from './sim/build.js';

export interface DriverContext {
  config: KioskConfig;
  clock: Clock;
  logger: Logger;
}

/**
 * The drivers a config asks for. Simulated devices share one seeded world; each real device family adds
 * its own drivers here (one line per family, built by a function in the family's folder).
 */
export function buildDrivers(ctx: DriverContext): Driver[] {
  const drivers: Driver[] = [...buildSimDrivers(ctx.config, ctx.clock)];
  // real device families are appended below, each from its own folder
  return drivers;
}
