import type { KioskConfig } from '../config/schema.js';
import type { CommandOutcome } from '../contract/commands.js';
import type { StatusMessage, StatusUplink } from '../contract/status.js';
import type { Clock } from '../core/clock.js';
import type { PointEvent } from '../core/events.js';
import type { Logger } from '../core/logger.js';
import type { Reading } from '../core/readings.js';
import type { DriverHealth, DriverSink } from '../drivers/interfaces.js';
import type { CommandInput } from '../point/commands.js';
import { emptyOccupancy, type Occupancy, type Passage, rollDay } from '../point/occupancy.js';
import {
  type AppliedCommand,
  initialMemory,
  type PointInput,
  type PointMemory,
  type ReducerConfig,
  reducePoint,
  restoreMemory,
} from '../point/reducer.js';
import { type Announcement, buildStatus } from '../point/status.js';
import type { Mode, PointState, ScheduledMode } from '../point/types.js';
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
   * on disk (src/pipeline/status-publish-policy.ts): `now` (a state, a value appearing or going null),
   * `soon` (a value past its deadband), `idle` (a heartbeat).
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
/** How often the status is republished without a change (`mqtt.statusIntervalSec`, 60 s without MQTT). */
export function statusHeartbeatMs(config: KioskConfig): number {
  return (config.mqtt?.statusIntervalSec ?? 60) * 1000;
}

const OCCUPANCY_CHANNELS = ['occupancy.count', 'occupancy.entries', 'occupancy.exits'] as const;

/**
 * The running point: readings and passages in, the model evaluated, and the result sent to the sign, the
 * log and the uplink. It evaluates once per clock second (time-based rules: dwell, staleness, trends) and
 * also at once, coalesced in one microtask, when a reading changes a value or a person passes the door,
 * so the sign follows the world within milliseconds. All decisions are in the pure model.
 */
export class PointPipeline {
  private readonly reducer: ReducerConfig;
  private memory: PointMemory;
  private readonly statusPolicy: StatusPublishPolicy;
  /** The uplink's figures (backlog counts are SQL) for the status drafted every tick, refreshed now and then. */
  private uplinkFigures: { at: number; value: StatusUplink } | undefined;
  private lastStatus: StatusMessage | undefined;
  private cancelTick: (() => void) | undefined;
  private evaluationQueued = false;
  private readonly backlog: BacklogWatch;

  constructor(private readonly ctx: PipelineContext) {
    const p = ctx.config.point;
    this.reducer = {
      model: {
        capacity: p.capacity,
        servesElderly: p.servesElderly,
        services: p.services,
        rules: ctx.config.rules,
        alarms: ctx.config.alarms,
      },
      timeZone: p.timezone,
    };
    this.memory = initialMemory(this.reducer, ctx.clock.now());
    this.backlog = new BacklogWatch(ctx.store, ctx.uplink);
    this.statusPolicy = new StatusPublishPolicy({
      minIntervalMs: STATUS_MIN_INTERVAL_MS,
      heartbeatMs: statusHeartbeatMs(ctx.config),
      logging: ctx.config.storage.logging,
    });
  }

  /**
   * Picks up where the last run stopped: the commands applied before (mode, capacity, announcement,
   * desired state) through the reducer, then the people count from the log's readings.
   */
  restore(applied: readonly AppliedCommand[]): void {
    this.memory = restoreMemory(this.memory, applied, this.reducer);
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
    this.memory = { ...this.memory, occupancy: rollDay(restored, this.ctx.clock.now(), tz) };
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
    return this.memory.state;
  }

  /** The status last published (the object the uplink and the log got); a new object per change. */
  latestStatus(): StatusMessage | undefined {
    return this.lastStatus;
  }

  currentMode(): Mode {
    return this.memory.mode;
  }

  currentOccupancy(): Occupancy {
    return this.memory.occupancy;
  }

  currentCapacity(): number {
    return this.memory.capacity;
  }

  /** What the schedule says now (src/schedule); it counts only while the mode is `auto`. */
  currentScheduled(): ScheduledMode {
    return this.memory.scheduled;
  }

  setScheduled(phase: ScheduledMode): void {
    if (phase === this.memory.scheduled) return;
    this.dispatch({ kind: 'schedule', phase, now: this.ctx.clock.now() });
    // before start() (the schedule's phase at boot) the first tick uses it
    if (this.cancelTick) this.tick();
  }

  /**
   * Applies one validated operator command through the reducer (src/pipeline/command-log.ts calls it for
   * every command in the log); the status goes out at once. Before start() the first tick shows it.
   */
  command(command: CommandInput): CommandOutcome {
    const outcome = this.dispatch({ kind: 'command', command, now: this.ctx.clock.now() });
    this.statusPolicy.force();
    if (this.cancelTick) this.tick();
    return outcome ?? { ok: false, text: 'no outcome' };
  }

  /** The current announcement, or undefined when none is set or it has lapsed. */
  announcement(): Announcement | undefined {
    const n = this.memory.announcement;
    if (n?.expiresAt !== undefined && Date.parse(n.expiresAt) <= this.ctx.clock.now()) return undefined;
    return n;
  }

  /** Runs one input through the reducer and carries out what follows from it: log events, occupancy readings. */
  private dispatch(input: PointInput): CommandOutcome | undefined {
    const before = this.memory.occupancy;
    const step = reducePoint(this.memory, input, this.reducer);
    this.memory = step.memory;
    for (const e of step.events) this.logEvent(e);
    if (this.memory.occupancy !== before) this.publishOccupancy();
    return step.outcome;
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
    const before = this.memory.latest.get(channel);
    this.dispatch({ kind: 'reading', channel, value, now: ts });
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
        mode: this.memory.mode,
        enqueue: (cmd) => this.ctx.store.enqueueCommand(cmd),
        logEvent: (e) => this.logEvent(e),
      });
    } catch (err) {
      this.ctx.logger.error('could not handle a button', { button: name, error: err });
    }
  }

  private passage(direction: Passage): void {
    this.dispatch({ kind: 'passage', direction, now: this.ctx.clock.now() });
  }

  private publishOccupancy(): void {
    const o = this.memory.occupancy;
    this.reading('occupancy.count', o.count);
    this.reading('occupancy.entries', o.entries);
    this.reading('occupancy.exits', o.exits);
  }

  private driverHealth(driver: string, health: DriverHealth, message: string): void {
    this.ctx.logger.info(`driver ${driver}: ${health}`, { message });
    this.dispatch({ kind: 'health', driver, health, message, now: this.ctx.clock.now() });
    this.requestEvaluation();
  }

  private tick(): void {
    const now = this.ctx.clock.now();
    const before = this.memory.occupancy;
    const step = reducePoint(this.memory, { kind: 'tick', now }, this.reducer);
    this.memory = step.memory;
    // a new day reset the door counters
    if (this.memory.occupancy !== before) this.publishOccupancy();
    const state = step.memory.state;
    if (!state) return;
    // the sign first: people outside must not wait for the disk to commit the event
    this.showSign(state, now);
    for (const e of step.events) {
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
      latest: this.memory.latest,
      occupancy: this.memory.occupancy,
      uplink,
      announcement: this.announcement(),
      desired: this.memory.desired,
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
