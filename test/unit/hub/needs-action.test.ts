import { describe, expect, test } from 'vitest';
import type { StatusMessage } from '../../../src/contract/status.js';
import { dashboardRow } from '../../../src/hub/fleet/dashboard-row.js';
import { needsAction, reasonsFor } from '../../../src/hub/fleet/needs-action.js';
import type { PointRow } from '../../../src/hub/storage/types.js';
import { sampleStatus } from '../../helpers/status.js';

const NOW = Date.parse('2026-12-01T08:00:30.000Z');
const STALE_SEC = 180;

function row(id: string, over: Partial<StatusMessage> | null, extra: Partial<PointRow> = {}): PointRow {
  const status = over === null ? null : JSON.stringify(sampleStatus({ point: id, ...over }));
  return {
    id,
    info: null,
    status,
    statusTs: status ? Date.parse('2026-12-01T08:00:00.000Z') : null,
    statusReceivedAt: status ? NOW - 30_000 : null,
    online: true,
    onlineTs: NOW - 60_000,
    onlineReceivedAt: NOW - 60_000,
    lastSeenAt: NOW - 30_000,
    ...extra,
  };
}

const onBattery = (battery: number | null, fuel: number | null): Partial<StatusMessage> => ({
  power: { source: 'generator', mainsPresent: false },
  battery: { soc: 50, voltage: 12.5, current: -5, power: -60, timeToGo: null, hoursLeft: battery },
  generator: { running: true, fuelLevel: 40, load: 30, runHours: 100, fuelHoursLeft: fuel },
});

describe('dashboard rows', () => {
  test('energy left is the smaller source off the grid, none on the grid', () => {
    expect(dashboardRow(row('a', onBattery(9, 4.5)), NOW, STALE_SEC).energyHours).toBe(4.5);
    expect(dashboardRow(row('a', onBattery(null, 30)), NOW, STALE_SEC).energyHours).toBe(30);
    expect(dashboardRow(row('a', onBattery(null, null)), NOW, STALE_SEC).energyHours).toBeNull();
    expect(dashboardRow(row('a', {}), NOW, STALE_SEC).energyHours).toBeNull();
  });

  test('a stale point shows nothing of its last status as current', () => {
    const r = dashboardRow(
      row('a', { ...onBattery(2, 2), temperatures: { indoor: 10 } }, { statusReceivedAt: NOW - 600_000 }),
      NOW,
      STALE_SEC,
    );
    expect(r.state).toBe('UNKNOWN');
    expect(r.energyHours).toBeNull();
    expect(r.cold).toBeNull();
    expect(r.placesLeft).toBeNull();
    expect(reasonsFor(r)).toEqual(['silent']);
  });

  test('cold against 18 °C, backlog age and the desired report', () => {
    const r = dashboardRow(
      row('a', {
        temperatures: { indoor: 17.9 },
        uplink: { connected: true, backlog: { telemetry: 5, events: 1 }, oldestUnsentAgeSec: 420 },
        desired: { id: 'cmd-1', applied: false, error: 'expired' },
      }),
      NOW,
      STALE_SEC,
    );
    expect(r.cold).toBe(true);
    expect(r.backlogAgeSec).toBe(420);
    expect(r.desiredReport).toEqual({ id: 'cmd-1', applied: false, error: 'expired' });
    expect(dashboardRow(row('b', { temperatures: { indoor: 18 } }), NOW, STALE_SEC).cold).toBe(false);
  });
});

describe('needs action', () => {
  test('ranked: hours to empty, then cold, then full, then silent; each point once', () => {
    const rows = [
      row('silent-long', {}, { online: false, lastSeenAt: NOW - 3_600_000 }),
      row('full', { status: 'FULL', placesLeft: 0 }),
      row('fine', {}),
      row('cold-15', { temperatures: { indoor: 15 } }),
      row('empty-9h', onBattery(9, 20)),
      row('silent-short', {}, { online: false, lastSeenAt: NOW - 60_000 }),
      row('empty-2h-cold', { ...onBattery(2, null), temperatures: { indoor: 16 } }),
      row('cold-17', { temperatures: { indoor: 17 } }),
      row('plenty', onBattery(40, 50)),
    ].map((r) => dashboardRow(r, NOW, STALE_SEC));
    const list = needsAction(rows);
    expect(list.map((i) => i.id)).toEqual([
      'empty-2h-cold',
      'empty-9h',
      'cold-15',
      'cold-17',
      'full',
      'silent-long',
      'silent-short',
    ]);
    expect(list[0]?.reasons).toEqual(['energy', 'cold']);
  });
});

describe('where to send people', () => {
  test('nearest open points with places, never UNKNOWN, full or closed ones', async () => {
    const { nearestOpen, distanceKm } = await import('../../../src/hub/fleet/nearest.js');
    // Kyiv to Lviv is about 470 km along the great circle
    expect(distanceKm({ lat: 50.45, lon: 30.52 }, { lat: 49.84, lon: 24.03 })).toBeGreaterThan(460);
    expect(distanceKm({ lat: 50.45, lon: 30.52 }, { lat: 49.84, lon: 24.03 })).toBeLessThan(480);
    const at = (
      id: string,
      lat: number,
      over: Partial<StatusMessage> | null,
      extra: Partial<PointRow> = {},
    ) => {
      const r = dashboardRow(row(id, over, extra), NOW, STALE_SEC);
      return { ...r, location: { lat, lon: 30 } };
    };
    const rows = [
      at('far-open', 52, {}),
      at('near-full', 50.01, { status: 'FULL', placesLeft: 0 }),
      at('near-unknown', 50.02, {}, { online: false }),
      at('near-closed', 50.03, { status: 'CLOSED' }),
      at('near-limited', 50.1, { status: 'OPEN_LIMITED', placesLeft: 3 }),
      at('here', 50, {}),
    ];
    const list = nearestOpen(rows, { lat: 50, lon: 30 }, 5, 'here');
    expect(list.map((p) => p.id)).toEqual(['near-limited', 'far-open']);
    expect(list[0]?.placesLeft).toBe(3);
    expect(list[0]?.km).toBeCloseTo(11.1, 0);
  });
});
