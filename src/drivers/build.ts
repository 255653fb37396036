import type { KioskConfig } from '../config/schema.js';
import type { Clock } from '../core/clock.js';
import type { Logger } from '../core/logger.js';
import { InternetProbe } from '../system/internet-probe.js';
import { buildFirmataDrivers } from './firmata/build.js';
import type { FirmataConnection } from './firmata/connection.js';
import { buildGpioDrivers } from './gpio/build.js';
import type { Driver } from './interfaces.js';
import { buildModbusDrivers } from './modbus/build.js';
import { buildOneWireDrivers } from './onewire/build.js';
import { buildSimDrivers } from './sim/build.js';
import { buildVeDirectDrivers } from './vedirect/build.js';

export interface DriverContext {
  config: KioskConfig;
  clock: Clock;
  logger: Logger;
  /** The board of hardware.firmata, shared with the Firmata sign (built once in compose). */
  firmata?: FirmataConnection;
}

/**
 * The drivers a config asks for. Simulated devices share one seeded world; each real device family adds
 * its own drivers here (one line per family, built by a function in the family's folder).
 */
export function buildDrivers(ctx: DriverContext): Driver[] {
  const drivers: Driver[] = [...buildSimDrivers(ctx.config, ctx.clock)];
  // real device families are appended below, each from its own folder
  drivers.push(...buildGpioDrivers(ctx.config));
  drivers.push(...buildFirmataDrivers(ctx.config, ctx.firmata));
  drivers.push(...buildVeDirectDrivers(ctx.config, ctx.logger));
  drivers.push(...buildOneWireDrivers(ctx.config, ctx.clock, ctx.logger));
  drivers.push(...buildModbusDrivers(ctx.config, ctx.clock, ctx.logger));
  const internet = ctx.config.hardware.internet;
  if (internet.driver === 'probe') drivers.push(new InternetProbe(internet, ctx.clock));
  return drivers;
}
