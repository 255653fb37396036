import { channelUnit, isValidChannelName } from '../core/readings.js';

// `storage.logging` (src/pipeline/log-policy.ts applies it): its types, defaults and key check, here
// because the config schema is where defaults live.

/** A change is logged when |new − last logged| > max(absolute, percent % of |last logged|). */
export interface Deadband {
  absolute: number;
  percent: number;
}

/** As configured: a number is an absolute deadband; in the object form a missing part is 0. */
export type DeadbandSetting = number | { absolute?: number | undefined; percent?: number | undefined };

/** `storage.logging` of the config. */
export interface LoggingSettings {
  heartbeatSec: number;
  /** Keyed by channel (`battery.current`) or by unit (`A`); the channel wins. */
  deadband: Readonly<Record<string, DeadbandSetting>>;
}

/**
 * Defaults by unit: a step a technician or the municipality would act on, above the sensors' noise
 * (VE.Direct voltage is 0.01 V, shunt current jitters by a few tenths of an amp, DS18B20 is ±0.06 °C
 * per step, fuel senders and SoC move in whole percent) and well inside what the rules judge on.
 */
export const DEFAULT_DEADBANDS: Readonly<Record<string, Deadband>> = {
  V: { absolute: 0.05, percent: 0 },
  A: { absolute: 0.5, percent: 2 },
  W: { absolute: 10, percent: 0 },
  '%': { absolute: 1, percent: 0 },
  '°C': { absolute: 0.2, percent: 0 },
  min: { absolute: 10, percent: 5 },
  h: { absolute: 0.1, percent: 0 },
  // an inverter's apparent power moves by a few VA with every block; a charge counter by every mAh
  VA: { absolute: 10, percent: 0 },
  Ah: { absolute: 0.5, percent: 0 },
};

// 60 s measured 26 MB/day at the default rates, 120 s 18 MB (docs/storage.md); staleness is judged on
// samples, not on the log, and the status heartbeat (mqtt.statusIntervalSec) carries current values.
export const DEFAULT_HEARTBEAT_SEC = 120;

/** Units whose every change is logged at once: a 0/1 state or a people count has no noise to hide. */
export const ON_CHANGE_UNITS: ReadonlySet<string> = new Set(['0/1', 'people']);

/** Why a `storage.logging.deadband` key cannot be used, or undefined when it can. */
export function deadbandKeyProblem(key: string): string | undefined {
  if (key in DEFAULT_DEADBANDS) return undefined;
  const unit = ON_CHANGE_UNITS.has(key) ? key : isValidChannelName(key) ? channelUnit(key) : undefined;
  if (unit !== undefined && ON_CHANGE_UNITS.has(unit)) {
    return `${key}: state and occupancy channels are logged on every change; no deadband applies`;
  }
  if (!isValidChannelName(key)) {
    return `${key}: not a channel name or a unit (${Object.keys(DEFAULT_DEADBANDS).join(', ')})`;
  }
  return undefined;
}
