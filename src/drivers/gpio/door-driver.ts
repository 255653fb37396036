import type { DriverSink } from '../interfaces.js';
import type { GpioBeamsConfig } from './config.js';
import { type Beam, DoorDecoder, type DoorOutput } from './door-decoder.js';
import { type Closable, GpioDriver, type GpioDriverContext } from './gpio-driver.js';
import type { GpioBackend, InputPin } from './pins.js';

const BEAM_NAMES: Record<Beam, string> = { A: 'door beam A (outside)', B: 'door beam B (inside)' };

/**
 * The door counter: two beam inputs feed the pure decoder with real-time timestamps; passages go to the
 * sink, a blocked beam is a `fault` until it clears. Raw edges go in unfiltered: the decoder itself
 * rejects breaks shorter than `minBreakMs`, and a debounce here would blur the order of the two beams.
 */
export class DoorBeamsDriver extends GpioDriver {
  private decoder: DoorDecoder | undefined;
  private cancelDeadline: (() => void) | undefined;
  private pins: Record<Beam, InputPin> | undefined;

  constructor(
    private readonly cfg: GpioBeamsConfig,
    ctx: GpioDriverContext,
  ) {
    super('gpio.door', ctx);
  }

  protected open(gpio: GpioBackend, sink: DriverSink, keep: <T extends Closable>(c: T) => T): void {
    const opts = { activeLow: this.cfg.activeLow };
    const a = keep(gpio.input({ bcm: this.cfg.outerPin, role: BEAM_NAMES.A }, opts));
    const b = keep(gpio.input({ bcm: this.cfg.innerPin, role: BEAM_NAMES.B }, opts));
    const decoder = new DoorDecoder(
      { minBreakMs: this.cfg.minBreakMs, blockedMs: this.cfg.blockedFaultSec * 1000 },
      this.ctx.timers.now(),
    );
    this.decoder = decoder;
    this.pins = { A: a, B: b };
    keep({ close: () => this.cancelDeadline?.() });
    a.onChange((level) => this.handle(sink, decoder.edge('A', level === 1, this.ctx.timers.now())));
    b.onChange((level) => this.handle(sink, decoder.edge('B', level === 1, this.ctx.timers.now())));
    // a beam already broken at start counts from now (and becomes a fault if it stays broken)
    const now = this.ctx.timers.now();
    this.handle(sink, [...decoder.edge('A', a.read() === 1, now), ...decoder.edge('B', b.read() === 1, now)]);
  }

  protected heartbeat(sink: DriverSink): void {
    const { decoder, pins } = this;
    if (!decoder || !pins) return;
    const now = this.ctx.timers.now();
    this.handle(sink, [
      ...decoder.edge('A', pins.A.read() === 1, now),
      ...decoder.edge('B', pins.B.read() === 1, now),
    ]);
  }

  private handle(sink: DriverSink, outputs: DoorOutput[]): void {
    const decoder = this.decoder;
    if (!decoder) return;
    for (const o of outputs) {
      if (o.kind === 'passage') sink.passage(o.direction);
      else if (o.kind === 'blocked') {
        const pin = o.beam === 'A' ? this.cfg.outerPin : this.cfg.innerPin;
        sink.health(
          this.name,
          'fault',
          `${BEAM_NAMES[o.beam]} (BCM ${pin}) blocked for ${this.cfg.blockedFaultSec} s`,
        );
      } else if (!decoder.isBlocked('A') && !decoder.isBlocked('B')) {
        sink.health(this.name, 'ok', `${BEAM_NAMES[o.beam]} clear again`);
      }
    }
    this.cancelDeadline?.();
    this.cancelDeadline = undefined;
    const due = decoder.deadline();
    if (due === undefined) return;
    this.cancelDeadline = this.ctx.timers.after(Math.max(0, due - this.ctx.timers.now()), () => {
      this.cancelDeadline = undefined;
      this.handle(sink, decoder.advance(this.ctx.timers.now()));
    });
  }
}
