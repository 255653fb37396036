import type { ServiceName } from '../config/schema.js';
import type { Fresh } from './power.js';
import type { LimitReason, PowerSource } from './types.js';

/** The measured facts a declared service depends on. */
export interface ServiceFacts {
  fresh: Fresh;
  power: PowerSource;
  cold: boolean;
  /** The point runs on a low battery alone: charging phones would drain what keeps the lights on. */
  batteryLowOnBattery: boolean;
  /** Internet down, judged from an `internet.up` channel or, without one, the uplink. */
  internetDown: boolean;
}

/**
 * Declared services combined with measured facts: true works, false declared but failing. A fresh
 * `service.<name>` reading (0/1, e.g. a water pressure switch) decides for that service; heat fails when
 * the room is cold, charging without power, internet when the link is down.
 */
export function serviceFlags(
  declared: readonly ServiceName[],
  facts: ServiceFacts,
): Partial<Record<ServiceName, boolean>> {
  const flags: Partial<Record<ServiceName, boolean>> = {};
  for (const service of declared) {
    const measured = facts.fresh.get(`service.${service}`);
    let ok = measured === undefined ? true : measured === 1;
    if (service === 'heat') ok &&= !facts.cold;
    if (service === 'charging') ok &&= facts.power !== 'none' && !facts.batteryLowOnBattery;
    if (service === 'internet') ok &&= !facts.internetDown;
    flags[service] = ok;
  }
  return flags;
}

/** Why an open point is limited. A failing service that another reason already explains is not repeated. */
export function limitReasons(
  facts: ServiceFacts,
  batteryLow: boolean,
  flags: Partial<Record<ServiceName, boolean>>,
): LimitReason[] {
  const reasons: LimitReason[] = [];
  if (facts.power === 'battery') reasons.push('battery-only');
  if (facts.power === 'none') reasons.push('no-power');
  if (facts.power !== 'grid' && batteryLow) reasons.push('battery-low');
  if (facts.cold) reasons.push('cold');
  for (const [service, ok] of Object.entries(flags) as Array<[ServiceName, boolean]>) {
    if (ok) continue;
    if (service === 'heat' && facts.cold) continue;
    if (service === 'charging' && (facts.power === 'none' || facts.batteryLowOnBattery)) continue;
    reasons.push(`no-${service}`);
  }
  return reasons;
}
