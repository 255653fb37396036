import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { ALARM_NAMES } from '../../../src/point/alarms/catalog.js';
import { evaluatePoint } from '../../../src/point/model.js';
import type { ChannelValue, Mode, PointState } from '../../../src/point/types.js';
import { modelConfig, SEC, T0 } from './helpers.js';

const maybe = <T>(a: fc.Arbitrary<T>) => fc.option(a, { nil: undefined });

/** One moment of a noisy world: any channel may be missing, null or anywhere in its range. */
const moment = fc.record({
  dt: fc.integer({ min: 0, max: 20_000 }),
  mains: maybe(fc.constantFrom(0, 1)),
  generator: maybe(fc.constantFrom(0, 1)),
  soc: maybe(fc.oneof(fc.double({ min: 0, max: 100, noNaN: true }), fc.constant(null))),
  current: maybe(fc.double({ min: -60, max: 20, noNaN: true })),
  load: maybe(fc.double({ min: 0, max: 100, noNaN: true })),
  fuel: maybe(fc.double({ min: 0, max: 100, noNaN: true })),
  indoor: maybe(fc.double({ min: 10, max: 25, noNaN: true })),
  outdoor: maybe(fc.double({ min: -20, max: 10, noNaN: true })),
  door: maybe(fc.constantFrom(0, 1)),
  tamper: maybe(fc.constantFrom(0, 1)),
  occupancy: fc.integer({ min: 0, max: 50 }),
});

const dwellSec = fc.integer({ min: 0, max: 120 });

function latestOf(m: Moment, now: number): Map<string, ChannelValue> {
  const v: Array<[string, number | null | undefined]> = [
    ['mains.present', m.mains],
    ['generator.running', m.generator],
    ['battery.soc', m.soc],
    ['battery.current', m.current],
    ['generator.load', m.load],
    ['generator.fuelLevel', m.fuel],
    ['temperature.indoor', m.indoor],
    ['temperature.outdoor', m.outdoor],
    ['door.beamBlocked', m.door],
    ['tamper.open', m.tamper],
  ];
  return new Map(v.filter(([, x]) => x !== undefined).map(([k, x]) => [k, { value: x ?? null, ts: now }]));
}

type Moment = {
  dt: number;
  mains?: number;
  generator?: number;
  soc?: number | null;
  current?: number;
  load?: number;
  fuel?: number;
  indoor?: number;
  outdoor?: number;
  door?: number;
  tamper?: number;
  occupancy: number;
};

/** The raise dwell of each alarm: most wait raiseAfterSec; security and FULL act at once (docs/point-rules.md). */
function raiseWait(alarm: string, raiseAfterSec: number, doorBlockedSec: number): number {
  if (alarm === 'tamper' || alarm === 'fuel.drop' || alarm === 'occupancy.full' || alarm === 'generator.rest')
    return 0;
  if (alarm === 'door.blocked') return doorBlockedSec * SEC;
  return raiseAfterSec * SEC;
}

describe('no input sequence changes the state faster than its dwell time', () => {
  it('in auto, every rule-driven change comes at least minDwellSec after the last (FULL by its own latch)', () => {
    fc.assert(
      fc.property(dwellSec, fc.array(moment, { minLength: 1, maxLength: 120 }), (minDwellSec, moments) => {
        const cfg = modelConfig({ rules: { minDwellSec } });
        let now = T0;
        let prev: PointState | undefined;
        for (const m of moments) {
          now += m.dt;
          const next = evaluatePoint(
            prev,
            { now, latest: latestOf(m, now), mode: 'auto', occupancy: m.occupancy },
            cfg,
          ).state;
          if (prev && next.state !== prev.state) {
            if (next.state === 'FULL') expect(next.memory.full.active).toBe(true);
            else expect(now - prev.since).toBeGreaterThanOrEqual(minDwellSec * SEC);
          }
          prev = next;
        }
      }),
      { numRuns: 300 },
    );
  });

  it('only an operator mode change may cut a dwell short', () => {
    const modes: Mode[] = ['auto', 'open', 'closed', 'standby'];
    fc.assert(
      fc.property(
        fc.array(fc.tuple(moment, fc.constantFrom(...modes)), { minLength: 1, maxLength: 80 }),
        (steps) => {
          const cfg = modelConfig();
          let now = T0;
          let prev: PointState | undefined;
          for (const [m, mode] of steps) {
            now += m.dt;
            const next = evaluatePoint(
              prev,
              { now, latest: latestOf(m, now), mode, occupancy: m.occupancy },
              cfg,
            ).state;
            if (prev && next.state !== prev.state && prev.mode === mode && next.state !== 'FULL') {
              expect(now - prev.since).toBeGreaterThanOrEqual(cfg.rules.minDwellSec * SEC);
            }
            prev = next;
          }
        },
      ),
      { numRuns: 200 },
    );
  });

  it('an alarm never clears sooner than clearAfterSec after it was raised, nor is raised again sooner than raiseAfterSec', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 1, max: 90 }),
        fc.integer({ min: 1, max: 90 }),
        fc.array(moment, { minLength: 1, maxLength: 150 }),
        (raiseAfterSec, clearAfterSec, moments) => {
          const cfg = modelConfig({ alarms: { raiseAfterSec, clearAfterSec } });
          let now = T0;
          let prev: PointState | undefined;
          const last = new Map<string, { type: string; ts: number }>();
          for (const m of moments) {
            now += m.dt;
            const r = evaluatePoint(
              prev,
              { now, latest: latestOf(m, now), mode: 'auto', occupancy: m.occupancy },
              cfg,
            );
            for (const e of r.events) {
              const alarm = e.data?.alarm;
              if (typeof alarm !== 'string' || !(ALARM_NAMES as readonly string[]).includes(alarm)) continue;
              const before = last.get(alarm);
              if (before && e.type === 'alarm.cleared' && alarm !== 'generator.rest')
                expect(e.ts - before.ts).toBeGreaterThanOrEqual(clearAfterSec * SEC);
              if (before && e.type === 'alarm.raised') {
                expect(e.ts - before.ts).toBeGreaterThanOrEqual(
                  raiseWait(alarm, raiseAfterSec, cfg.alarms.doorBlockedSec),
                );
              }
              last.set(alarm, { type: e.type, ts: e.ts });
            }
            prev = r.state;
          }
        },
      ),
      { numRuns: 200 },
    );
  });
});
