import type { KioskConfig } from '../config/schema.js';
import type { Clock } from '../core/clock.js';
import type { PointEvent } from '../core/events.js';
import type { Logger } from '../core/logger.js';
import type { Reading } from '../core/readings.js';
import type { DriverHealth, DriverSink } from '../drivers/interfaces.js';
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
import { buildStatus } from '../point/status.js';
import type { ChannelValue, Mode, PointState } from '../point/types.js';
import type { SignOutput } from '../sign/output.js';
import { patternFor } from '../sign/pattern.js';
import type { LogStore } from '../store/types.js';
import type { Uplink } from '../uplink/types.js';

export interface PipelineContext {
  config: KioskConfig;
  clock: Clock;
  logger: Logger;
  store: LogStore;
  /** Buffers readings for the group commit. */
  record: (reading: Reading) => void;
  signs: readonly SignOutput[];
  uplink: Uplink | undefined;
}

const TICK_MS = 1000;
/** Status changes other than the state itself are published at most this often (clock time). */
const STATUS_MIN_INTERVAL_MS = 5000;
const OCCUPANCY_CHANNELS = ['occupancy.count', 'occupancy.entries', 'occupancy.exits'] as const;

/**
 * The running point: readings and passages in, the model evaluated every second, and the result sent to
 * the sign, the log and the uplink. All decisions are in the pure model; this only moves data.
 */
export class PointPipeline {
  private readonly latest = new Map<string, ChannelValue>();
  private readonly modelConfig: ModelConfig;
  private occupancy: Occupancy;
  private mode: Mode = 'auto';
  private state: PointState | undefined;
  private lastStatusKey = '';
  private lastStatusAt = Number.NEGATIVE_INFINITY;
  private cancelTick: (() => void) | undefined;

  constructor(private readonly ctx: PipelineContext) {
    const p = ctx.config.point;
    this.modelConfig = {
      capacity: p.capacity,
      servesElderly: p.servesElderly,
      services: p.services,
      rules: ctx.config.rules,
    };
    this.occupancy = emptyOccupancy(ctx.clock.now(), p.timezone);
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
    this.latest.set(channel, { value, ts });
    this.ctx.record({ channel, value, ts });
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
      { now, latest: this.latest, mode: this.mode, occupancy: this.occupancy.count },
      this.modelConfig,
    );
    this.state = state;
    for (const e of events) {
      this.ctx.logger.info(e.message, { event: e.type });
      this.logEvent(e);
    }
    const stateChanged = !prev || prev.state !== state.state;
    this.showSign(state);
    this.maybePublishStatus(state, now, stateChanged);
  }

  private showSign(state: PointState): void {
    const uplink = this.ctx.uplink;
    const backlog = this.ctx.store.backlog();
    const indicator = !uplink
      ? 'off'
      : uplink.state().connected
        ? 'connected'
        : `buffering ${backlog.telemetry + backlog.events}`;
    const services = Object.entries(state.services)
      .filter(([, ok]) => ok)
      .map(([name]) => name);
    const detail = {
      placesLeft: Math.max(0, state.capacity - state.occupancy),
      reasons: state.reasons,
      capacity: state.capacity,
      services,
      uplink: indicator,
    };
    for (const sign of this.ctx.signs) sign.show(patternFor(state.state), detail);
  }

  private maybePublishStatus(state: PointState, now: number, stateChanged: boolean): void {
    const key = JSON.stringify([state.state, state.mode, state.power, state.reasons, this.occupancy.count]);
    const heartbeatMs = (this.ctx.config.mqtt?.statusIntervalSec ?? 60) * 1000;
    const sinceLast = now - this.lastStatusAt;
    const due =
      stateChanged ||
      (key !== this.lastStatusKey && sinceLast >= STATUS_MIN_INTERVAL_MS) ||
      sinceLast >= heartbeatMs;
    if (!due) return;
    this.lastStatusKey = key;
    this.lastStatusAt = now;
    const status = this.statusNow(state, now);
    try {
      this.ctx.store.saveStatus(status, now);
    } catch (err) {
      this.ctx.logger.error('could not save status', { error: err });
    }
    this.ctx.uplink?.publishStatus(status);
  }

  private statusNow(state: PointState, now: number): Record<string, unknown> {
    const uplink = this.ctx.uplink;
    return buildStatus(state, {
      pointId: this.ctx.config.point.id,
      pointName: this.ctx.config.point.name,
      epoch: this.ctx.store.epoch,
      now,
      latest: this.latest,
      occupancy: this.occupancy,
      uplink: { connected: uplink?.state().connected ?? false, backlog: this.ctx.store.backlog() },
      staleAfterMs: this.ctx.config.rules.staleAfterSec * 1000,
    });
  }
}
