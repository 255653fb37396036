import { createRequire } from 'node:module';
import type { DseConfig } from './config.js';

/** Holding-register access, as the DSE driver needs it; modbus-serial behind it, a fake in tests. */
export interface RegisterReader {
  /** FC3. Rejects with a `ModbusException` when the device answered with an exception code. */
  read(address: number, length: number): Promise<number[]>;
  close(): Promise<void>;
}

export type ConnectReader = () => Promise<RegisterReader>;

/** The device answered, but refused this request (e.g. illegal address: the model lacks the register). */
export class ModbusException extends Error {
  constructor(
    readonly code: number,
    address: number,
  ) {
    super(`Modbus exception ${code} reading register ${address}`);
  }
}

const hasModbusCode = (err: unknown): err is { modbusCode: number } =>
  typeof err === 'object' && err !== null && 'modbusCode' in err && typeof err.modbusCode === 'number';

/** Connects over RTU (serial RS-485) or TCP as the config says. */
export function modbusConnector(cfg: DseConfig): ConnectReader {
  return async () => {
    // Loaded on first use: ~15 MB (with node-serialport) that a point without Modbus should not carry.
    const modbusSerial = createRequire(import.meta.url)('modbus-serial') as typeof import('modbus-serial');
    const client = new modbusSerial.default();
    if (cfg.transport === 'tcp') await client.connectTCP(cfg.host ?? '', { port: cfg.tcpPort });
    else await client.connectRTUBuffered(cfg.port ?? '', { baudRate: cfg.baudRate });
    client.setID(cfg.unitId);
    client.setTimeout(cfg.timeoutMs);
    return {
      read: async (address, length) => {
        try {
          return (await client.readHoldingRegisters(address, length)).data;
        } catch (err) {
          if (hasModbusCode(err)) throw new ModbusException(err.modbusCode, address);
          throw err;
        }
      },
      close: () =>
        new Promise<void>((resolve) => {
          if (!client.isOpen) return resolve();
          client.close(() => resolve());
        }),
    };
  };
}
