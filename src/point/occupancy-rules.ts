import { above, type Verdict } from './latch.js';

export function occupancyPercent(count: number, capacity: number): number {
  return (count / capacity) * 100;
}

/** FULL at `fullAtPercent`, and back only below `reopenBelowPercent` (hysteresis at the door). */
export function fullVerdict(
  count: number,
  capacity: number,
  rules: { fullAtPercent: number; reopenBelowPercent: number },
): Verdict {
  return above(occupancyPercent(count, capacity), rules.fullAtPercent, rules.reopenBelowPercent);
}
