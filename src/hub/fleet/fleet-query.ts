/**
 * The dashboard's list of points, a page at a time: filtered by state (or "needs action"), by a search
 * text and by ids, in the "needs action" ranking or by name. With 1,000 points the page fetches 50 rows
 * and the counts, never the fleet. Pure.
 */
import { POINT_STATES } from '../../contract/common.js';
import type { DashboardRow } from './dashboard-row.js';
import type { ActionItem, ActionReason } from './needs-action.js';
import type { FleetState } from './point-view.js';

export const FLEET_STATES: readonly FleetState[] = [...POINT_STATES, 'UNKNOWN'];
export const FLEET_SORTS = ['needs', 'name'] as const;
export const MAX_PAGE_SIZE = 200;
export const DEFAULT_PAGE_SIZE = 50;
const MAX_SEARCH = 100;
const MAX_IDS = 100;

export interface FleetQuery {
  page: number;
  size: number;
  /** A state, `needs` (listed under "needs action"), or every point. */
  state: FleetState | 'needs' | null;
  /** Lower case; matched against name, id and address. */
  search: string;
  ids: string[] | null;
  sort: (typeof FLEET_SORTS)[number];
}

/** The query from URL parameters; a bad value is an Error whose message says what is allowed. */
export function parseFleetQuery(params: ReadonlyMap<string, string>): FleetQuery {
  const int = (name: string, fallback: number, min: number, max: number): number => {
    const raw = params.get(name);
    if (raw === undefined || raw === '') return fallback;
    const n = Number(raw);
    if (!Number.isInteger(n) || n < min || n > max) {
      throw new Error(`${name} must be a whole number from ${min} to ${max}`);
    }
    return n;
  };
  const state = params.get('state') || null;
  if (state !== null && state !== 'needs' && !FLEET_STATES.includes(state as FleetState)) {
    throw new Error(`state must be one of ${[...FLEET_STATES, 'needs'].join(', ')}`);
  }
  const sort = params.get('sort') || 'needs';
  if (!(FLEET_SORTS as readonly string[]).includes(sort)) {
    throw new Error(`sort must be one of ${FLEET_SORTS.join(', ')}`);
  }
  const search = (params.get('q') ?? '').trim().toLowerCase();
  if (search.length > MAX_SEARCH) throw new Error(`q must be at most ${MAX_SEARCH} characters`);
  const idText = params.get('ids');
  const ids = idText ? idText.split(',').filter((id) => id !== '') : null;
  if (ids && ids.length > MAX_IDS) throw new Error(`ids must name at most ${MAX_IDS} points`);
  return {
    page: int('page', 0, 0, 1_000_000),
    size: int('size', DEFAULT_PAGE_SIZE, 1, MAX_PAGE_SIZE),
    state: state as FleetQuery['state'],
    search,
    ids,
    sort: sort as FleetQuery['sort'],
  };
}

/** One text per query, for a cache key and a validator: equal keys mean equal answers. */
export function fleetQueryKey(q: FleetQuery): string {
  return JSON.stringify([q.page, q.size, q.state, q.search, q.ids, q.sort]);
}

/** The rows in both orders, made once per change of the fleet and shared by every query. */
export interface FleetOrder {
  byName: readonly DashboardRow[];
  /** Needs action first in its ranking, then the rest by name. */
  byNeeds: readonly DashboardRow[];
  reasons: ReadonlyMap<string, ActionReason[]>;
}

const collator = new Intl.Collator('und', { sensitivity: 'base', numeric: true });

export function byNameThenId(a: DashboardRow, b: DashboardRow): number {
  return collator.compare(a.name, b.name) || cmp(a.id, b.id);
}

/** `sortedByName`: the rows come in name order already (the caller kept it from the last change). */
export function fleetOrder(
  rows: Iterable<DashboardRow>,
  needs: readonly ActionItem[],
  sortedByName = false,
): FleetOrder {
  const byName = sortedByName ? [...rows] : [...rows].sort(byNameThenId);
  const reasons = new Map(needs.map((n) => [n.id, n.reasons]));
  const byId = new Map(byName.map((r) => [r.id, r]));
  const first = needs.map((n) => byId.get(n.id)).filter((r): r is DashboardRow => r !== undefined);
  return { byName, byNeeds: [...first, ...byName.filter((r) => !reasons.has(r.id))], reasons };
}

export interface FleetPage {
  total: number;
  page: number;
  size: number;
  pages: number;
  rows: DashboardRow[];
}

export function queryFleet(order: FleetOrder, q: FleetQuery): FleetPage {
  const ids = q.ids ? new Set(q.ids) : null;
  const rows = (q.sort === 'name' ? order.byName : order.byNeeds).filter(
    (r) =>
      (ids === null || ids.has(r.id)) &&
      (q.state === null || (q.state === 'needs' ? order.reasons.has(r.id) : r.state === q.state)) &&
      (q.search === '' || haystack(r).includes(q.search)),
  );
  const pages = Math.max(1, Math.ceil(rows.length / q.size));
  // a page past the end (the list shrank under the reader) shows the last one
  const page = Math.min(q.page, pages - 1);
  return {
    total: rows.length,
    page,
    size: q.size,
    pages,
    rows: rows.slice(page * q.size, (page + 1) * q.size),
  };
}

export function haystack(r: Pick<DashboardRow, 'name' | 'id' | 'address'>): string {
  return `${r.name} ${r.id} ${r.address ?? ''}`.toLowerCase();
}

export interface FleetSummary {
  total: number;
  /** Points in each state, UNKNOWN included; every state is present. */
  states: Record<FleetState, number>;
  needsAction: number;
  /** Points listed under each reason (a point with two reasons counts under both). */
  reasons: Record<ActionReason, number>;
  /** Places left at points open now. */
  placesLeft: number;
  /** Each announcement the points show now, by their own status, and at how many. */
  announcements: Array<{ text: string; points: number }>;
}

export function fleetSummary(rows: Iterable<DashboardRow>, needs: readonly ActionItem[]): FleetSummary {
  const states = Object.fromEntries(FLEET_STATES.map((s) => [s, 0])) as Record<FleetState, number>;
  const reasons: Record<ActionReason, number> = { energy: 0, cold: 0, full: 0, silent: 0 };
  const shown = new Map<string, number>();
  let total = 0;
  let placesLeft = 0;
  for (const r of rows) {
    total += 1;
    states[r.state] += 1;
    if ((r.state === 'OPEN' || r.state === 'OPEN_LIMITED') && r.placesLeft !== null)
      placesLeft += r.placesLeft;
    if (r.announcement) shown.set(r.announcement.text, (shown.get(r.announcement.text) ?? 0) + 1);
  }
  for (const n of needs) for (const reason of n.reasons) reasons[reason] += 1;
  return {
    total,
    states,
    needsAction: needs.length,
    reasons,
    placesLeft,
    announcements: [...shown]
      .map(([text, points]) => ({ text, points }))
      .sort((a, b) => b.points - a.points || cmp(a.text, b.text)),
  };
}

function cmp(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}
