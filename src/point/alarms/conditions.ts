import type { AlarmsConfig, RulesConfig } from '../../config/schema.js';
import { coldVerdict, comfortFloor } from '../comfort.js';
import type { FuelEstimate } from '../fuel.js';
import { AT_ONCE, above, below, type LatchTiming, type Verdict } from '../latch.js';
import type { Fresh } from '../power.js';
import type { LatestValues, PowerSource, SensorHealth } from '../types.js';
import type { AlarmName } from './catalog.js';

/** What the alarm conditions look at, already derived by the model. */
export interface AlarmFacts {
  now: number;
  fresh: Fresh;
  latest: LatestValues;
  health: ReadonlyMap<string, SensorHealth>;
  power: PowerSource;
  batteryHoursLeft: number | null;
  fuel: FuelEstimate;
  fuelDropPoints: number;
  generatorRunMs: number;
  occupancyPercent: number;
}

export interface AlarmRules {
  alarms: AlarmsConfig;
  rules: RulesConfig;
  servesElderly: boolean;
}

export interface AlarmCheck {
  verdict: Verdict;
  timing: LatchTiming;
  /** Facts for the event: the measured value and the threshold. */
  data: Record<string, unknown>;
}

/** Channels whose silence is normal: the people counters change only on passages, time-to-go is null
 * whenever the battery is not discharging (CONTRACT.md §3), and so is its "infinite" flag while the
 * monitor is not synchronised ("---"). */
const SILENT_OK = (channel: string) =>
  channel.startsWith('occupancy.') ||
  channel === 'battery.timeToGo' ||
  channel === 'battery.timeToGoInfinite';

const round = (x: number | null, digits = 1): number | null =>
  x === null ? null : Number(x.toFixed(digits));

/** Every alarm's verdict for this moment, with its hysteresis and dwell. */
export function checkAlarms(f: AlarmFacts, cfg: AlarmRules): Record<AlarmName, AlarmCheck> {
  const a = cfg.alarms;
  const r = cfg.rules;
  const usual: LatchTiming = { raiseAfterMs: a.raiseAfterSec * 1000, clearAfterMs: a.clearAfterSec * 1000 };
  const atOnceThenUsual: LatchTiming = { raiseAfterMs: 0, clearAfterMs: usual.clearAfterMs };
  const load = f.fresh.get('generator.load');
  const running = f.fresh.get('generator.running') === 1;
  const soc = f.fresh.get('battery.soc');
  const indoor = f.fresh.get('temperature.indoor');
  const floor = comfortFloor(r, cfg.servesElderly);
  const restMs = a.generatorRestAfterHours * 3_600_000;
  const sensors = sensorProblems(f, r.staleAfterSec * 1000);
  const binary = (channel: string): Verdict => {
    const v = f.fresh.get(channel);
    if (v === undefined) return 'hold';
    return v === 1 ? 'raise' : 'clear';
  };
  return {
    'fuel.low': {
      verdict: below(f.fuel.hoursLeft, a.fuelLowHours, a.fuelOkHours),
      timing: usual,
      data: { hoursLeft: round(f.fuel.hoursLeft), threshold: a.fuelLowHours, basis: f.fuel.basis },
    },
    'fuel.drop': {
      verdict: above(f.fuelDropPoints, a.fuelDropPercent, a.fuelDropPercent / 2),
      timing: atOnceThenUsual,
      data: {
        dropPoints: round(f.fuelDropPoints),
        windowSec: a.fuelDropWindowSec,
        threshold: a.fuelDropPercent,
      },
    },
    'battery.low': {
      verdict: batteryVerdict(soc, f, cfg),
      timing: usual,
      data: { soc: soc ?? null, hoursLeft: round(f.batteryHoursLeft), threshold: r.lowBatteryPercent },
    },
    'generator.overload': {
      verdict: running ? exceeds(load, a.generatorOverloadPercent, a.generatorOverloadClearPercent) : 'clear',
      timing: usual,
      data: { load: load ?? null, threshold: a.generatorOverloadPercent },
    },
    'generator.rest': {
      verdict: f.generatorRunMs >= restMs ? 'raise' : 'clear',
      timing: AT_ONCE,
      data: { runHours: round(f.generatorRunMs / 3_600_000, 2), threshold: a.generatorRestAfterHours },
    },
    cold: {
      verdict: coldVerdict(indoor, r, cfg.servesElderly),
      timing: usual,
      data: { indoor: indoor ?? null, threshold: floor },
    },
    'occupancy.nearFull': {
      verdict: above(f.occupancyPercent, a.nearFullPercent, a.nearFullClearPercent),
      timing: usual,
      data: { percent: Math.round(f.occupancyPercent), threshold: a.nearFullPercent },
    },
    'occupancy.full': {
      verdict: above(f.occupancyPercent, r.fullAtPercent, r.reopenBelowPercent),
      timing: { raiseAfterMs: r.fullDwellSec * 1000, clearAfterMs: usual.clearAfterMs },
      data: { percent: Math.round(f.occupancyPercent), threshold: r.fullAtPercent },
    },
    'sensor.fault': {
      verdict: sensors.length > 0 ? 'raise' : 'clear',
      timing: usual,
      data: { sources: sensors },
    },
    'door.blocked': {
      verdict: binary('door.beamBlocked'),
      timing: { raiseAfterMs: a.doorBlockedSec * 1000, clearAfterMs: usual.clearAfterMs },
      data: { threshold: a.doorBlockedSec },
    },
    tamper: { verdict: binary('tamper.open'), timing: atOnceThenUsual, data: {} },
    'inverter.off': {
      verdict: inverterVerdict(f.fresh.get('inverter.state')),
      timing: usual,
      data: { state: f.fresh.get('inverter.state') ?? null },
    },
  };
}

/**
 * A Victron inverter's state (VE.Direct CS): off (0) or fault (2) raises, inverting (9) or low power (1,
 * eco/search mode: AC comes with the load) clears; no inverter, or another state, holds.
 */
function inverterVerdict(state: number | undefined): Verdict {
  if (state === 0 || state === 2) return 'raise';
  if (state === 9 || state === 1) return 'clear';
  return 'hold';
}

/** Strictly above `raiseAbove` raises; at or below `clearAtOrBelow` clears. */
function exceeds(value: number | undefined, raiseAbove: number, clearAtOrBelow: number): Verdict {
  if (value === undefined) return 'hold';
  if (value > raiseAbove) return 'raise';
  return value <= clearAtOrBelow ? 'clear' : 'hold';
}

/** Low by charge (any power source) or, running on battery, by hours left at the present draw. */
function batteryVerdict(soc: number | undefined, f: AlarmFacts, cfg: AlarmRules): Verdict {
  const a = cfg.alarms;
  const r = cfg.rules;
  const onBattery = f.power === 'battery' || f.power === 'none';
  const hours = onBattery ? f.batteryHoursLeft : null;
  const bySoc = below(soc, r.lowBatteryPercent, r.batteryOkPercent);
  const byHours = below(hours, a.batteryLowHours, a.batteryOkHours);
  if (bySoc === 'raise' || byHours === 'raise') return 'raise';
  if (soc === undefined && hours === null) return 'hold';
  const socOk = bySoc === 'clear' || soc === undefined;
  const hoursOk = byHours === 'clear' || hours === null;
  return socOk && hoursOk ? 'clear' : 'hold';
}

/** Drivers reporting a fault or staleness, and channels that went silent or null (sorted, for the event). */
function sensorProblems(f: AlarmFacts, staleMs: number): string[] {
  const out: string[] = [];
  for (const [driver, health] of f.health)
    if (health === 'fault' || health === 'stale') out.push(`${driver}: ${health}`);
  for (const [channel, v] of f.latest) {
    if (SILENT_OK(channel)) continue;
    if (v.value === null) out.push(`${channel}: no value`);
    else if (f.now - v.ts > staleMs) out.push(`${channel}: stale`);
  }
  return out.sort();
}
