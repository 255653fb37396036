import type { KioskConfig } from '../../config/schema.js';
import type { Clock } from '../../core/clock.js';
import type { Logger } from '../../core/logger.js';
import type { Driver } from '../interfaces.js';
import { Ds18b20Driver } from './driver.js';

/** The temperature role filled by DS18B20s on 1-Wire, when the config asks for them. */
export function buildOneWireDrivers(config: KioskConfig, clock: Clock, logger: Logger): Driver[] {
  const cfg = config.hardware.temperature;
  if (cfg.driver !== 'ds18b20') return [];
  return [
    new Ds18b20Driver({
      root: cfg.root,
      intervalMs: cfg.intervalSec * 1000,
      sensors: cfg.sensors,
      clock,
      logger: logger.child('ds18b20'),
    }),
  ];
}
