import nodeCron, { type ScheduledTask } from 'node-cron';
import type { Clock } from '../core/clock.js';

/**
 * The only place that knows node-cron. Everything else sees this small interface, so tests and
 * simulated runs drive schedules from the injected clock instead of the wall clock.
 */
export interface CronScheduler {
  /** Calls `fn` at every minute `expression` matches in `timeZone`, until the returned function is called. */
  schedule(expression: string, timeZone: string, fn: (firedAt: number) => void): () => void;
  /** Whether `expression` matches the minute that holds `ts` in `timeZone`. */
  matches(expression: string, timeZone: string, ts: number): boolean;
}

const MINUTE_MS = 60_000;

/** Cached node-cron matchers: a stopped task is a pure matcher (no timers); destroyed on `close()`. */
class Matchers {
  private readonly tasks = new Map<string, ScheduledTask>();

  matches(expression: string, timeZone: string, ts: number): boolean {
    const key = `${timeZone}\u0000${expression}`;
    let task = this.tasks.get(key);
    if (!task) {
      task = nodeCron.createTask(expression, () => undefined, { timezone: timeZone });
      this.tasks.set(key, task);
    }
    return task.match(new Date(Math.floor(ts / MINUTE_MS) * MINUTE_MS));
  }

  close(): void {
    for (const task of this.tasks.values()) void task.destroy();
    this.tasks.clear();
  }
}

/** Production: node-cron's own timers on the wall clock, in the point's time zone. */
export class NodeCronScheduler implements CronScheduler {
  private readonly matchers = new Matchers();

  schedule(expression: string, timeZone: string, fn: (firedAt: number) => void): () => void {
    const task = nodeCron.schedule(expression, (c) => fn(c.date.getTime()), { timezone: timeZone });
    return () => void task.destroy();
  }

  matches(expression: string, timeZone: string, ts: number): boolean {
    return this.matchers.matches(expression, timeZone, ts);
  }

  close(): void {
    this.matchers.close();
  }
}

/**
 * Simulated and manual clocks: the injected clock is looked at every minute and node-cron's matcher
 * decides. A simulated run at 120× speed therefore opens and closes at simulated times.
 */
export class ClockCronScheduler implements CronScheduler {
  private readonly matchers = new Matchers();

  constructor(private readonly clock: Clock) {}

  schedule(expression: string, timeZone: string, fn: (firedAt: number) => void): () => void {
    let cancelEvery: (() => void) | undefined;
    const check = () => {
      const now = this.clock.now();
      if (this.matches(expression, timeZone, now)) fn(Math.floor(now / MINUTE_MS) * MINUTE_MS);
    };
    const toNextMinute = MINUTE_MS - (this.clock.now() % MINUTE_MS);
    let cancelFirst: (() => void) | undefined = this.clock.after(toNextMinute, () => {
      cancelFirst = undefined;
      check();
      cancelEvery = this.clock.every(MINUTE_MS, check);
    });
    return () => {
      cancelFirst?.();
      cancelEvery?.();
    };
  }

  matches(expression: string, timeZone: string, ts: number): boolean {
    return this.matchers.matches(expression, timeZone, ts);
  }

  close(): void {
    this.matchers.close();
  }
}
