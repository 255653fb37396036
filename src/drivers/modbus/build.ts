import type { KioskConfig } from '../../config/schema.js';
import type { Clock } from '../../core/clock.js';
import type { Logger } from '../../core/logger.js';
import type { Driver } from '../interfaces.js';
import { DseDriver } from './dse-driver.js';
import { modbusConnector } from './transport.js';

/** The generator role filled by a DSE controller over Modbus, when the config asks for one. */
export function buildModbusDrivers(config: KioskConfig, clock: Clock, logger: Logger): Driver[] {
  const cfg = config.hardware.generator;
  if (cfg.driver !== 'dse') return [];
  const where =
    cfg.transport === 'tcp'
      ? `tcp ${cfg.host}:${cfg.tcpPort} unit ${cfg.unitId}`
      : `rtu ${cfg.port} unit ${cfg.unitId}`;
  return [
    new DseDriver({
      connect: modbusConnector(cfg),
      where,
      intervalMs: cfg.intervalSec * 1000,
      ratedPowerW: cfg.ratedPowerW,
      clock,
      logger: logger.child('dse'),
    }),
  ];
}
