import type { ServiceName } from '../config/schema.js';
import { MODES, POINT_STATES } from '../contract/common.js';
import type { AlarmName, AlarmSeverity } from './alarms/catalog.js';
import type { FuelEstimate, FuelMemory } from './fuel.js';
import type { Latch } from './latch.js';
import type { GeneratorRun } from './power.js';

export { MODES, POINT_STATES };
export type PointStateName = (typeof POINT_STATES)[number];
export type Mode = (typeof MODES)[number];

/** What the schedule says while the mode is `auto`; without a schedule the point is open. */
export type ScheduledMode = Exclude<Mode, 'auto'>;

export type PowerSource = 'grid' | 'generator' | 'battery' | 'none' | 'unknown';

/** Why an open point is OPEN_LIMITED (shown to the operator and sent in `status.reasons`). */
export type LimitReason = 'battery-only' | 'no-power' | 'battery-low' | 'cold' | `no-${ServiceName}`;

/** A driver's own report of its health (the same values as DriverHealth in src/drivers). */
export type SensorHealth = 'starting' | 'ok' | 'stale' | 'fault' | 'stopped';

export interface ChannelValue {
  value: number | null;
  ts: number;
}

export type LatestValues = ReadonlyMap<string, ChannelValue>;

/** Everything the rules look at, as plain data; `now` is an input, never read from a clock. */
export interface ModelInputs {
  now: number;
  latest: LatestValues;
  mode: Mode;
  occupancy: number;
  /** The schedule's phase (src/schedule); `open` when there is no schedule. */
  scheduled?: ScheduledMode;
  /** People who came in today (local midnight), for the status. */
  visitorsToday?: number;
  /** Each driver's last reported health, by driver name. */
  health?: ReadonlyMap<string, SensorHealth>;
}

/** An alarm that is raised now. */
export interface ActiveAlarm {
  alarm: AlarmName;
  severity: AlarmSeverity;
  /** When it was raised. */
  since: number;
  message: string;
  data: Record<string, unknown>;
  acknowledged: { by: string; at: number } | null;
}

/** The numbers the municipality asks for, derived from the readings (null = unknown). */
export interface Estimates {
  batteryHoursLeft: number | null;
  fuel: FuelEstimate;
  generatorLoadPercent: number | null;
  generatorHoursSinceRest: number;
  occupancyPercent: number;
  visitorsToday: number;
}

/** What the model remembers between evaluations: latches (hysteresis and dwell) and trends. */
export interface ModelMemory {
  full: Latch;
  cold: Latch;
  batteryLow: Latch;
  internetDown: Latch;
  alarms: Readonly<Record<AlarmName, Latch>>;
  fuel: FuelMemory;
  generator: GeneratorRun;
}

export interface PointState {
  state: PointStateName;
  /** When `state` was entered. */
  since: number;
  mode: Mode;
  reasons: LimitReason[];
  power: PowerSource;
  occupancy: number;
  capacity: number;
  /** Hysteresis memory: FULL until occupancy falls below the reopen level. */
  full: boolean;
  /** Hysteresis memory: cold until the room is warm again by the hysteresis margin. */
  cold: boolean;
  /** Declared services combined with measured facts: true works, false declared but failing. */
  services: Partial<Record<ServiceName, boolean>>;
  /** The schedule's phase this state was judged with. */
  scheduled: ScheduledMode;
  estimates: Estimates;
  /** Raised alarms, oldest first. */
  alarms: ActiveAlarm[];
  memory: ModelMemory;
}
