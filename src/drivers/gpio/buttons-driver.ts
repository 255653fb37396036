import type { DriverSink } from '../interfaces.js';
import type { GpioButtonsConfig, GpioTamperConfig } from './config.js';
import { DebouncedInput } from './debounced-input.js';
import { type Closable, GpioDriver, type GpioDriverContext } from './gpio-driver.js';
import type { GpioBackend } from './pins.js';

const BUTTON_ROLES = { mode: 'operator button "mode"', acknowledge: 'operator button "acknowledge alarms"' };

/** Operator push buttons: each debounced press becomes `sink.button(name)`; the service decides what it does. */
export class ButtonsDriver extends GpioDriver {
  private readonly inputs: DebouncedInput[] = [];

  constructor(
    private readonly cfg: GpioButtonsConfig,
    ctx: GpioDriverContext,
  ) {
    super('gpio.buttons', ctx);
  }

  protected open(gpio: GpioBackend, sink: DriverSink, keep: <T extends Closable>(c: T) => T): void {
    this.inputs.length = 0;
    for (const name of ['mode', 'acknowledge'] as const) {
      const bcm = this.cfg[name];
      if (bcm === undefined) continue;
      const pin = gpio.input({ bcm, role: BUTTON_ROLES[name] }, { activeLow: this.cfg.activeLow });
      const input = new DebouncedInput(pin, this.cfg.debounceMs, this.ctx.timers, (level) => {
        if (level === 1) sink.button?.(name);
      });
      this.inputs.push(keep(input));
    }
  }

  protected heartbeat(): void {
    for (const i of this.inputs) i.resync();
  }
}

/** The enclosure lid switch: `tamper.open` (1 = open) on every change and heartbeat, and an event when it opens. */
export class TamperDriver extends GpioDriver {
  private input: DebouncedInput | undefined;

  constructor(
    private readonly cfg: GpioTamperConfig,
    ctx: GpioDriverContext,
  ) {
    super('gpio.tamper', ctx);
  }

  protected open(gpio: GpioBackend, sink: DriverSink, keep: <T extends Closable>(c: T) => T): void {
    const pin = gpio.input({ bcm: this.cfg.pin, role: 'tamper switch' }, { activeLow: this.cfg.activeLow });
    this.input = keep(
      new DebouncedInput(pin, this.cfg.debounceMs, this.ctx.timers, (level) => {
        sink.reading('tamper.open', level);
        sink.event?.(
          level === 1
            ? { type: 'tamper.opened', level: 'alarm', message: `enclosure lid opened (BCM ${this.cfg.pin})` }
            : { type: 'tamper.closed', level: 'info', message: `enclosure lid closed (BCM ${this.cfg.pin})` },
        );
      }),
    );
    sink.reading('tamper.open', this.input.level);
    if (this.input.level === 1) {
      sink.event?.({ type: 'tamper.opened', level: 'alarm', message: 'enclosure lid open at start' });
    }
  }

  protected heartbeat(sink: DriverSink): void {
    if (this.input) sink.reading('tamper.open', this.input.resync());
  }
}
