import type { ServiceName } from '../config/schema.js';

export const POINT_STATES = ['OPEN', 'OPEN_LIMITED', 'FULL', 'STANDBY', 'CLOSED'] as const;
export type PointStateName = (typeof POINT_STATES)[number];

export const MODES = ['auto', 'open', 'closed', 'standby'] as const;
export type Mode = (typeof MODES)[number];

export type PowerSource = 'grid' | 'generator' | 'battery' | 'none' | 'unknown';

/** Why an open point is OPEN_LIMITED (shown to the operator and sent in `status.reasons`). */
export type LimitReason = 'battery-only' | 'no-power' | 'battery-low' | 'cold';

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
}
