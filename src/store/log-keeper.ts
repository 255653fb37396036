import type { Clock } from '../core/clock.js';
import type { Logger } from '../core/logger.js';
import type { CronScheduler } from '../schedule/cron.js';
import { isDiskFull } from './appends.js';
import { correctClock, correctionEvent } from './clock-correction.js';
import type { SpaceReserve } from './reserve.js';
import { applyRetention, overBudget, type RetentionPolicy, shedOldest } from './retention.js';
import type { SqliteLog } from './sqlite-log.js';

export interface LogKeeperContext {
  policy: RetentionPolicy;
  /** Cron expression for the retention pass (storage.retentionSchedule). */
  schedule: string;
  /** node-cron behind src/schedule/cron.ts; tests pass a fake or a ClockCronScheduler on a ManualClock. */
  scheduler: CronScheduler;
  timeZone: string;
  clock: Clock;
  logger: Logger;
  /** How often to look whether the clock has become synchronised (clock time). */
  clockCheckMs?: number;
  /** Ballast released when the filesystem is full, so the shedding itself can be written. */
  reserve?: SpaceReserve;
}

/**
 * Looks after the open log: the scheduled retention pass, shedding when a write finds the disk full,
 * and correcting pre-sync timestamps once the clock is known. Nothing here stops the service: each
 * failure is logged and the next run tries again.
 */
export class LogKeeper {
  private log: SqliteLog | undefined;
  private cancel: Array<() => void> = [];
  private fullAlarmRaised = false;
  private shedding = false;

  constructor(private readonly ctx: LogKeeperContext) {}

  /** Pass to openLog({ onFull }): frees space by policy and raises one alarm per full-disk episode. */
  readonly onFull = (log: SqliteLog, err: Error): boolean => {
    if (this.shedding) return false;
    this.shedding = true;
    try {
      const now = this.ctx.clock.now();
      // Copy the WAL back into the file first, so the shedding below writes from the WAL's start
      // instead of needing the room that is missing. Shedding first stalled logging for good once a
      // reader's snapshot (an export, the web) had kept checkpoints from finishing on a full disk.
      let copied = copyBack(log);
      let released = false;
      if (copied === 'no room') {
        // the copy itself must grow the file: that is what the ballast is for
        released = this.ctx.reserve?.release() === true;
        copied = released ? copyBack(log) : copied;
      }
      // A reader still holds the WAL: shedding now could not be written either, and releasing the
      // ballast would only let the WAL eat it. The readings wait in memory; the next commit tries again.
      if (copied !== 'done') return false;
      const shed = shedOldest(log, 'disk full', now);
      // rewind the WAL into the freed pages, so the next commits need no new space on the filesystem
      log.database().pragma('wal_checkpoint(RESTART)');
      this.ctx.logger.warn('the log is out of space: shed its oldest readings', {
        shed,
        released,
        error: err.message,
      });
      if (shed > 0 && !this.fullAlarmRaised) {
        this.fullAlarmRaised = true;
        log.appendEvent({
          type: 'storage.full',
          level: 'alarm',
          ts: now,
          message: `the log ran out of space (${err.message}); the oldest ${shed} readings were shed`,
          data: { shed, error: err.message },
        });
      }
      return shed > 0;
    } catch (shedErr) {
      this.ctx.logger.error('could not free space in the log', { error: shedErr });
      return false;
    } finally {
      this.shedding = false;
    }
  };

  start(log: SqliteLog): void {
    if (this.log) return;
    this.log = log;
    this.ctx.reserve?.ensure();
    this.cancel.push(
      this.ctx.scheduler.schedule(this.ctx.schedule, this.ctx.timeZone, () => this.runRetention()),
    );
    this.checkClock();
    this.cancel.push(this.ctx.clock.every(this.ctx.clockCheckMs ?? 60_000, () => this.checkClock()));
  }

  stop(): void {
    for (const c of this.cancel.splice(0)) c();
    this.log = undefined;
  }

  runRetention(): void {
    const log = this.log;
    if (!log) return;
    try {
      const r = applyRetention(log, this.ctx.policy, this.ctx.clock.now());
      if (r.downsampled + r.shed > 0)
        this.ctx.logger.info('retention', { downsampled: r.downsampled, shed: r.shed });
      if (!overBudget(log, this.ctx.policy)) {
        this.fullAlarmRaised = false;
        this.ctx.reserve?.ensure();
      }
    } catch (err) {
      this.ctx.logger.error('retention failed; will retry at the next run', { error: err });
    }
  }

  checkClock(): void {
    const log = this.log;
    if (log?.timeSource().clockSync() !== 'synchronized') return;
    try {
      const now = this.ctx.clock.now();
      const c = correctClock(log, now);
      if (c && c.readings + c.events > 0) log.appendEvent(correctionEvent(c, now));
    } catch (err) {
      this.ctx.logger.error('could not correct pre-sync timestamps', { error: err });
    }
  }
}

/**
 * A passive checkpoint (it never waits for readers): 'done' when the whole WAL is in the file, so the
 * next write starts the WAL from its start; 'pinned' when a reader's snapshot still needs part of it;
 * 'no room' when the file had to grow and the filesystem is full.
 */
function copyBack(log: SqliteLog): 'done' | 'pinned' | 'no room' {
  try {
    const [r] = log.database().pragma('wal_checkpoint(PASSIVE)') as Array<{
      log: number;
      checkpointed: number;
    }>;
    return r && r.checkpointed < r.log ? 'pinned' : 'done';
  } catch (err) {
    if (isDiskFull(err)) return 'no room';
    throw err;
  }
}
