import { describe, expect, test } from 'vitest';
import type { StatusMessage } from '../../../src/contract/status.js';
import { type RunPlan, runSheet } from '../../../src/hub/fleet/run-sheet.js';
import type { PointRow } from '../../../src/hub/storage/types.js';
import { sampleStatus } from '../../helpers/status.js';

const NOW = Date.parse('2026-12-07T04:00:00.000Z');
const STALE_SEC = 180;
const PLAN: RunPlan = {
  truckLitres: 1000,
  firstStopHours: 1,
  hoursPerStop: 0.5,
  refillBelowPercent: 50,
  horizonHours: 24,
};

type Generator = StatusMessage['generator'];

/** A point on its generator: level %, burn %/h; its tank size in its info unless `tank: null`. */
function point(
  id: string,
  gen: Partial<Generator>,
  opts: {
    tank?: number | null;
    people?: number;
    indoor?: number;
    source?: StatusMessage['power']['source'];
    ageSec?: number;
  } = {},
): PointRow {
  const ageMs = (opts.ageSec ?? 10) * 1000;
  const status = sampleStatus({
    point: id,
    name: `Point ${id}`,
    power: { source: opts.source ?? 'generator', mainsPresent: false },
    generator: { running: true, fuelLevel: 50, load: 40, runHours: 100, ...gen },
    temperatures: { indoor: opts.indoor ?? 20 },
    occupancy: { count: opts.people ?? 10, entries: 0, exits: 0, percent: 10 },
    ts: new Date(NOW - ageMs).toISOString(),
  });
  const tank = opts.tank === undefined ? 200 : opts.tank;
  return {
    id,
    info: JSON.stringify({
      name: `Point ${id}`,
      ...(tank === null ? {} : { fuelTankLitres: tank }),
      ts: new Date(NOW - 86_400_000).toISOString(),
    }),
    status: JSON.stringify(status),
    statusTs: NOW - ageMs,
    statusReceivedAt: NOW - ageMs,
    online: true,
    onlineTs: NOW - 86_400_000,
    onlineReceivedAt: NOW - 86_400_000,
    lastSeenAt: NOW - ageMs,
  };
}

const order = (rows: PointRow[], plan = PLAN) =>
  runSheet(rows, NOW, STALE_SEC, plan).runs.flatMap((r) => r.stops.map((s) => s.id));

describe('the refuelling run sheet', () => {
  test('dark and dry first, then hours to empty ascending, then low tanks; full tanks are left out', () => {
    const rows = [
      point('full', { fuelLevel: 95, fuelPercentPerHour: 2 }),
      point('ten-hours', { fuelLevel: 50, fuelPercentPerHour: 5 }),
      point('three-hours', { fuelLevel: 30, fuelPercentPerHour: 10 }),
      point('dry', { fuelLevel: 1, fuelPercentPerHour: 10 }),
      point('dark', { running: false, fuelLevel: 40 }, { source: 'none' }),
      point('low-idle', { running: false, fuelLevel: 20, fuelPercentPerHour: 4 }),
      point('far-away', { fuelLevel: 60, fuelPercentPerHour: 1 }),
    ];
    const sheet = runSheet(rows, NOW, STALE_SEC, PLAN);
    const stops = sheet.runs.flatMap((r) => r.stops);
    expect(stops.map((s) => [s.id, s.priority])).toEqual([
      ['dark', 'dark'],
      ['dry', 'dry'],
      ['three-hours', 'soon'],
      ['ten-hours', 'soon'],
      ['low-idle', 'low'],
    ]);
    expect(stops.map((s) => s.stop)).toEqual([1, 2, 3, 4, 5]);
    // an idle generator has no trend to run down: no hours to empty
    expect(stops.find((s) => s.id === 'low-idle')?.hoursToEmpty).toBeNull();
    expect(stops.find((s) => s.id === 'three-hours')?.hoursToEmpty).toBe(3);
  });

  test('litres: the tank less what is left when the truck arrives at its trend, never below empty', () => {
    const stops = runSheet(
      [
        point('a', { fuelLevel: 30, fuelPercentPerHour: 10 }), // stop 1, arrives after 1 h
        point('b', { fuelLevel: 40, fuelPercentPerHour: 4 }), // stop 2, after 1.5 h
        point('c', { fuelLevel: 5, fuelPercentPerHour: 4 }, { tank: 120 }), // stop 1? no: 1.25 h → first
      ],
      NOW,
      STALE_SEC,
      PLAN,
    ).runs.flatMap((r) => r.stops);
    expect(stops.map((s) => [s.id, s.arrivalHours])).toEqual([
      ['c', 1],
      ['a', 1.5],
      ['b', 2],
    ]);
    // c: 120 L tank, 5 % = 6 L now, burns 4 %/h = 4.8 L/h for 1 h → 1.2 L left → bring 119 (rounded up)
    expect(stops[0]?.litres).toBe(119);
    // a: 200 L, 60 L now, 20 L/h for 1.5 h → 30 L left → 170
    expect(stops[1]?.litres).toBe(170);
    // b: 200 L, 80 L now, 8 L/h for 2 h → 64 L left → 136
    expect(stops[2]?.litres).toBe(136);
    const empty = runSheet([point('x', { fuelLevel: 3, fuelPercentPerHour: 50 })], NOW, STALE_SEC, {
      ...PLAN,
      firstStopHours: 5,
    }).runs[0]?.stops[0];
    expect(empty?.litres).toBe(200);
  });

  test('the tank size from the status when the info lacks it; unknown litres are counted apart', () => {
    const sheet = runSheet(
      [
        point('sized', { fuelLevel: 25, fuelLitres: 20, fuelPercentPerHour: 5 }, { tank: null }),
        point('unsized', { fuelLevel: 10, fuelPercentPerHour: 5 }, { tank: null }),
      ],
      NOW,
      STALE_SEC,
      PLAN,
    );
    const stops = sheet.runs.flatMap((r) => r.stops);
    expect(stops.map((s) => [s.id, s.tankLitres, s.tankFrom])).toEqual([
      ['unsized', null, null],
      ['sized', 80, 'status'],
    ]);
    expect(stops[0]?.litres).toBeNull();
    expect(sheet.runs[0]?.unknownLitres).toBe(1);
    expect(sheet.runs[0]?.litres).toBe(stops[1]?.litres);
  });

  test('within the same hour a cold room with people goes first, then more people', () => {
    expect(
      order([
        point('warm-many', { fuelLevel: 40, fuelPercentPerHour: 10 }, { people: 60 }), // 4.0 h
        point('cold-few', { fuelLevel: 45, fuelPercentPerHour: 10 }, { people: 5, indoor: 15 }), // 4.5 h
        point('warm-few', { fuelLevel: 42, fuelPercentPerHour: 10 }, { people: 3 }), // 4.2 h
        point('cold-empty', { fuelLevel: 41, fuelPercentPerHour: 10 }, { people: 0, indoor: 12 }), // 4.1 h
        point('sooner', { fuelLevel: 39, fuelPercentPerHour: 10 }, { people: 0 }), // 3.9 h
      ]),
    ).toEqual(['sooner', 'cold-few', 'warm-many', 'warm-few', 'cold-empty']);
    // dry points: the most people first
    expect(
      order([
        point('dry-few', { fuelLevel: 0 }, { people: 2 }),
        point('dry-many', { fuelLevel: 1 }, { people: 40 }),
      ]),
    ).toEqual(['dry-many', 'dry-few']);
  });

  test('a silent point: its last level burnt down since its report; run dry by now means dark', () => {
    const sheet = runSheet(
      [
        point('silent-dry', { fuelLevel: 20, fuelPercentPerHour: 10 }, { ageSec: 3 * 3600 }),
        point('silent-half', { fuelLevel: 80, fuelPercentPerHour: 10 }, { ageSec: 2 * 3600 }),
        point('live', { fuelLevel: 1, fuelPercentPerHour: 10 }),
      ],
      NOW,
      STALE_SEC,
      PLAN,
    );
    const stops = sheet.runs.flatMap((r) => r.stops);
    expect(stops.map((s) => [s.id, s.priority, s.levelPercent, s.estimated, s.state])).toEqual([
      ['silent-dry', 'dark', 0, true, 'UNKNOWN'],
      ['live', 'dry', 1, false, 'OPEN'],
      ['silent-half', 'soon', 60, true, 'UNKNOWN'],
    ]);
  });

  test('runs: stops fill one truckload after another; one larger than a truck is a run of its own', () => {
    const rows = ['a', 'b', 'c', 'd'].map((id, i) =>
      point(id, { fuelLevel: 10 + i, fuelPercentPerHour: 1 }, { tank: id === 'c' ? 900 : 300 }),
    );
    const sheet = runSheet(rows, NOW, STALE_SEC, { ...PLAN, truckLitres: 700 });
    expect(sheet.runs.map((r) => r.stops.map((s) => s.id))).toEqual([['a', 'b'], ['c'], ['d']]);
    for (const r of sheet.runs) expect(r.litres).toBe(r.stops.reduce((n, s) => n + (s.litres ?? 0), 0));
    expect(sheet.runs[1]?.litres).toBeGreaterThan(700);
    expect(runSheet([], NOW, STALE_SEC, PLAN).runs).toEqual([]);
  });
});
