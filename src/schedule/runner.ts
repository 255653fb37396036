import type { ScheduleEntry } from '../config/schema.js';
import type { Clock } from '../core/clock.js';
import type { PointEvent } from '../core/events.js';
import type { ScheduledMode } from '../point/types.js';
import type { CronScheduler } from './cron.js';
import { phaseAfter, phaseAt, type SchedulePhase } from './rules.js';

/** What the schedule drives: the pipeline (or a test's fake). */
export interface ScheduleTarget {
  setScheduled(phase: ScheduledMode): void;
  currentMode(): string;
  logEvent(event: PointEvent): void;
}

export interface ScheduleContext {
  entries: readonly ScheduleEntry[];
  timeZone: string;
  scheduler: CronScheduler;
  clock: Clock;
  target: ScheduleTarget;
}

/**
 * Connects the schedule to the point: at start the phase the schedule is in now (so a restart at 10:00
 * after an 08:00 opening is open), then each entry as its cron time comes. Every change is logged; while
 * an operator override is set, the schedule's phase is recorded but the operator's mode wins.
 */
export class ScheduleRunner {
  private cancels: Array<() => void> = [];
  private phase: SchedulePhase | undefined;

  constructor(private readonly ctx: ScheduleContext) {}

  start(): void {
    if (this.cancels.length > 0 || this.ctx.entries.length === 0) return;
    const { entries, timeZone, scheduler, clock } = this.ctx;
    this.apply(phaseAt(entries, timeZone, clock.now(), (e, z, t) => scheduler.matches(e, z, t)));
    this.cancels = entries.map((entry) =>
      scheduler.schedule(entry.cron, timeZone, (firedAt) => this.apply(phaseAfter(entry, firedAt))),
    );
  }

  stop(): void {
    for (const cancel of this.cancels) cancel();
    this.cancels = [];
  }

  current(): SchedulePhase | undefined {
    return this.phase;
  }

  private apply(phase: SchedulePhase): void {
    const before = this.phase;
    this.phase = phase;
    if (before && before.mode === phase.mode) return;
    const mode = this.ctx.target.currentMode();
    const why = phase.entry?.reason ? ` (${phase.entry.reason})` : '';
    const overridden = mode !== 'auto' ? `; operator mode ${mode} stays in force until \`mode auto\`` : '';
    this.ctx.target.logEvent({
      type: 'schedule.changed',
      level: 'info',
      ts: this.ctx.clock.now(),
      message: `schedule: ${before?.mode ?? 'start'} → ${phase.mode}${why}${overridden}`,
      data: {
        from: before?.mode ?? null,
        to: phase.mode,
        cron: phase.entry?.cron ?? null,
        reason: phase.entry?.reason ?? null,
        firedAt: phase.firedAt === null ? null : new Date(phase.firedAt).toISOString(),
      },
    });
    this.ctx.target.setScheduled(phase.mode);
  }
}
