import { describe, expect, it } from 'vitest';
import { cronProblem } from '../../../src/config/cron-problem.js';
import { buildConfigSchema } from '../../../src/config/schema.js';
import { ManualClock } from '../../../src/core/clock.js';
import type { PointEvent } from '../../../src/core/events.js';
import type { ScheduledMode } from '../../../src/point/types.js';
import { ClockCronScheduler, type CronScheduler } from '../../../src/schedule/cron.js';
import { phaseAt } from '../../../src/schedule/rules.js';
import { ScheduleRunner } from '../../../src/schedule/runner.js';

const TZ = 'Europe/Kyiv'; // UTC+2 in December
const entries = buildConfigSchema().parse({
  point: { id: 'p' },
  schedule: {
    entries: [
      { cron: '0 8 * * *', mode: 'open' },
      { cron: '0 22 * * *', mode: 'closed', reason: 'curfew' },
      { cron: '30 7 * * 0', mode: 'standby' },
    ],
  },
}).schedule.entries;
const at = (iso: string) => Date.parse(iso);
const real = new ClockCronScheduler(new ManualClock(0));
const match = (e: string, z: string, t: number) => real.matches(e, z, t);

describe('cron expressions', () => {
  it.each([
    ['0 8 * * *', undefined],
    ['*/15 6-21 * * 1-5', undefined],
    ['0 8 * *', 'must have 5 fields (minute hour day-of-month month day-of-week), got 4'],
    ['0 0 8 * * *', 'must have 5 fields (minute hour day-of-month month day-of-week), got 6'],
    ['61 8 * * *', '61 is a invalid expression for minute'],
  ])('%s → %s', (expr, problem) => {
    expect(cronProblem(expr)).toBe(problem);
  });

  it('a bad entry is a config problem at its path, and nothing else changes', () => {
    const r = buildConfigSchema().safeParse({
      point: { id: 'p' },
      schedule: { entries: [{ cron: '0 25 * * *', mode: 'open' }] },
    });
    expect(r.success).toBe(false);
    expect(r.error?.issues.map((i) => i.path.join('.'))).toEqual(['schedule.entries.0.cron']);
  });
});

describe('the phase of the schedule, in the point time zone', () => {
  it.each([
    ['2026-12-01T05:59:00Z', 'closed'], // 07:59 Kyiv: closed since 22:00 yesterday
    ['2026-12-01T06:00:00Z', 'open'], // 08:00 Kyiv
    ['2026-12-01T12:00:00Z', 'open'],
    ['2026-12-01T20:00:00Z', 'closed'], // 22:00 Kyiv
    ['2026-12-06T05:45:00Z', 'standby'], // Sunday 07:45 Kyiv
  ] as const)('%s → %s', (iso, mode) => {
    expect(phaseAt(entries, TZ, at(iso), match).mode).toBe(mode);
  });

  it('without entries the point is open; with entries that never fired it is open too', () => {
    expect(phaseAt([], TZ, at('2026-12-01T00:00:00Z'), match).mode).toBe('open');
    expect(phaseAt(entries, TZ, at('2026-12-01T00:00:00Z'), () => false, 10).mode).toBe('open');
  });
});

class FakeScheduler implements CronScheduler {
  readonly jobs: Array<{ expr: string; fn: (t: number) => void }> = [];
  constructor(private readonly phaseAtStart: string) {}
  schedule(expr: string, _tz: string, fn: (t: number) => void): () => void {
    const job = { expr, fn };
    this.jobs.push(job);
    return () => this.jobs.splice(this.jobs.indexOf(job), 1);
  }
  matches(expr: string): boolean {
    return expr === this.phaseAtStart;
  }
  fire(expr: string, t: number): void {
    for (const j of this.jobs) if (j.expr === expr) j.fn(t);
  }
}

function target(mode = 'auto') {
  const phases: ScheduledMode[] = [];
  const events: PointEvent[] = [];
  return {
    phases,
    events,
    setScheduled: (p: ScheduledMode) => phases.push(p),
    currentMode: () => mode,
    logEvent: (e: PointEvent) => events.push(e),
  };
}

describe('the schedule runner', () => {
  it('starts in the phase of now, follows each firing, logs each change, and stops its jobs', () => {
    const clock = new ManualClock(at('2026-12-01T10:00:00Z'));
    const scheduler = new FakeScheduler('0 8 * * *');
    const t = target();
    const runner = new ScheduleRunner({ entries, timeZone: TZ, scheduler, clock, target: t });
    runner.start();
    expect(t.phases).toEqual(['open']);
    scheduler.fire('0 22 * * *', at('2026-12-01T20:00:00Z'));
    scheduler.fire('0 22 * * *', at('2026-12-01T20:00:00Z')); // the same phase again: nothing new
    expect(t.phases).toEqual(['open', 'closed']);
    expect(t.events.map((e) => e.message)).toEqual([
      'schedule: start → open',
      'schedule: open → closed (curfew)',
    ]);
    runner.stop();
    expect(scheduler.jobs).toEqual([]);
  });

  it('notes in the log that an operator override stays in force', () => {
    const scheduler = new FakeScheduler('0 8 * * *');
    const t = target('closed');
    new ScheduleRunner({ entries, timeZone: TZ, scheduler, clock: new ManualClock(0), target: t }).start();
    expect(t.events[0]?.message).toBe(
      'schedule: start → open; operator mode closed stays in force until `mode auto`',
    );
  });

  it('on a manual clock, the clock scheduler fires at the cron minute in the zone', () => {
    const clock = new ManualClock(at('2026-12-01T05:58:30Z'));
    const scheduler = new ClockCronScheduler(clock);
    const fired: number[] = [];
    const cancel = scheduler.schedule('0 8 * * *', TZ, (t) => fired.push(t));
    clock.advance(60_000);
    expect(fired).toEqual([]);
    clock.advance(60_000);
    expect(fired).toEqual([at('2026-12-01T06:00:00Z')]);
    clock.advance(24 * 3_600_000);
    expect(fired).toHaveLength(2);
    cancel();
    clock.advance(24 * 3_600_000);
    expect(fired).toHaveLength(2);
    scheduler.close();
  });
});
