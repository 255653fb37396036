import type { DriverSink } from '../interfaces.js';
import type { GpioContactConfig } from './config.js';
import { DebouncedInput } from './debounced-input.js';
import { type Closable, GpioDriver, type GpioDriverContext } from './gpio-driver.js';
import type { GpioBackend } from './pins.js';
import { RunHours } from './run-hours.js';

const RUN_HOURS = 'generator.runHours';

/**
 * generator.running from the generator's dry "running" contact, and generator.runHours counted while it
 * is closed. The count continues from the last logged value after a restart (asked from the sink); it is
 * logged on every change and every `runHoursEverySec` while running, so a power cut loses at most that.
 */
export class GeneratorContactDriver extends GpioDriver {
  private input: DebouncedInput | undefined;
  private hours: RunHours | undefined;

  constructor(
    private readonly cfg: GpioContactConfig,
    ctx: GpioDriverContext,
  ) {
    super('gpio.generator', ctx);
  }

  protected open(gpio: GpioBackend, sink: DriverSink, keep: <T extends Closable>(c: T) => T): void {
    const hours = this.hours ?? new RunHours(sink.lastValue?.(RUN_HOURS) ?? 0);
    this.hours = hours;
    const pin = gpio.input(
      { bcm: this.cfg.pin, role: 'generator running' },
      { activeLow: this.cfg.activeLow },
    );
    const input = keep(
      new DebouncedInput(pin, this.cfg.debounceMs, this.ctx.timers, (level) =>
        this.report(sink, level === 1),
      ),
    );
    this.input = input;
    hours.update(input.level === 1, this.ctx.timers.now());
    this.report(sink, input.level === 1);
    const every = this.ctx.timers.every(this.cfg.runHoursEverySec * 1000, () => {
      if (input.level === 1) sink.reading(RUN_HOURS, round(hours.hours(this.ctx.timers.now())));
    });
    keep({ close: every });
  }

  protected heartbeat(sink: DriverSink): void {
    if (this.input) this.report(sink, this.input.resync() === 1);
  }

  /** Logs the hours counted so far, so a clean shutdown loses nothing. */
  override async stop(): Promise<void> {
    const { hours, input, sink } = this;
    if (hours && input?.level === 1 && sink)
      sink.reading(RUN_HOURS, round(hours.hours(this.ctx.timers.now())));
    await super.stop();
  }

  private report(sink: DriverSink, running: boolean): void {
    const hours = this.hours;
    if (!hours) return;
    hours.update(running, this.ctx.timers.now());
    sink.reading('generator.running', running ? 1 : 0);
    sink.reading(RUN_HOURS, round(hours.hours(this.ctx.timers.now())));
  }
}

function round(h: number): number {
  return Math.round(h * 10_000) / 10_000;
}
