import type { KioskConfig } from '../config/schema.js';
import type { StatusMessage, StatusUplink } from '../contract/status.js';
import type { Clock } from '../core/clock.js';
import type { PointEvent } from '../core/events.js';
import type { Logger } from '../core/logger.js';
import type { Reading } from '../core/readings.js';
import type { DriverHealth, DriverSink } from '../drivers/interfaces.js';
import { acknowledgeAlarm } from '../point/alarms/engine.js';
import { evaluatePoint, type ModelConfig } from '../point/model.js';
import {
  adjustCount,
  applyPassage,
  emptyOccupancy,
  type Occupancy,
  type Passage,
  rollDay,
  setCount,
} from '../point/occupancy.js';
import { type Announcement, buildStatus } from '../point/status.js';
import type { ChannelValue, Mode, PointState, ScheduledMode, SensorHealth } from '../point/types.js';
import type { SignOutput } from '../sign/output.js';
import { patternFor, signDetailFor, technicianIndicator } from '../sign/pattern.js';
import type { LogStore } from '../store/types.js';
import type { ClockSyncState } from '../system/clock-sync.js';
import type { Uplink } from '../uplink/types.js';
import { BacklogWatch } from './backlog-watch.js';
import { handleButton } from './buttons.js';
import { StatusPublishPolicy, type StatusPublishReason } from './status-publish-policy.js';

export interface PipelineContext {
  config: KioskConfig;
  clock: Clock;
  logger: Logger;
  store: LogStore;
  /** Buffers readings for the group commit. */
  record: (reading: Reading) => void;
  /**
   * Saves the status snapshot (default: `store.saveStatus` at once). `urgency` says how soon it must be
   * on disk (src/pipeline/status-publish-policy.ts): `now` (state, a value appearing or going null),
   * `soon` (a value past its deadband: the next group commit), `idle` (a heartbeat: may wait for one).
   */
  saveStatus?: (status: StatusMessage, savedAt: number, urgency: StatusUrgency) => void;
  signs: readonly SignOutput[];
  uplink: Uplink | undefined;
  /** Called after every evaluation that reached the sign: the main loop's liveness (systemd watchdog). */
  heartbeat?: () => void;
  /** Whether the wall clock is synchronised (a Pi has no RTC); reported in `status.clock`. */
  clockSync?: () => ClockSyncState;
}

const TICK_MS = 1000;
/** Values moving past their deadbands are published at most this often (clock time). */
const STATUS_MIN_INTERVAL_MS = 5000;
const OCCUPANCY_CHANNELS = ['occupancy.count', 'occupancy.entries', 'occupancy.exits'] as const;

/**
 * The running point: readings and passages in, the model evaluated, and the result sent to the sign, the
 * log and the uplink. It evaluates once per clock second (time-based rules: dwell, staleness, trends) and
 * also at once, coalesced in one microtask, when a reading changes a value or a person passes the door,
 * so the sign follows the world within milliseconds. All decisions are in the pure model.
 */
export class PointPipeline {
  private readonly latest = new Map<string, ChannelValue>();
  private modelConfig: ModelConfig;
  private notice: Announcement | undefined;
  private occupancy: Occupancy;
  private mode: Mode = 'auto';
  private state: PointState | undefined;
  private readonly statusPolicy: StatusPublishPolicy;
  /** The uplink's figures (backlog counts are SQL) for the status drafted every tick, refreshed now and then. */
  private uplinkFigures: { at: number; value: StatusUplink } | undefined;
  private lastStatus: StatusMessage | undefined;
  private cancelTick: (() => void) | undefined;
  private readonly health = new Map<string, SensorHealth>();
  private scheduled: ScheduledMode = 'open';
  private evaluationQueued = false;
  private readonly backlog: BacklogWatch;

  constructor(private readonly ctx: PipelineContext) {
    const p = ctx.config.point;
    this.modelConfig = {
      capacity: p.capacity,
      servesElderly: p.servesElderly,
      services: p.services,
      rules: ctx.config.rules,
      alarms: ctx.config.alarms,
    };
    this.occupancy = emptyOccupancy(ctx.clock.now(), p.timezone);
    this.backlog = new BacklogWatch(ctx.store, ctx.uplink);
    this.statusPolicy = new StatusPublishPolicy({
      minIntervalMs: STATUS_MIN_INTERVAL_MS,
      heartbeatMs: (ctx.config.mqtt?.statusIntervalSec ?? 60) * 1000,
      logging: ctx.config.storage.logging,
    });
  }

  /** Picks up where the last run stopped: the operator's mode and the people count. */
  restore(mode: Mode): void {
    this.mode = mode;
    const rows = this.ctx.store.latestReadings(OCCUPANCY_CHANNELS);
    const count = rows.get('occupancy.count');
    if (!count || count.value === null) return;
    const tz = this.ctx.config.point.timezone;
    const restored: Occupancy = {
      count: count.value,
      entries: rows.get('occupancy.entries')?.value ?? 0,
      exits: rows.get('occupancy.exits')?.value ?? 0,
      day: emptyOccupancy(count.ts, tz).day,
    };
    this.occupancy = rollDay(restored, this.ctx.clock.now(), tz);
  }

  readonly sink: DriverSink = {
    reading: (channel, value) => this.reading(channel, value),
    passage: (direction) => this.passage(direction),
    health: (driver, health, message) => this.driverHealth(driver, health, message),
    event: (event) => this.logEvent({ ...event, ts: this.ctx.clock.now() }),
    button: (name) => this.button(name),
    lastValue: (channel) => this.ctx.store.latestReadings([channel]).get(channel)?.value,
  };

  start(): void {
    if (this.cancelTick) return;
    this.publishOccupancy();
    this.tick();
    this.cancelTick = this.ctx.clock.every(TICK_MS, () => this.tick());
  }

  stop(): void {
    this.cancelTick?.();
    this.cancelTick = undefined;
  }

  current(): PointState | undefined {
    return this.state;
  }

  /** The status last published (the object the uplink and the log got); a new object per change. */
  latestStatus(): StatusMessage | undefined {
    return this.lastStatus;
  }

  currentMode(): Mode {
    return this.mode;
  }

  currentOccupancy(): Occupancy {
    return this.occupancy;
  }

  setMode(mode: Mode): void {
    this.mode = mode;
    this.tick();
  }

  /** What the schedule says now (src/schedule); it counts only while the mode is `auto`. */
  currentScheduled(): ScheduledMode {
    return this.scheduled;
  }

  setScheduled(phase: ScheduledMode): void {
    if (phase === this.scheduled) return;
    this.scheduled = phase;
    // before start() (the schedule's phase at boot) the first tick uses it
    if (this.cancelTick) this.tick();
  }

  /** The operator has seen an alarm: logged, kept on the alarm until it clears. */
  acknowledgeAlarm(alarm: string, by: string): { ok: boolean; text: string } {
    const state = this.state;
    if (!state) return { ok: false, text: 'the point has not been judged yet' };
    const result = acknowledgeAlarm(state.alarms, alarm, by, this.ctx.clock.now());
    if (!result.ok) return { ok: false, text: result.error };
    this.state = { ...state, alarms: result.active };
    this.logEvent(result.event);
    this.tick();
    return { ok: true, text: result.event.message };
  }

  /** Acknowledges every raised alarm not yet acknowledged (the operator's button); returns how many. */
  acknowledgeAllAlarms(by: string): number {
    const pending = (this.state?.alarms ?? []).filter((a) => a.acknowledged === null);
    return pending.filter((a) => this.acknowledgeAlarm(a.alarm, by).ok).length;
  }

  /** Overrides point.capacity (MQTT `cmd/capacity.set`); the status goes out at once. */
  setCapacity(capacity: number): void {
    this.modelConfig = { ...this.modelConfig, capacity };
    this.statusPolicy.force();
    // Before start() (restoring after a restart) the first tick publishes it.
    if (this.cancelTick) this.tick();
  }

  currentCapacity(): number {
    return this.modelConfig.capacity;
  }

  /** Sets (or, with undefined, clears) the announcement; the status goes out at once. */
  setAnnouncement(notice: Announcement | undefined): void {
    this.notice = notice;
    this.statusPolicy.force();
    // Before start() (restoring after a restart) the first tick publishes it.
    if (this.cancelTick) this.tick();
  }

  /** The current announcement, or undefined when none is set or it has lapsed. */
  announcement(): Announcement | undefined {
    const n = this.notice;
    if (n?.expiresAt !== undefined && Date.parse(n.expiresAt) <= this.ctx.clock.now()) return undefined;
    return n;
  }

  setOccupancy(change: { set: number } | { adjust: number }): Occupancy {
    this.occupancy =
      'set' in change ? setCount(this.occupancy, change.set) : adjustCount(this.occupancy, change.adjust);
    this.publishOccupancy();
    this.tick();
    return this.occupancy;
  }

  /** Logs an event durably; a failing disk must not stop the sign, so the failure is only logged. */
  logEvent(event: PointEvent): void {
    try {
      this.ctx.store.appendEvent(event);
      this.ctx.uplink?.notifyLogged();
    } catch (err) {
      this.ctx.logger.error('could not log event', { type: event.type, error: err });
    }
  }

  private reading(channel: string, value: number | null): void {
    const ts = this.ctx.clock.now();
    const before = this.latest.get(channel);
    this.latest.set(channel, { value, ts });
    this.ctx.record({ channel, value, ts });
    // a new value may change the judgement now; a repeated one only refreshes it (the tick sees that)
    if (!before || before.value !== value) this.requestEvaluation();
  }

  /** Evaluates once after the current burst of readings (a driver reports several channels at once). */
  private requestEvaluation(): void {
    if (this.evaluationQueued || !this.cancelTick) return;
    this.evaluationQueued = true;
    queueMicrotask(() => {
      this.evaluationQueued = false;
      if (this.cancelTick) this.tick();
    });
  }

  private button(name: string): void {
    try {
      handleButton(name, {
        now: this.ctx.clock.now(),
        mode: this.mode,
        enqueue: (cmd) => this.ctx.store.enqueueCommand(cmd),
        logEvent: (e) => this.logEvent(e),
        acknowledgeAlarms: (actor) => this.acknowledgeAllAlarms(actor),
      });
    } catch (err) {
      this.ctx.logger.error('could not handle a button', { button: name, error: err });
    }
  }

  private passage(direction: Passage): void {
    this.occupancy = applyPassage(
      this.occupancy,
      direction,
      this.ctx.clock.now(),
      this.ctx.config.point.timezone,
    );
    this.publishOccupancy();
  }

  private publishOccupancy(): void {
    this.reading('occupancy.count', this.occupancy.count);
    this.reading('occupancy.entries', this.occupancy.entries);
    this.reading('occupancy.exits', this.occupancy.exits);
  }

  private driverHealth(driver: string, health: DriverHealth, message: string): void {
    this.health.set(driver, health);
    this.requestEvaluation();
    const level = health === 'ok' || health === 'starting' ? 'info' : 'warning';
    this.ctx.logger.info(`driver ${driver}: ${health}`, { message });
    this.logEvent({
      type: 'driver.health',
      level,
      ts: this.ctx.clock.now(),
      message: `${driver}: ${health} (${message})`,
      data: { driver, health },
    });
  }

  private tick(): void {
    const now = this.ctx.clock.now();
    const rolled = rollDay(this.occupancy, now, this.ctx.config.point.timezone);
    if (rolled !== this.occupancy) {
      this.occupancy = rolled;
      this.publishOccupancy();
    }
    const prev = this.state;
    const { state, events } = evaluatePoint(
      prev,
      {
        now,
        latest: this.latest,
        mode: this.mode,
        occupancy: this.occupancy.count,
        scheduled: this.scheduled,
        visitorsToday: this.occupancy.entries,
        health: this.health,
      },
      this.modelConfig,
    );
    this.state = state;
    // the sign first: people outside must not wait for the disk to commit the event
    this.showSign(state, now);
    for (const e of events) {
      this.ctx.logger.info(e.message, { event: e.type });
      this.logEvent(e);
    }
    this.maybePublishStatus(state, now);
    this.ctx.heartbeat?.();
  }

  private showSign(state: PointState, now: number): void {
    const detail = signDetailFor(state, technicianIndicator(this.backlog.current(now)));
    const pattern = patternFor(state.state);
    for (const sign of this.ctx.signs) {
      try {
        sign.show(pattern, detail);
      } catch (err) {
        // one broken output (a GPIO write failing) must not darken the others
        this.ctx.logger.error('sign output failed', { error: err });
      }
    }
  }

  private maybePublishStatus(state: PointState, now: number): void {
    // drafted every evaluation (the policy compares what it shows), completed only when it goes out
    const draft = this.statusNow(state, now, this.uplinkStatus(now, false));
    const reason = this.statusPolicy.decide(draft, now);
    if (!reason) return;
    const status = { ...draft, uplink: this.uplinkStatus(now, true) };
    this.lastStatus = status;
    try {
      if (this.ctx.saveStatus) this.ctx.saveStatus(status, now, urgencyOf(reason));
      else this.ctx.store.saveStatus(status, now);
    } catch (err) {
      this.ctx.logger.error('could not save status', { error: err });
    }
    this.ctx.uplink?.publishStatus(status);
  }

  /**
   * The uplink's part of the status. `fresh` (a status going out): read now, unless already read at this
   * clock moment. Otherwise (the per-tick draft) at most every STATUS_MIN_INTERVAL_MS, with the cheap
   * `connected` flag always current, so a link coming or going is still noticed at once.
   */
  private uplinkStatus(now: number, fresh: boolean): StatusUplink {
    const uplink = this.ctx.uplink;
    const cached = this.uplinkFigures;
    const age = cached === undefined ? Number.POSITIVE_INFINITY : now - cached.at;
    if (cached && (age === 0 || (!fresh && age > 0 && age < STATUS_MIN_INTERVAL_MS))) {
      return { ...cached.value, connected: uplink?.state().connected ?? false };
    }
    const value = uplink?.heartbeat?.() ?? {
      connected: uplink?.state().connected ?? false,
      backlog: this.ctx.store.backlog(),
    };
    this.uplinkFigures = { at: now, value };
    return value;
  }

  private statusNow(state: PointState, now: number, uplink: StatusUplink): StatusMessage {
    return buildStatus(state, {
      pointId: this.ctx.config.point.id,
      pointName: this.ctx.config.point.name,
      epoch: this.ctx.store.epoch,
      now,
      latest: this.latest,
      occupancy: this.occupancy,
      uplink,
      announcement: this.announcement(),
      clockSync: this.ctx.clockSync?.() ?? 'unknown',
      staleAfterMs: this.ctx.config.rules.staleAfterSec * 1000,
    });
  }
}

export type StatusUrgency = 'now' | 'soon' | 'idle';

function urgencyOf(reason: StatusPublishReason): StatusUrgency {
  if (reason === 'heartbeat') return 'idle';
  return reason === 'deadband' ? 'soon' : 'now';
}
