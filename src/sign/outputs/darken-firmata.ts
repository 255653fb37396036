import type { KioskConfig } from '../../config/schema.js';
import { errorMessage } from '../../core/errors.js';
import {
  type BoardListener,
  FirmataConnection,
  type FirmataConnectionOptions,
} from '../../drivers/firmata/connection.js';
import type { FirmataIo } from '../../drivers/firmata/facade.js';
import { POINT_STATES } from '../../point/types.js';
import type { FirmataSignConfig } from './config.js';
import { signParts } from './firmata-sign.js';

export interface FirmataDarkenResult {
  /** hardware.firmata.port; undefined when no Firmata sign is configured. */
  port: string | undefined;
  /** Board pins written "off" and flushed to the port (RGB channels and state LEDs). */
  darkened: number[];
  /** One line per failure, each naming the port. */
  problems: string[];
}

export interface FirmataDarkenOptions {
  /** From opening the port to Firmata `ready`. A Nano that resets on open needs ~2 s of bootloader. */
  handshakeTimeoutMs?: number;
  /** Bound on the whole thing: ExecStopPost must end well inside TimeoutStopSec (20 s). */
  deadlineMs?: number;
  makePort?: FirmataConnectionOptions['makePort'];
}

const HANDSHAKE_MS = 5000;
const DEADLINE_MS = 8000;

/** Every board pin of the Firmata sign: the RGB channels and the state LEDs, sorted, once each. */
export function firmataSignPins(sign: FirmataSignConfig): number[] {
  const pins: number[] = sign.rgb ? [sign.rgb.red, sign.rgb.green, sign.rgb.blue] : [];
  for (const s of POINT_STATES) {
    const pin = sign.leds[s];
    if (pin !== undefined) pins.push(pin);
  }
  return [...new Set(pins)].sort((a, b) => a - b);
}

/**
 * Turns the Firmata sign off from outside the service. StandardFirmata keeps its pins after the host
 * process dies, so a crashed controller would leave its last colour (say OPEN) lit; this opens the port
 * with the service's own connection code, waits for the handshake, writes "off" the way the Firmata
 * sign does (johnny-five, so a common-anode RGB LED gets 255), drains and closes. Bounded in time and
 * never throws: every failure is a line in `problems`.
 */
export async function darkenFirmataSign(
  config: KioskConfig,
  opts: FirmataDarkenOptions = {},
): Promise<FirmataDarkenResult> {
  if (!config.sign.outputs.includes('firmata')) return { port: undefined, darkened: [], problems: [] };
  const hw = config.hardware.firmata;
  // the config schema refuses this already; kept so a hand-built config cannot crash ExecStopPost
  if (!hw)
    return { port: undefined, darkened: [], problems: ['Firmata sign: hardware.firmata.port is not set'] };
  const result: FirmataDarkenResult = { port: hw.port, darkened: [], problems: [] };
  const fail = (why: string) => result.problems.push(`Firmata sign on ${hw.port}: ${why}`);
  const pins = firmataSignPins(config.sign.firmata);
  if (pins.length === 0) return result;

  const deadline = Date.now() + (opts.deadlineMs ?? DEADLINE_MS);
  const handshakeTimeoutMs = opts.handshakeTimeoutMs ?? HANDSHAKE_MS;
  const board = new FirmataConnection({
    path: hw.port,
    baudRate: hw.baudRate,
    noDataTimeoutMs: hw.noDataTimeoutSec * 1000,
    heartbeatMs: hw.heartbeatSec * 1000,
    handshakeTimeoutMs,
    // one attempt: the first failure is the answer (the listener releases before any retry runs)
    retryMinMs: 60_000,
    retryMaxMs: 60_000,
    makePort: opts.makePort,
  });

  let lostReason: string | undefined;
  let onOutcome: (outcome: { wrote: true } | { error: string }) => void = () => undefined;
  const outcome = new Promise<{ wrote: true } | { error: string }>((r) => {
    onOutcome = r;
  });
  const listener: BoardListener = {
    ready: (io) => {
      try {
        writeDark(io, config.sign.firmata);
        onOutcome({ wrote: true });
      } catch (err) {
        onOutcome({ error: `writing the pins failed: ${errorMessage(err)}` });
      }
    },
    lost: (reason) => {
      lostReason ??= reason;
      onOutcome({ error: reason });
    },
  };

  board.acquire(listener);
  const first = await within(outcome, deadline - Date.now());
  if (first === TIMEOUT) fail(`no Firmata handshake within ${opts.deadlineMs ?? DEADLINE_MS} ms`);
  else if ('error' in first) fail(first.error);
  else {
    const flushed = await within(
      board.flush().then(
        () => undefined,
        (err: unknown) => `flushing the writes failed: ${errorMessage(err)}`,
      ),
      deadline - Date.now(),
    );
    // a port error while the frame was on its way means it may not have arrived
    if (lostReason !== undefined) fail(`board lost while darkening: ${lostReason}`);
    else if (flushed === TIMEOUT) fail('the writes were not flushed in time (port blocked?)');
    else if (flushed !== undefined) fail(flushed);
    else result.darkened = pins;
  }
  // runs after down() has scheduled its retry (it tells listeners first), so release cancels that too
  const closed = await within(board.release(listener), Math.max(500, deadline - Date.now()));
  if (closed === TIMEOUT) fail('closing the port timed out');
  return result;
}

/** What FirmataSign's dark frame does: RGB off (johnny-five inverts for common anode), every LED off. */
function writeDark(io: FirmataIo, sign: FirmataSignConfig): void {
  // johnny-five reports its own trouble as events; the write failing is what we report, not this
  const { rgb, leds } = signParts(io, sign, () => undefined);
  rgb?.off();
  for (const led of leds.values()) led.off();
}

const TIMEOUT = Symbol('timeout');

/** `p`, or TIMEOUT after `ms`; the timer is cleared so it never holds the process open. */
async function within<T>(p: Promise<T>, ms: number): Promise<T | typeof TIMEOUT> {
  let timer: ReturnType<typeof setTimeout> | undefined;
  const late = new Promise<typeof TIMEOUT>((r) => {
    timer = setTimeout(() => r(TIMEOUT), Math.max(0, ms));
  });
  try {
    return await Promise.race([p, late]);
  } finally {
    clearTimeout(timer);
  }
}
