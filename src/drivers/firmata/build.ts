import type { KioskConfig } from '../../config/schema.js';
import type { Driver } from '../interfaces.js';
import { FirmataAnalogDriver } from './analog-driver.js';
import { FirmataConnection } from './connection.js';

/** The board connection of `hardware.firmata`, shared by the analog driver and the Firmata sign. */
export function buildFirmataConnection(config: KioskConfig): FirmataConnection | undefined {
  const f = config.hardware.firmata;
  if (!f) return undefined;
  return new FirmataConnection({
    path: f.port,
    baudRate: f.baudRate,
    noDataTimeoutMs: f.noDataTimeoutSec * 1000,
    heartbeatMs: f.heartbeatSec * 1000,
    handshakeTimeoutMs: Math.max(5000, f.noDataTimeoutSec * 2000),
  });
}

export function buildFirmataDrivers(config: KioskConfig, board: FirmataConnection | undefined): Driver[] {
  const f = config.hardware.firmata;
  if (!f || !board) return [];
  return [new FirmataAnalogDriver(f, board)];
}
