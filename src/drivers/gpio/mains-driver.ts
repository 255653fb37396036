import type { DriverSink } from '../interfaces.js';
import type { GpioMainsConfig } from './config.js';
import { DebouncedInput } from './debounced-input.js';
import { type Closable, GpioDriver, type GpioDriverContext } from './gpio-driver.js';
import type { GpioBackend } from './pins.js';

/** mains.present from an opto-isolated input: reported on every debounced change and on the heartbeat. */
export class MainsGpioDriver extends GpioDriver {
  private input: DebouncedInput | undefined;

  constructor(
    private readonly cfg: GpioMainsConfig,
    ctx: GpioDriverContext,
  ) {
    super('gpio.mains', ctx);
  }

  protected open(gpio: GpioBackend, sink: DriverSink, keep: <T extends Closable>(c: T) => T): void {
    const pin = gpio.input({ bcm: this.cfg.pin, role: 'mains present' }, { activeLow: this.cfg.activeLow });
    this.input = keep(
      new DebouncedInput(pin, this.cfg.debounceMs, this.ctx.timers, (level) =>
        sink.reading('mains.present', level),
      ),
    );
    sink.reading('mains.present', this.input.level);
  }

  protected heartbeat(sink: DriverSink): void {
    if (this.input) sink.reading('mains.present', this.input.resync());
  }
}
