import type { KioskConfig } from '../../config/schema.js';
import { SystemClock } from '../../core/clock.js';
import type { Logger } from '../../core/logger.js';
import type { FirmataConnection } from '../../drivers/firmata/connection.js';
import type { SignOutput } from '../output.js';
import { FirmataSign } from './firmata-sign.js';
import { GpioLampSign } from './gpio-lamps.js';
import { cronScheduler } from './lamp-sign.js';

export interface HardwareSignContext {
  logger: Logger;
  /** The board of hardware.firmata, shared with the analog driver. */
  board: FirmataConnection | undefined;
}

/** The hardware sign outputs the config asks for (`sign.outputs`: gpio, firmata); real time, node-cron. */
export function buildHardwareSigns(config: KioskConfig, ctx: HardwareSignContext): SignOutput[] {
  const { sign } = config;
  const timers = new SystemClock();
  const scheduler = cronScheduler(config.point.timezone);
  const out: SignOutput[] = [];
  if (sign.outputs.includes('gpio')) {
    out.push(
      new GpioLampSign({
        sign: sign.gpio,
        lampTest: sign.lampTest,
        gpio: config.hardware.gpio,
        timers,
        scheduler,
        logger: ctx.logger.child('sign.gpio'),
      }),
    );
  }
  if (sign.outputs.includes('firmata') && ctx.board) {
    out.push(
      new FirmataSign({
        sign: sign.firmata,
        lampTest: sign.lampTest,
        board: ctx.board,
        timers,
        scheduler,
        logger: ctx.logger.child('sign.firmata'),
      }),
    );
  }
  return out;
}
