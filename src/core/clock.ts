/**
 * Time as an injected dependency. The point model never reads a clock; the app passes `now()` in.
 * `every()` schedules in *clock* time, so a simulated clock running 120× faster fires timers 120× faster
 * and a manual clock in tests fires them only when advanced.
 */
export interface Clock {
  /** Wall-clock time in epoch milliseconds (simulated time for a simulated clock). */
  now(): number;
  /** Calls `fn` every `intervalMs` of clock time until the returned function is called. */
  every(intervalMs: number, fn: () => void): () => void;
  /** Calls `fn` once after `delayMs` of clock time unless cancelled. */
  after(delayMs: number, fn: () => void): () => void;
}

export class SystemClock implements Clock {
  now(): number {
    return Date.now();
  }

  every(intervalMs: number, fn: () => void): () => void {
    const handle = setInterval(fn, intervalMs);
    return () => clearInterval(handle);
  }

  after(delayMs: number, fn: () => void): () => void {
    const handle = setTimeout(fn, delayMs);
    return () => clearTimeout(handle);
  }
}

interface Timer {
  id: number;
  due: number;
  intervalMs: number | null;
  fn: () => void;
}

/**
 * A clock that only moves when told to. Timers fire in due-time order, ties in registration order, so
 * a run is a pure function of the sequence of `advance()` calls: the base of deterministic simulation.
 */
export class ManualClock implements Clock {
  private current: number;
  private nextId = 1;
  private timers: Timer[] = [];

  constructor(startMs: number) {
    this.current = startMs;
  }

  now(): number {
    return this.current;
  }

  every(intervalMs: number, fn: () => void): () => void {
    if (!(intervalMs > 0)) throw new RangeError(`interval must be positive, got ${intervalMs}`);
    return this.add(this.current + intervalMs, intervalMs, fn);
  }

  after(delayMs: number, fn: () => void): () => void {
    return this.add(this.current + Math.max(0, delayMs), null, fn);
  }

  /** Moves time forward by `ms`, firing every timer that falls due on the way. */
  advance(ms: number): void {
    const target = this.current + ms;
    for (;;) {
      const next = this.earliestDue(target);
      if (!next) break;
      this.current = next.due;
      if (next.intervalMs === null) this.timers = this.timers.filter((t) => t !== next);
      else next.due += next.intervalMs;
      next.fn();
    }
    this.current = target;
  }

  private earliestDue(limit: number): Timer | undefined {
    let best: Timer | undefined;
    for (const t of this.timers) {
      if (t.due <= limit && (!best || t.due < best.due || (t.due === best.due && t.id < best.id))) best = t;
    }
    return best;
  }

  private add(due: number, intervalMs: number | null, fn: () => void): () => void {
    const timer: Timer = { id: this.nextId++, due, intervalMs, fn };
    this.timers.push(timer);
    return () => {
      this.timers = this.timers.filter((t) => t !== timer);
    };
  }
}

/**
 * Simulated time running `speed`× faster than real time. A real interval of `stepMs` advances the manual
 * clock by exactly `stepMs × speed`, independent of timer jitter, so the same seed gives the same run.
 */
export class SimulatedClock extends ManualClock {
  private handle: ReturnType<typeof setInterval> | undefined;

  constructor(
    startMs: number,
    private readonly speed: number,
    private readonly stepMs = 50,
  ) {
    super(startMs);
  }

  start(): void {
    if (this.handle) return;
    this.handle = setInterval(() => this.advance(this.stepMs * this.speed), this.stepMs);
  }

  stop(): void {
    if (this.handle) clearInterval(this.handle);
    this.handle = undefined;
  }
}
