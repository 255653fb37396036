import fc from 'fast-check';
import { describe, expect, test } from 'vitest';
import type { StatusMessage } from '../../../src/contract/status.js';
import { type DashboardRow, dashboardRow } from '../../../src/hub/fleet/dashboard-row.js';
import {
  fleetOrder,
  fleetQueryKey,
  fleetSummary,
  parseFleetQuery,
  queryFleet,
} from '../../../src/hub/fleet/fleet-query.js';
import { needsAction } from '../../../src/hub/fleet/needs-action.js';
import type { PointRow } from '../../../src/hub/storage/types.js';
import { sampleStatus } from '../../helpers/status.js';

const NOW = Date.parse('2026-12-01T08:00:30.000Z');
const STALE_SEC = 180;
const STATES = ['OPEN', 'OPEN_LIMITED', 'FULL', 'STANDBY', 'CLOSED'] as const;

function pointRow(
  id: string,
  name: string,
  over: Partial<StatusMessage>,
  extra: Partial<PointRow> = {},
): PointRow {
  const status = JSON.stringify(sampleStatus({ point: id, name, ...over }));
  return {
    id,
    info: null,
    status,
    statusTs: Date.parse('2026-12-01T08:00:00.000Z'),
    statusReceivedAt: NOW - 30_000,
    online: true,
    onlineTs: NOW - 60_000,
    onlineReceivedAt: NOW - 60_000,
    lastSeenAt: NOW - 30_000,
    ...extra,
  };
}

/** n points: every fifth off the grid with i hours of fuel, every seventh offline. */
function fleet(n: number): DashboardRow[] {
  return Array.from({ length: n }, (_, i) =>
    dashboardRow(
      pointRow(
        `p-${String(i).padStart(4, '0')}`,
        `Point ${i}`,
        {
          status: STATES[i % STATES.length],
          ...(i % 5 === 0
            ? {
                power: { source: 'generator', mainsPresent: false },
                generator: { running: true, fuelLevel: 40, load: 30, runHours: 1, fuelHoursLeft: i % 11 },
              }
            : {}),
        },
        i % 7 === 0 ? { online: false } : {},
      ),
      NOW,
      STALE_SEC,
    ),
  );
}

const params = (o: Record<string, string>) => new Map(Object.entries(o));

describe('the dashboard list, a page at a time', () => {
  const rows = fleet(1000);
  const needs = needsAction(rows);
  const order = fleetOrder(rows, needs);

  test('pages cover every point once, in name order, whatever the page size', () => {
    fc.assert(
      fc.property(fc.integer({ min: 1, max: 200 }), (size) => {
        const seen: string[] = [];
        const first = queryFleet(order, parseFleetQuery(params({ size: String(size), sort: 'name' })));
        for (let page = 0; page < first.pages; page++) {
          const p = queryFleet(order, { ...parseFleetQuery(params({ sort: 'name' })), size, page });
          expect(p.rows.length).toBeLessThanOrEqual(size);
          seen.push(...p.rows.map((r) => r.id));
        }
        expect(seen).toEqual(order.byName.map((r) => r.id));
        expect(new Set(seen).size).toBe(1000);
      }),
      { numRuns: 20 },
    );
  });

  test('"needs action first" puts the ranked list first, in its order, then the rest by name', () => {
    const p = queryFleet(order, parseFleetQuery(params({ size: '200' })));
    expect(p.total).toBe(1000);
    const top = p.rows.slice(0, needs.length).map((r) => r.id);
    expect(top).toEqual(needs.slice(0, 200).map((n) => n.id));
    // energy first (fewest hours), then the silent (offline) ones
    expect(needs[0]?.reasons[0]).toBe('energy');
    expect(needs.at(-1)?.reasons).toEqual(['silent']);
  });

  test('filters by state, by "needs", by search text and by ids; counts match the summary', () => {
    const summary = fleetSummary(rows, needs);
    for (const state of [...STATES, 'UNKNOWN'] as const) {
      const p = queryFleet(order, parseFleetQuery(params({ state, size: '200' })));
      expect(p.total).toBe(summary.states[state]);
      expect(p.rows.every((r) => r.state === state)).toBe(true);
    }
    expect(summary.states.UNKNOWN).toBe(Math.ceil(1000 / 7));
    expect(queryFleet(order, parseFleetQuery(params({ state: 'needs' }))).total).toBe(summary.needsAction);
    const found = queryFleet(order, parseFleetQuery(params({ q: 'POINT 99' })));
    // Point 99, 990..999
    expect(found.rows.map((r) => r.name).sort()).toEqual(
      ['Point 99', ...Array.from({ length: 10 }, (_, i) => `Point ${990 + i}`)].sort(),
    );
    const byIds = queryFleet(order, parseFleetQuery(params({ ids: 'p-0003,p-0500,nope', sort: 'name' })));
    expect(byIds.rows.map((r) => r.id)).toEqual(['p-0003', 'p-0500']);
  });

  test('a page past the end shows the last one', () => {
    const p = queryFleet(order, parseFleetQuery(params({ page: '99', size: '50' })));
    expect(p.page).toBe(19);
    expect(p.rows).toHaveLength(50);
  });

  test('names sort as people read them: numbers by value, case aside', () => {
    const mixed = [
      dashboardRow(pointRow('a', 'point 10', {}), NOW, STALE_SEC),
      dashboardRow(pointRow('b', 'Point 9', {}), NOW, STALE_SEC),
      dashboardRow(pointRow('c', 'Point 100', {}), NOW, STALE_SEC),
    ];
    expect(fleetOrder(mixed, []).byName.map((r) => r.name)).toEqual(['Point 9', 'point 10', 'Point 100']);
  });

  test('a bad parameter is refused with what is allowed', () => {
    expect(() => parseFleetQuery(params({ size: '0' }))).toThrow(/size must be a whole number from 1 to 200/);
    expect(() => parseFleetQuery(params({ size: '201' }))).toThrow(/from 1 to 200/);
    expect(() => parseFleetQuery(params({ page: '-1' }))).toThrow(/page/);
    expect(() => parseFleetQuery(params({ page: '1.5' }))).toThrow(/page/);
    expect(() => parseFleetQuery(params({ state: 'open' }))).toThrow(/state must be one of OPEN/);
    expect(() => parseFleetQuery(params({ sort: 'random' }))).toThrow(/sort must be one of needs, name/);
    expect(() => parseFleetQuery(params({ q: 'x'.repeat(101) }))).toThrow(/q must be at most 100/);
    const many = Array.from({ length: 101 }, (_, i) => `p${i}`).join(',');
    expect(() => parseFleetQuery(params({ ids: many }))).toThrow(/at most 100 points/);
  });

  test('equal queries have equal keys; a different one does not', () => {
    const a = parseFleetQuery(params({ q: '  Kyiv ', page: '0' }));
    const b = parseFleetQuery(params({ q: 'kyiv' }));
    expect(fleetQueryKey(a)).toBe(fleetQueryKey(b));
    expect(fleetQueryKey(a)).not.toBe(fleetQueryKey({ ...b, page: 1 }));
  });

  test('the summary counts places at open points and which announcement each point shows', () => {
    const shown = [
      dashboardRow(
        pointRow('a', 'A', {
          placesLeft: 5,
          announcement: { text: 'Water at 14:00', ts: '2026-12-01T07:00:00.000Z' },
        }),
        NOW,
        STALE_SEC,
      ),
      dashboardRow(
        pointRow('b', 'B', {
          placesLeft: 7,
          announcement: { text: 'Water at 14:00', ts: '2026-12-01T07:00:00.000Z' },
        }),
        NOW,
        STALE_SEC,
      ),
      dashboardRow(pointRow('c', 'C', { placesLeft: 9, status: 'CLOSED' }), NOW, STALE_SEC),
    ];
    const s = fleetSummary(shown, needsAction(shown));
    expect(s.total).toBe(3);
    expect(s.placesLeft).toBe(12);
    expect(s.announcements).toEqual([{ text: 'Water at 14:00', points: 2 }]);
  });
});
