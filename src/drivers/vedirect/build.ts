import type { KioskConfig } from '../../config/schema.js';
import type { Logger } from '../../core/logger.js';
import type { Driver } from '../interfaces.js';
import { VeDirectDriver } from './driver.js';

/** The battery role filled by a VE.Direct device, when the config asks for one. */
export function buildVeDirectDrivers(config: KioskConfig, logger: Logger): Driver[] {
  const cfg = config.hardware.battery;
  if (cfg.driver !== 'vedirect') return [];
  return [
    new VeDirectDriver({
      name: 'vedirect.battery',
      port: cfg.port,
      baudRate: cfg.baudRate,
      intervalMs: cfg.intervalSec * 1000,
      staleAfterMs: cfg.staleAfterMs,
      logger: logger.child('vedirect'),
    }),
  ];
}
