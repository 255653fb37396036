import type { Clock } from '../../core/clock.js';
import type { Logger } from '../../core/logger.js';
import type { BoardListener, FirmataConnection } from '../../drivers/firmata/connection.js';
import { createJ5Board, type FirmataIo, type J5Led, type J5Rgb } from '../../drivers/firmata/facade.js';
import { POINT_STATES } from '../../point/types.js';
import type { SignDetail, SignOutput } from '../output.js';
import type { SignPattern } from '../pattern.js';
import type { FirmataSignConfig, LampTestConfig } from './config.js';
import type { LampFrame, LampId } from './frame.js';
import { type DailyScheduler, LampSign } from './lamp-sign.js';

export interface FirmataSignContext {
  sign: FirmataSignConfig;
  lampTest: LampTestConfig;
  board: FirmataConnection;
  timers: Clock;
  scheduler: DailyScheduler;
  logger: Logger;
}

/**
 * The sign on the Firmata board through johnny-five: an RGB LED (PWM) in the colour of the state,
 * blinking in its pattern, and optionally one LED per state. After a replug the components are rebuilt
 * on the new connection, the lamp test runs (when `atStart`) and the current frame is written again;
 * stop leaves every LED off.
 */
export class FirmataSign implements SignOutput {
  private readonly core: LampSign;
  private rgb: J5Rgb | undefined;
  private leds = new Map<LampId, J5Led>();
  private acquired = false;
  private readonly listener: BoardListener = {
    ready: (io) => this.attach(io),
    lost: (reason) => {
      this.rgb = undefined;
      this.leds.clear();
      this.ctx.logger.warn(`Firmata sign: board lost (${reason}); will redraw when it is back`);
    },
  };

  constructor(private readonly ctx: FirmataSignContext) {
    const stateLamps = POINT_STATES.filter((s) => ctx.sign.leds[s] !== undefined).map(
      (s): LampId => `state:${s}`,
    );
    // the RGB LED takes part in the test through the state lamps' colours, even without single LEDs
    const lamps: LampId[] = ctx.sign.rgb ? POINT_STATES.map((s): LampId => `state:${s}`) : stateLamps;
    this.core = new LampSign({
      timers: ctx.timers,
      // the start-up test runs when the board is there (after each connect), not while it is connecting
      lampTest: { ...ctx.lampTest, atStart: false },
      scheduler: ctx.scheduler,
      lamps,
      render: (frame) => this.render(frame),
    });
  }

  async start(): Promise<void> {
    if (this.acquired) return;
    this.acquired = true;
    this.ctx.board.acquire(this.listener);
    this.core.start();
  }

  show(pattern: SignPattern, detail: SignDetail): void {
    this.core.show(pattern, detail);
  }

  runLampTest(): void {
    this.core.runLampTest();
  }

  async stop(): Promise<void> {
    this.core.stop(); // renders dark while the board is still there
    if (!this.acquired) return;
    this.acquired = false;
    await this.ctx.board.release(this.listener);
    this.rgb = undefined;
    this.leds.clear();
  }

  private attach(io: FirmataIo): void {
    const parts = signParts(io, this.ctx.sign, (err) =>
      this.ctx.logger.warn('Firmata sign: johnny-five error', { error: err }),
    );
    this.rgb = parts.rgb;
    this.leds = parts.leds;
    this.core.invalidate();
    if (this.ctx.lampTest.atStart) this.core.runLampTest();
  }

  private render(frame: LampFrame): void {
    try {
      if (this.rgb) {
        if (frame.colour) this.rgb.color(frame.colour);
        else this.rgb.off();
      }
      for (const [id, led] of this.leds) {
        if (frame.lit.has(id)) led.on();
        else led.off();
      }
    } catch (err) {
      this.ctx.logger.warn('Firmata sign: write failed', { error: err });
    }
  }
}

/**
 * The sign's johnny-five parts on a connected board: the RGB LED (common anode inverted by johnny-five)
 * and one LED per state that has a pin. Shared with `sign dark`, which must switch off exactly these.
 */
export function signParts(
  io: FirmataIo,
  sign: FirmataSignConfig,
  onError: (err: unknown) => void,
): { rgb: J5Rgb | undefined; leds: Map<LampId, J5Led> } {
  const j5 = createJ5Board(io);
  j5.on('error', onError);
  const leds = new Map<LampId, J5Led>();
  for (const s of POINT_STATES) {
    const pin = sign.leds[s];
    if (pin !== undefined) leds.set(`state:${s}`, j5.led(pin));
  }
  return { rgb: sign.rgb ? j5.rgb(sign.rgb, sign.rgb.commonAnode) : undefined, leds };
}
