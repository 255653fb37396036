import type { Verdict } from './latch.js';
import { below } from './latch.js';

export interface ComfortRules {
  coldBelowC: number;
  elderlyColdBelowC: number;
  comfortHysteresisC: number;
}

/** +18 °C, or +20 °C where the point serves elderly and sick people (Swedish Energy Agency; WHO). */
export function comfortFloor(rules: ComfortRules, servesElderly: boolean): number {
  return servesElderly ? Math.max(rules.coldBelowC, rules.elderlyColdBelowC) : rules.coldBelowC;
}

/** Cold below the floor; warm again only at the floor plus the hysteresis margin. */
export function coldVerdict(
  indoor: number | undefined,
  rules: ComfortRules,
  servesElderly: boolean,
): Verdict {
  const floor = comfortFloor(rules, servesElderly);
  return below(indoor, floor, floor + rules.comfortHysteresisC);
}
