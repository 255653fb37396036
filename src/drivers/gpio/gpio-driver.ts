import type { Clock } from '../../core/clock.js';
import type { Driver, DriverSink } from '../interfaces.js';
import { type GpioDeps, openGpio } from './open.js';
import type { GpioBackend } from './pins.js';

/** What every GPIO driver gets: how to reach the pins, and real-time timers (edges happen in real time). */
export interface GpioDriverContext extends GpioDeps {
  timers: Clock;
}

/** Re-reports unchanged inputs this often so their readings never go stale (rules.staleAfterSec ≥ 60). */
export const GPIO_HEARTBEAT_MS = 30_000;

/** Something the driver opened and must close on stop. */
export interface Closable {
  close(): void;
}

/**
 * The lifecycle shared by the GPIO drivers: `start()` never throws; a pin that cannot be opened gives a
 * clear `fault` and is retried every `retrySec`; a heartbeat re-reads the pins, and a pin that vanished
 * (unexported under us, the line gone) is a `fault` with null on every channel the driver reported, then
 * reopened like a pin that could not be opened; `stop()` closes everything.
 */
export abstract class GpioDriver implements Driver {
  private opened: Closable[] = [];
  private cancelRetry: (() => void) | undefined;
  private cancelBeat: (() => void) | undefined;
  private running = false;
  /** The channels this driver has reported, to log null on them when its pins are lost. */
  private readonly channels = new Set<string>();
  protected sink: DriverSink | undefined;

  constructor(
    readonly name: string,
    protected readonly ctx: GpioDriverContext,
  ) {}

  /** Opens the pins, handing each to `keep` so it is closed on stop; throws with a message naming the pin. */
  protected abstract open(gpio: GpioBackend, sink: DriverSink, keep: <T extends Closable>(c: T) => T): void;
  /** Called every heartbeat while open. */
  protected abstract heartbeat(sink: DriverSink): void;

  async start(sink: DriverSink): Promise<void> {
    if (this.running) return;
    this.running = true;
    this.sink = this.tracking(sink);
    await this.attempt(this.sink);
  }

  async stop(): Promise<void> {
    this.running = false;
    this.cancelRetry?.();
    this.cancelBeat?.();
    this.cancelRetry = this.cancelBeat = undefined;
    this.closeAll();
  }

  private async attempt(sink: DriverSink): Promise<void> {
    this.cancelRetry = undefined;
    try {
      const gpio = await openGpio(this.ctx);
      if (!this.running) return;
      this.open(gpio, sink, (c) => {
        this.opened.push(c);
        return c;
      });
    } catch (err) {
      this.closeAll();
      if (!this.running) return;
      sink.health(this.name, 'fault', (err as Error).message);
      this.cancelRetry = this.ctx.timers.after(
        this.ctx.settings.retrySec * 1000,
        () => void this.attempt(sink),
      );
      return;
    }
    sink.health(this.name, 'ok', 'pins open');
    this.cancelBeat = this.ctx.timers.every(GPIO_HEARTBEAT_MS, () => this.beat(sink));
  }

  private beat(sink: DriverSink): void {
    try {
      this.heartbeat(sink);
    } catch (err) {
      // a throw here would escape the timer and end the service; a lost pin is a fault like any other
      this.cancelBeat?.();
      this.cancelBeat = undefined;
      this.closeAll();
      sink.health(this.name, 'fault', `pin lost: ${(err as Error).message}`);
      for (const channel of this.channels) sink.reading(channel, null);
      this.cancelRetry = this.ctx.timers.after(
        this.ctx.settings.retrySec * 1000,
        () => void this.attempt(sink),
      );
    }
  }

  /** The sink, noting which channels were reported. */
  private tracking(sink: DriverSink): DriverSink {
    return {
      reading: (channel, value) => {
        this.channels.add(channel);
        sink.reading(channel, value);
      },
      passage: (p) => sink.passage(p),
      health: (d, h, m) => sink.health(d, h, m),
      event: (e) => sink.event?.(e),
      button: (b) => sink.button?.(b),
      lastValue: (c) => sink.lastValue?.(c),
    };
  }

  private closeAll(): void {
    for (const c of this.opened.splice(0)) {
      try {
        c.close();
      } catch {
        // closing is best effort: the pin may already be gone
      }
    }
  }
}
