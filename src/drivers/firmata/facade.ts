import { createRequire } from 'node:module';

/**
 * The one file that touches firmata-io and johnny-five, which ship no types. Everything they hand back
 * is `unknown` and narrowed here, so the rest of the code sees small typed interfaces.
 */
const require = createRequire(import.meta.url);

type Fn = (...args: unknown[]) => unknown;
type Listener = (...args: unknown[]) => void;

function isObject(x: unknown): x is Record<string, unknown> {
  return (typeof x === 'object' || typeof x === 'function') && x !== null;
}

function method(obj: Record<string, unknown>, name: string): Fn {
  const f = obj[name];
  if (typeof f !== 'function') throw new Error(`firmata facade: ${name} is not a function`);
  return (...args: unknown[]) => (f as Fn).apply(obj, args);
}

function ctor(mod: unknown, path: readonly string[]): new (...args: unknown[]) => unknown {
  let x: unknown = mod;
  for (const key of path) x = isObject(x) ? x[key] : undefined;
  if (typeof x !== 'function') throw new Error(`module has no ${path.join('.')}`);
  return x as new (
    ...args: unknown[]
  ) => unknown;
}

/** The Firmata host as the drivers use it. `channel` is an analog channel (0 = A0). */
export interface FirmataIo {
  readonly isReady: boolean;
  readonly modes: { INPUT: number; OUTPUT: number; ANALOG: number; PWM: number };
  /** Digital pin numbers of the analog channels (A0 = 14 on a Nano). */
  readonly analogPins: readonly number[];
  readonly firmwareName: string;
  /** Writes still on their way to the port. */
  readonly pending: number;
  pinMode(pin: number, mode: number): void;
  digitalWrite(pin: number, value: 0 | 1): void;
  pwmWrite(pin: number, value: number): void;
  analogRead(channel: number, fn: (raw: number) => void): void;
  reportAnalog(channel: number, on: boolean): void;
  reportVersion(fn: () => void): void;
  on(event: 'ready' | 'error' | 'close' | 'disconnect', fn: Listener): void;
  removeAllListeners(): void;
  /** The underlying object, for johnny-five's `io` option. */
  readonly raw: unknown;
}

/** A transport firmata-io can use: an event emitter with `write(buf, cb)` (a serialport 13 port). */
export type FirmataTransport = object;

export function createFirmata(
  transport: FirmataTransport,
  options: { reportVersionTimeout: number },
): FirmataIo {
  const Firmata = ctor(require('firmata-io'), ['Firmata']);
  const raw = new Firmata(transport, options);
  if (!isObject(raw)) throw new Error('firmata-io did not construct a board');
  const num = (x: unknown, dflt = 0) => (typeof x === 'number' ? x : dflt);
  const modes = isObject(raw.MODES) ? raw.MODES : {};
  return {
    get isReady() {
      return raw.isReady === true;
    },
    modes: {
      INPUT: num(modes.INPUT, 0),
      OUTPUT: num(modes.OUTPUT, 1),
      ANALOG: num(modes.ANALOG, 2),
      PWM: num(modes.PWM, 3),
    },
    get analogPins() {
      return Array.isArray(raw.analogPins)
        ? raw.analogPins.filter((p): p is number => typeof p === 'number')
        : [];
    },
    get firmwareName() {
      return isObject(raw.firmware) && typeof raw.firmware.name === 'string' ? raw.firmware.name : '';
    },
    get pending() {
      return num(raw.pending);
    },
    pinMode: (pin, mode) => void method(raw, 'pinMode')(pin, mode),
    digitalWrite: (pin, value) => void method(raw, 'digitalWrite')(pin, value),
    pwmWrite: (pin, value) => void method(raw, 'pwmWrite')(pin, value),
    analogRead: (channel, fn) =>
      void method(raw, 'analogRead')(channel, (v: unknown) => {
        if (typeof v === 'number') fn(v);
      }),
    reportAnalog: (channel, on) => void method(raw, 'reportAnalogPin')(channel, on ? 1 : 0),
    reportVersion: (fn) => void method(raw, 'reportVersion')(fn),
    on: (event, fn) => void method(raw, 'on')(event, fn),
    removeAllListeners: () => void method(raw, 'removeAllListeners')(),
    raw,
  };
}

/** johnny-five, only what the Firmata sign uses. */
export interface J5Board {
  on(event: 'ready' | 'error', fn: Listener): void;
  led(pin: number): J5Led;
  rgb(pins: { red: number; green: number; blue: number }, commonAnode: boolean): J5Rgb;
}

export interface J5Led {
  on(): void;
  off(): void;
}

export interface J5Rgb {
  /** `#RRGGBB`. */
  color(hex: string): void;
  off(): void;
}

/**
 * A johnny-five Board on an io that is already `ready` (johnny-five then re-emits connect/ready on the
 * next tick). No port is ever opened by johnny-five: no REPL, no SIGINT handler, no debug output.
 */
export function createJ5Board(io: FirmataIo): J5Board {
  const five: unknown = require('johnny-five');
  const Board = ctor(five, ['Board']);
  const Led = ctor(five, ['Led']);
  const Rgb = ctor(five, ['Led', 'RGB']);
  const board = new Board({ io: io.raw, repl: false, sigint: false, debug: false, timeout: 30_000 });
  if (!isObject(board)) throw new Error('johnny-five did not construct a board');
  const led = (pin: number): J5Led => {
    const l = new Led({ pin, board });
    if (!isObject(l)) throw new Error('johnny-five did not construct an Led');
    return { on: () => void method(l, 'on')(), off: () => void method(l, 'off')() };
  };
  return {
    on: (event, fn) => void method(board, 'on')(event, fn),
    led,
    rgb: (pins, commonAnode) => {
      const r = new Rgb({ pins, isAnode: commonAnode, board });
      if (!isObject(r)) throw new Error('johnny-five did not construct an RGB Led');
      return { color: (hex) => void method(r, 'color')(hex), off: () => void method(r, 'off')() };
    },
  };
}
