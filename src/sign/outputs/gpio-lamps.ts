import type { Clock } from '../../core/clock.js';
import type { Logger } from '../../core/logger.js';
import type { GpioSettings } from '../../drivers/gpio/config.js';
import { openGpio } from '../../drivers/gpio/open.js';
import type { OutputPin } from '../../drivers/gpio/pins.js';
import type { SysfsFs } from '../../drivers/gpio/sysfs-fs.js';
import type { SignDetail, SignOutput } from '../output.js';
import type { SignPattern } from '../pattern.js';
import type { GpioSignConfig, LampTestConfig } from './config.js';
import { ALL_LAMPS, type LampFrame, type LampId } from './frame.js';
import { type DailyScheduler, LampSign } from './lamp-sign.js';

export interface GpioLampsContext {
  sign: GpioSignConfig;
  lampTest: LampTestConfig;
  gpio: GpioSettings;
  timers: Clock;
  scheduler: DailyScheduler;
  logger: Logger;
  /** A fixture tree behind a fake kernel in tests; the real sysfs otherwise. */
  fs?: SysfsFs;
}

/** Pin of each configured lamp. */
function lampPins(sign: GpioSignConfig): Array<[LampId, number]> {
  const pins: Array<[LampId, number]> = [];
  for (const id of ALL_LAMPS) {
    const pin =
      id === 'uplink'
        ? sign.uplinkPin
        : id.startsWith('state:')
          ? sign.lamps[id.slice(6) as keyof GpioSignConfig['lamps']]
          : sign.services[id.slice(8) as keyof GpioSignConfig['services']];
    if (pin !== undefined) pins.push([id, pin]);
  }
  return pins;
}

/**
 * The lamp box on GPIO outputs (12 V lamps through a MOSFET or relay board): one lamp per state blinking
 * in the state's pattern, the service indicators, and the technician's uplink lamp. Pins that cannot be
 * opened are logged and retried; stop turns every lamp off and releases the pins.
 */
export class GpioLampSign implements SignOutput {
  private readonly lamps: Array<[LampId, number]>;
  private readonly core: LampSign;
  private outputs = new Map<LampId, OutputPin>();
  private cancelRetry: (() => void) | undefined;
  private running = false;

  constructor(private readonly ctx: GpioLampsContext) {
    this.lamps = lampPins(ctx.sign);
    this.core = new LampSign({
      timers: ctx.timers,
      lampTest: ctx.lampTest,
      scheduler: ctx.scheduler,
      lamps: this.lamps.map(([id]) => id),
      render: (frame) => this.render(frame),
    });
  }

  async start(): Promise<void> {
    if (this.running) return;
    this.running = true;
    await this.open();
    this.core.start();
  }

  show(pattern: SignPattern, detail: SignDetail): void {
    this.core.show(pattern, detail);
  }

  runLampTest(): void {
    this.core.runLampTest();
  }

  async stop(): Promise<void> {
    this.running = false;
    this.cancelRetry?.();
    this.cancelRetry = undefined;
    this.core.stop();
    for (const pin of this.outputs.values()) {
      try {
        pin.close();
      } catch {
        // best effort: the pin may be gone
      }
    }
    this.outputs.clear();
  }

  private async open(): Promise<void> {
    this.cancelRetry = undefined;
    try {
      const gpio = await openGpio({ settings: this.ctx.gpio, fs: this.ctx.fs, timers: this.ctx.timers });
      for (const [id, bcm] of this.lamps) {
        if (this.outputs.has(id)) continue;
        this.outputs.set(
          id,
          gpio.output({ bcm, role: `sign lamp ${id}` }, { activeLow: this.ctx.sign.activeLow }),
        );
      }
      this.core.invalidate();
    } catch (err) {
      this.ctx.logger.warn(`GPIO sign: ${(err as Error).message}; retrying in ${this.ctx.gpio.retrySec} s`);
      if (this.running)
        this.cancelRetry = this.ctx.timers.after(this.ctx.gpio.retrySec * 1000, () => void this.open());
    }
  }

  private render(frame: LampFrame): void {
    for (const [id, pin] of this.outputs) {
      try {
        pin.write(frame.lit.has(id) ? 1 : 0);
      } catch (err) {
        this.ctx.logger.warn(`GPIO sign: lamp ${id}: ${(err as Error).message}`);
      }
    }
  }
}
