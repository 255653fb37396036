import type { Component } from '../app.js';
import type { KioskConfig } from '../config/schema.js';
import { type Clock, SystemClock } from '../core/clock.js';
import { ClockCronScheduler, type CronScheduler, NodeCronScheduler } from './cron.js';
import { ScheduleRunner, type ScheduleTarget } from './runner.js';

/**
 * The schedule as a service component, started before the model so the first judgement already knows
 * the phase. On the wall clock node-cron fires the entries; on a simulated or manual clock the clock does.
 */
export function scheduleComponent(
  config: KioskConfig,
  clock: Clock,
  target: () => ScheduleTarget,
): Component {
  let runner: ScheduleRunner | undefined;
  let scheduler: (CronScheduler & { close(): void }) | undefined;
  return {
    name: 'schedule',
    start: () => {
      if (config.schedule.entries.length === 0) return;
      scheduler = clock instanceof SystemClock ? new NodeCronScheduler() : new ClockCronScheduler(clock);
      runner = new ScheduleRunner({
        entries: config.schedule.entries,
        timeZone: config.point.timezone,
        scheduler,
        clock,
        target: target(),
      });
      runner.start();
    },
    stop: () => {
      runner?.stop();
      scheduler?.close();
    },
  };
}
