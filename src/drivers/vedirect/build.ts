import type { KioskConfig } from '../../config/schema.js';
import type { Logger } from '../../core/logger.js';
import type { Driver } from '../interfaces.js';
import { VeDirectDriver } from './driver.js';

/**
 * The battery role filled by a VE.Direct device, when the config asks for one, and the further devices
 * of `hardware.vedirect` (an MPPT, a Phoenix inverter), each on its own port.
 */
export function buildVeDirectDrivers(config: KioskConfig, logger: Logger): Driver[] {
  const drivers: Driver[] = [];
  const cfg = config.hardware.battery;
  if (cfg.driver === 'vedirect') {
    drivers.push(
      new VeDirectDriver({
        name: 'vedirect.battery',
        port: cfg.port,
        baudRate: cfg.baudRate,
        intervalMs: cfg.intervalSec * 1000,
        staleAfterMs: cfg.staleAfterMs,
        logger: logger.child('vedirect'),
      }),
    );
  }
  for (const d of config.hardware.vedirect) {
    drivers.push(
      new VeDirectDriver({
        name: `vedirect.${d.name}`,
        port: d.port,
        baudRate: d.baudRate,
        intervalMs: d.intervalSec * 1000,
        staleAfterMs: d.staleAfterMs,
        batteryRole: false,
        logger: logger.child(`vedirect.${d.name}`),
      }),
    );
  }
  return drivers;
}
