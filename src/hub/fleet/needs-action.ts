/**
 * The "needs action" list: points ranked by what staff must do first. Running out of energy comes
 * first (fewest hours first), then cold rooms (coldest first), then full points, then silent ones
 * (longest silent first). A point is listed once, under its most urgent reason, with all its reasons.
 * Pure.
 */
import type { DashboardRow } from './dashboard-row.js';

export type ActionReason = 'energy' | 'cold' | 'full' | 'silent';
const ORDER: readonly ActionReason[] = ['energy', 'cold', 'full', 'silent'];

export interface ActionItem {
  id: string;
  reasons: ActionReason[];
}

export interface ActionLimits {
  /** Energy left below this many hours needs a refuelling or a plan. */
  lowEnergyHours: number;
}

export const DEFAULT_ACTION_LIMITS: ActionLimits = { lowEnergyHours: 12 };

export function reasonsFor(row: DashboardRow, limits: ActionLimits = DEFAULT_ACTION_LIMITS): ActionReason[] {
  const out: ActionReason[] = [];
  if (row.state === 'UNKNOWN') return ['silent'];
  if (row.energyHours !== null && row.energyHours < limits.lowEnergyHours) out.push('energy');
  if (row.cold === true) out.push('cold');
  if (row.state === 'FULL' || (row.placesLeft === 0 && row.state !== 'CLOSED' && row.state !== 'STANDBY'))
    out.push('full');
  return out;
}

export function needsAction(
  rows: readonly DashboardRow[],
  limits: ActionLimits = DEFAULT_ACTION_LIMITS,
): ActionItem[] {
  const items = rows
    .map((row) => ({ row, reasons: reasonsFor(row, limits) }))
    .filter((x) => x.reasons.length > 0);
  items.sort((a, b) => {
    const ra = ORDER.indexOf(a.reasons[0] as ActionReason);
    const rb = ORDER.indexOf(b.reasons[0] as ActionReason);
    if (ra !== rb) return ra - rb;
    return within(a.reasons[0] as ActionReason, a.row, b.row) || a.row.id.localeCompare(b.row.id);
  });
  return items.map(({ row, reasons }) => ({ id: row.id, reasons }));
}

function within(reason: ActionReason, a: DashboardRow, b: DashboardRow): number {
  if (reason === 'energy') return (a.energyHours ?? 0) - (b.energyHours ?? 0);
  if (reason === 'cold') return (a.temperatureIndoor ?? 0) - (b.temperatureIndoor ?? 0);
  if (reason === 'full') return (a.placesLeft ?? 0) - (b.placesLeft ?? 0);
  // longest silent first; never heard of sorts last among the silent: nothing to compare it with
  return seen(a) - seen(b);
}

function seen(row: DashboardRow): number {
  return row.lastSeen === null ? Number.POSITIVE_INFINITY : Date.parse(row.lastSeen);
}
