import type { RulesConfig, ServiceName } from '../config/schema.js';
import type { PointEvent } from '../core/events.js';
import type {
  LatestValues,
  LimitReason,
  ModelInputs,
  PointState,
  PointStateName,
  PowerSource,
} from './types.js';

export interface ModelConfig {
  capacity: number;
  servesElderly: boolean;
  services: readonly ServiceName[];
  rules: RulesConfig;
}

export interface Evaluation {
  state: PointState;
  events: PointEvent[];
}

/**
 * The point's judgement, pure: the previous state and the inputs give the next state and the events.
 * Hysteresis on every threshold and a minimum dwell time keep noisy inputs from making the sign flicker.
 */
export function evaluatePoint(
  prev: PointState | undefined,
  inputs: ModelInputs,
  cfg: ModelConfig,
): Evaluation {
  const fresh = freshValues(inputs.latest, inputs.now, cfg.rules.staleAfterSec * 1000);
  const power = powerSource(fresh);
  const full = isFull(prev?.full ?? false, inputs.occupancy, cfg);
  const cold = isCold(prev?.cold ?? false, fresh.get('temperature.indoor'), cfg);
  const reasons = limitReasons(power, fresh.get('battery.soc'), cold, cfg);
  const wanted = wantedState(inputs.mode, full, reasons);
  const state = applyDwell(prev, wanted, inputs, cfg);
  const next: PointState = {
    state,
    since: prev && prev.state === state ? prev.since : inputs.now,
    mode: inputs.mode,
    reasons,
    power,
    occupancy: inputs.occupancy,
    capacity: cfg.capacity,
    full,
    cold,
    services: serviceFlags(cfg.services, power, cold),
  };
  return { state: next, events: changeEvents(prev, next, inputs.now) };
}

/** Values older than the stale limit count as unknown: a silent sensor must not keep a state alive. */
function freshValues(latest: LatestValues, now: number, staleMs: number): Map<string, number> {
  const out = new Map<string, number>();
  for (const [channel, v] of latest) {
    if (v.value !== null && now - v.ts <= staleMs) out.set(channel, v.value);
  }
  return out;
}

export function powerSource(fresh: ReadonlyMap<string, number>): PowerSource {
  const mains = fresh.get('mains.present');
  const generator = fresh.get('generator.running');
  if (mains === 1) return 'grid';
  if (generator === 1) return 'generator';
  const soc = fresh.get('battery.soc');
  const voltage = fresh.get('battery.voltage');
  if (soc !== undefined) return soc > 0 ? 'battery' : 'none';
  if (voltage !== undefined) return 'battery';
  if (mains === 0 && generator === 0) return 'none';
  return 'unknown';
}

function isFull(wasFull: boolean, occupancy: number, cfg: ModelConfig): boolean {
  const pct = (occupancy / cfg.capacity) * 100;
  if (wasFull) return pct >= cfg.rules.reopenBelowPercent;
  return pct >= cfg.rules.fullAtPercent;
}

export function comfortFloor(cfg: ModelConfig): number {
  return cfg.servesElderly ? Math.max(cfg.rules.coldBelowC, 20) : cfg.rules.coldBelowC;
}

function isCold(wasCold: boolean, indoor: number | undefined, cfg: ModelConfig): boolean {
  if (indoor === undefined) return wasCold;
  const floor = comfortFloor(cfg);
  if (wasCold) return indoor < floor + cfg.rules.comfortHysteresisC;
  return indoor < floor;
}

function limitReasons(
  power: PowerSource,
  soc: number | undefined,
  cold: boolean,
  cfg: ModelConfig,
): LimitReason[] {
  const reasons: LimitReason[] = [];
  if (power === 'battery') reasons.push('battery-only');
  if (power === 'none') reasons.push('no-power');
  if (power !== 'grid' && soc !== undefined && soc < cfg.rules.lowBatteryPercent) reasons.push('battery-low');
  if (cold) reasons.push('cold');
  return reasons;
}

function wantedState(
  mode: ModelInputs['mode'],
  full: boolean,
  reasons: readonly LimitReason[],
): PointStateName {
  if (mode === 'closed') return 'CLOSED';
  if (mode === 'standby') return 'STANDBY';
  if (full) return 'FULL';
  return reasons.length > 0 ? 'OPEN_LIMITED' : 'OPEN';
}

/**
 * Rule-driven changes wait until the current state has been shown for `minDwellSec`. Operator mode
 * changes apply at once, and so does FULL: the door must not keep inviting people into a full room.
 */
function applyDwell(
  prev: PointState | undefined,
  wanted: PointStateName,
  inputs: ModelInputs,
  cfg: ModelConfig,
): PointStateName {
  if (!prev || prev.state === wanted) return wanted;
  if (prev.mode !== inputs.mode || wanted === 'FULL') return wanted;
  const held = inputs.now - prev.since;
  return held >= cfg.rules.minDwellSec * 1000 ? wanted : prev.state;
}

function serviceFlags(
  declared: readonly ServiceName[],
  power: PowerSource,
  cold: boolean,
): Partial<Record<ServiceName, boolean>> {
  const flags: Partial<Record<ServiceName, boolean>> = {};
  for (const service of declared) {
    if (service === 'heat') flags.heat = !cold;
    else if (service === 'charging') flags.charging = power !== 'none';
    else flags[service] = true; // declared, and nothing measured says otherwise
  }
  return flags;
}

function changeEvents(prev: PointState | undefined, next: PointState, now: number): PointEvent[] {
  const events: PointEvent[] = [];
  if (!prev || prev.state !== next.state) {
    events.push({
      type: 'state.changed',
      level: next.state === 'OPEN' || next.state === 'STANDBY' ? 'info' : 'warning',
      ts: now,
      message: `${prev?.state ?? 'START'} → ${next.state}${next.reasons.length ? ` (${next.reasons.join(', ')})` : ''}`,
      data: { from: prev?.state ?? null, to: next.state, mode: next.mode, reasons: next.reasons },
    });
  }
  if (prev && prev.power !== next.power) {
    events.push({
      type: 'power.changed',
      level: next.power === 'grid' ? 'info' : 'warning',
      ts: now,
      message: `power source ${prev.power} → ${next.power}`,
      data: { from: prev.power, to: next.power },
    });
  }
  return events;
}
