import type { KioskConfig } from '../../config/schema.js';
import { SystemClock } from '../../core/clock.js';
import { errorMessage } from '../../core/errors.js';
import { openGpio } from '../../drivers/gpio/open.js';
import type { SysfsFs } from '../../drivers/gpio/sysfs-fs.js';
import type { GpioSignConfig } from './config.js';
import { darkenFirmataSign, type FirmataDarkenOptions, type FirmataDarkenResult } from './darken-firmata.js';

export interface DarkenResult {
  /** Pins set to "off", by BCM number. */
  darkened: number[];
  /** One line per pin or output that could not be darkened. */
  problems: string[];
}

/** Every BCM pin of the GPIO lamp box: state lamps, service indicators and the uplink lamp. */
export function signPins(sign: GpioSignConfig): number[] {
  const pins = [...Object.values(sign.lamps), ...Object.values(sign.services), sign.uplinkPin];
  return [...new Set(pins.filter((p): p is number => typeof p === 'number'))].sort((a, b) => a - b);
}

/**
 * Turns every GPIO lamp off, from outside the service. sysfs keeps an output's level after the process
 * that set it dies, so a crashed or killed controller would leave its last state (say OPEN) lit; the
 * systemd unit runs this after every stop (ExecStopPost), clean or not, so the sign goes dark instead.
 */
export async function darkenGpioSign(
  config: KioskConfig,
  deps: { fs?: SysfsFs } = {},
): Promise<DarkenResult> {
  const result: DarkenResult = { darkened: [], problems: [] };
  if (!config.sign.outputs.includes('gpio')) return result;
  const { gpio: sign } = config.sign;
  let backend: Awaited<ReturnType<typeof openGpio>>;
  try {
    backend = await openGpio({ settings: config.hardware.gpio, fs: deps.fs, timers: new SystemClock() });
  } catch (err) {
    result.problems.push(`GPIO sign: ${(err as Error).message}`);
    return result;
  }
  for (const bcm of signPins(sign)) {
    try {
      const pin = backend.output({ bcm, role: 'sign lamp (darken)' }, { activeLow: sign.activeLow });
      pin.write(0);
      // left exported on purpose: an unexported line floats, and only the board's pulls would keep it off
      result.darkened.push(bcm);
    } catch (err) {
      result.problems.push(`BCM ${bcm}: ${(err as Error).message}`);
    }
  }
  return result;
}

export interface SignsDarkenResult {
  gpio: DarkenResult;
  firmata: FirmataDarkenResult;
}

/**
 * Every hardware sign off: GPIO first (local and quick), then the Firmata board (a serial handshake,
 * bounded in time). Each is guarded on its own so one failing, even by throwing, never stops the other.
 */
export async function darkenSigns(
  config: KioskConfig,
  deps: { fs?: SysfsFs; firmata?: FirmataDarkenOptions } = {},
): Promise<SignsDarkenResult> {
  const gpio = await darkenGpioSign(config, { fs: deps.fs }).catch(
    (err: unknown): DarkenResult => ({ darkened: [], problems: [`GPIO sign: ${errorMessage(err)}`] }),
  );
  const port = config.hardware.firmata?.port;
  const firmata = await darkenFirmataSign(config, deps.firmata).catch(
    (err: unknown): FirmataDarkenResult => ({
      port,
      darkened: [],
      problems: [`Firmata sign on ${port ?? '(no port)'}: ${errorMessage(err)}`],
    }),
  );
  return { gpio, firmata };
}
