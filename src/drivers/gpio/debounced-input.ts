import type { Clock } from '../../core/clock.js';
import { Debouncer, type Level } from './debounce.js';
import type { InputPin } from './pins.js';

/** An input pin with the pure debouncer and a timer that lets a pending level settle on time. */
export class DebouncedInput {
  private readonly debouncer: Debouncer;
  private cancelSettle: (() => void) | undefined;

  constructor(
    private readonly pin: InputPin,
    debounceMs: number,
    private readonly timers: Pick<Clock, 'now' | 'after'>,
    private readonly onStable: (level: Level) => void,
  ) {
    this.debouncer = new Debouncer(pin.read(), debounceMs, timers.now());
    pin.onChange((level) => this.feed(level));
  }

  get level(): Level {
    return this.debouncer.stable;
  }

  /** Re-reads the pin (an edge may have been missed) and returns the stable level. */
  resync(): Level {
    this.feed(this.pin.read());
    return this.debouncer.stable;
  }

  close(): void {
    this.cancelSettle?.();
    this.cancelSettle = undefined;
    this.pin.close();
  }

  private feed(level: Level): void {
    const changed = this.debouncer.feed(level, this.timers.now());
    if (changed !== undefined) this.onStable(changed);
    this.schedule();
  }

  private schedule(): void {
    this.cancelSettle?.();
    this.cancelSettle = undefined;
    const due = this.debouncer.deadline();
    if (due === undefined) return;
    this.cancelSettle = this.timers.after(Math.max(0, due - this.timers.now()), () => {
      this.cancelSettle = undefined;
      const changed = this.debouncer.settle(this.timers.now());
      if (changed !== undefined) this.onStable(changed);
      this.schedule();
    });
  }
}
