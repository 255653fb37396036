import { resolve } from 'node:path';
import type { KioskConfig } from '../config/schema.js';
import type { Clock } from '../core/clock.js';
import type { Logger } from '../core/logger.js';
import { ClockCronScheduler, type CronScheduler } from '../schedule/cron.js';
import { monotonicNowMs, systemTimeSource, type TimeSource } from '../system/boot-info.js';
import type { ClockSyncState } from '../system/clock-sync.js';
import { cachedClockSync, detectClockSync } from '../system/clock-sync.js';
import { LogKeeper } from './log-keeper.js';
import { openLogRecovering } from './recovery.js';
import { SpaceReserve } from './reserve.js';
import type { SqliteLog } from './sqlite-log.js';

/** Ballast kept next to the log for a full disk: room for a shedding transaction and its WAL frames. */
const RESERVE_BYTES = 512 * 1024;

export interface ServiceLogContext {
  config: KioskConfig;
  clock: Clock;
  logger: Logger;
  /** Default: this machine's boot id, monotonic clock and timesyncd/chrony state. */
  time?: TimeSource;
  /** Default: node-cron's matcher on the injected clock (so simulated runs retain at simulated times). */
  scheduler?: CronScheduler;
}

/** The service's log: opened (salvaged when corrupt) with its keeper running; one object for compose. */
export class ServiceLog {
  private log: SqliteLog | undefined;
  private readonly keeper: LogKeeper;
  private readonly scheduler: CronScheduler;

  constructor(private readonly ctx: ServiceLogContext) {
    const s = ctx.config.storage;
    const reserve = new SpaceReserve(`${resolve(s.path)}.reserve`, RESERVE_BYTES);
    this.scheduler = ctx.scheduler ?? new ClockCronScheduler(ctx.clock);
    this.keeper = new LogKeeper({
      policy: {
        rawRetentionMs: s.rawRetentionDays * 86_400_000,
        downsampleMs: s.downsampleMinutes * 60_000,
        maxBytes: s.maxBytes,
        minFreeBytes: s.minFreeBytes,
      },
      schedule: s.retentionSchedule,
      scheduler: this.scheduler,
      timeZone: ctx.config.point.timezone,
      clock: ctx.clock,
      logger: ctx.logger,
      reserve,
    });
  }

  /** Whether the wall clock is synchronised now, as the log stamps records; 'unknown' before start. */
  clockSync(): ClockSyncState {
    return this.log?.timeSource().clockSync() ?? 'unknown';
  }

  start(): SqliteLog {
    if (this.log) return this.log;
    const path = resolve(this.ctx.config.storage.path);
    const time =
      this.ctx.time ??
      systemTimeSource(cachedClockSync({ detect: () => detectClockSync(), monotonicMs: monotonicNowMs }));
    const { log, recovery } = openLogRecovering(
      path,
      { time, maxBytes: this.ctx.config.storage.maxBytes, onFull: this.keeper.onFull },
      this.ctx.clock.now(),
    );
    if (recovery) {
      this.ctx.logger.error(
        `the log was corrupt: moved aside to ${recovery.quarantinedAs}, salvaged into a new log`,
        {
          salvaged: recovery.salvaged,
          detail: recovery.detail,
        },
      );
    }
    this.ctx.logger.info(`local log ${path}`, { epoch: log.epoch, clock: time.clockSync() });
    this.log = log;
    this.keeper.start(log);
    return log;
  }

  stop(): void {
    this.keeper.stop();
    const closable = this.scheduler as { close?: () => void };
    if (!this.ctx.scheduler) closable.close?.();
    this.log?.close();
    this.log = undefined;
  }

  /** Runs the retention pass now (tests, `db check --retain` later). */
  keeperNow(): LogKeeper {
    return this.keeper;
  }
}
