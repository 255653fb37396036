import { type Clock, SystemClock } from '../../core/clock.js';
import type { Driver, DriverSink } from '../interfaces.js';
import { type Calibration, calibrate } from './calibration.js';
import type { FirmataAnalogConfig, FirmataConfig } from './config.js';
import type { BoardListener, FirmataConnection } from './connection.js';
import type { FirmataIo } from './facade.js';

/** One analog input: where it is read, how it is calibrated, which channel it feeds. */
export interface AnalogInput {
  channel: string;
  analogChannel: number;
  calibration: Calibration;
  /** Decimal places kept in the log. */
  digits: number;
}

const ADC_FULL = 1023;

/** The analog inputs the config declares, as channels with calibrations. */
export function analogInputs(cfg: FirmataAnalogConfig): AnalogInput[] {
  const out: AnalogInput[] = [];
  const b = cfg.batteryVoltage;
  if (b) {
    out.push({
      channel: b.channel,
      analogChannel: b.pin,
      digits: 2,
      calibration: { kind: 'divider', vref: b.vref, rTop: b.rTop, rBottom: b.rBottom },
    });
  }
  const t = cfg.temperature;
  if (t) {
    const calibration: Calibration =
      t.sensor === 'tmp36'
        ? { kind: 'tmp36', vref: t.vref }
        : { kind: 'thermistor', beta: t.beta, r0: t.r0, t0C: t.t0C, rSeries: t.rSeries };
    out.push({ channel: `temperature.${t.name}`, analogChannel: t.pin, digits: 1, calibration });
  }
  const f = cfg.fuel;
  if (f) {
    out.push({
      channel: 'generator.fuelLevel',
      analogChannel: f.pin,
      digits: 1,
      calibration: { kind: 'two-point', emptyRaw: f.emptyRaw, fullRaw: f.fullRaw },
    });
  }
  return out;
}

/**
 * Analog inputs on the Firmata board. Samples stream in (StandardFirmata reports every ~19 ms); every
 * `reportEverySec` the mean of the window is calibrated and logged. A window without samples (board gone)
 * or an impossible value (open thermistor) logs `null` once, with the reason as the driver's health.
 */
export class FirmataAnalogDriver implements Driver {
  readonly name = 'firmata.analog';
  private readonly inputs: AnalogInput[];
  private readonly windows = new Map<string, number[]>();
  private readonly problems = new Map<string, string>();
  private readonly timers: Pick<Clock, 'every'>;
  private sink: DriverSink | undefined;
  private cancel: (() => void) | undefined;
  private health = '';
  private boardDown: string | undefined = 'connecting';
  private readonly listener: BoardListener = {
    ready: (io) => this.ready(io),
    lost: (reason) => {
      this.boardDown = reason;
      this.setHealth('fault', `${reason}`);
    },
  };

  constructor(
    private readonly cfg: FirmataConfig,
    private readonly board: FirmataConnection,
    timers?: Pick<Clock, 'every'>,
  ) {
    this.inputs = analogInputs(cfg.analog);
    this.timers = timers ?? new SystemClock();
  }

  async start(sink: DriverSink): Promise<void> {
    if (this.sink || this.inputs.length === 0) return;
    this.sink = sink;
    sink.health(this.name, 'starting', `waiting for the board on ${this.cfg.port}`);
    this.board.acquire(this.listener);
    this.cancel = this.timers.every(this.cfg.reportEverySec * 1000, () => this.report());
  }

  async stop(): Promise<void> {
    this.cancel?.();
    this.cancel = undefined;
    if (!this.sink) return;
    this.sink = undefined;
    await this.board.release(this.listener);
  }

  private ready(io: FirmataIo): void {
    this.boardDown = undefined;
    for (const input of this.inputs) {
      this.windows.set(input.channel, []);
      if (io.analogPins[input.analogChannel] === undefined) {
        this.setHealth('fault', `${input.channel}: the board has no analog channel A${input.analogChannel}`);
        continue;
      }
      // for ANALOG, firmata-io takes the analog channel number (A0 = 0) and sends nothing itself
      io.pinMode(input.analogChannel, io.modes.ANALOG);
      io.analogRead(input.analogChannel, (raw) => this.windows.get(input.channel)?.push(raw));
    }
    this.setHealth(
      'ok',
      `board ready (${io.firmwareName || 'Firmata'}), ${this.inputs.length} analog input(s)`,
    );
  }

  private report(): void {
    const sink = this.sink;
    if (!sink) return;
    const problems: string[] = [];
    for (const input of this.inputs) {
      const samples = this.windows.get(input.channel) ?? [];
      this.windows.set(input.channel, []);
      const problem = this.sample(sink, input, samples);
      if (problem) problems.push(`${input.channel}: ${problem}`);
    }
    if (this.boardDown !== undefined) return;
    if (problems.length) this.setHealth('fault', problems.join('; '));
    else this.setHealth('ok', 'all analog inputs read');
  }

  /** Logs one channel's value for the window; returns what is wrong with it, if anything. */
  private sample(sink: DriverSink, input: AnalogInput, samples: number[]): string | undefined {
    let problem: string | undefined;
    let value: number | null = null;
    if (samples.length === 0) problem = this.boardDown ?? 'no samples from the board';
    else {
      const mean = samples.reduce((a, b) => a + b, 0) / samples.length;
      const c = calibrate(mean, ADC_FULL, input.calibration);
      if (c.ok) value = Number(c.value.toFixed(input.digits));
      else problem = c.reason;
    }
    const before = this.problems.get(input.channel);
    if (problem) {
      this.problems.set(input.channel, problem);
      if (before === undefined) sink.reading(input.channel, null); // once per outage: null, never the last value
    } else {
      this.problems.delete(input.channel);
      sink.reading(input.channel, value);
    }
    return problem;
  }

  private setHealth(health: 'ok' | 'fault', message: string): void {
    const key = `${health}:${message}`;
    if (key === this.health) return;
    this.health = key;
    this.sink?.health(this.name, health, message);
  }
}
