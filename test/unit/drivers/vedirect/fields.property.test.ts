import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { type DeviceKind, fieldNumber, mapFields } from '../../../../src/drivers/vedirect/fields.js';

const KINDS: DeviceKind[] = ['monitor', 'charger', 'inverter'];
const LABELS = [
  'V',
  'I',
  'P',
  'SOC',
  'TTG',
  'CE',
  'H9',
  'H17',
  'AC_OUT_V',
  'AC_OUT_I',
  'AC_OUT_S',
  'CS',
  'MODE',
  'OR',
  'MPPT',
  'Alarm',
  'Relay',
  'LOAD',
  'PID',
  'XYZ',
];
const value = fc.oneof(
  fc.string({ maxLength: 12 }),
  fc.integer({ min: -2_000_000, max: 2_000_000 }).map(String),
  fc.integer({ min: 0, max: 0xffffffff }).map((n) => `0x${n.toString(16).padStart(8, '0')}`),
  fc.constantFrom('---', 'ON', 'OFF', '-1', ' 12 '),
);

describe('VE.Direct field values (fast-check)', () => {
  it('any field map: never throws; every value is a finite number or null, null from garbage with a problem', () => {
    fc.assert(
      fc.property(
        fc.constantFrom(...KINDS),
        fc.dictionary(fc.constantFrom(...LABELS), value),
        fc.boolean(),
        (kind, dict, role) => {
          const out = mapFields(new Map(Object.entries(dict)), kind, { batteryRole: role });
          for (const v of out) {
            expect(v.value === null || Number.isFinite(v.value)).toBe(true);
            if (v.problem) expect(v.value).toBeNull();
            expect(v.channel).toMatch(/^[a-z][a-zA-Z0-9]*(\.[a-z][a-zA-Z0-9]*)+$/);
          }
        },
      ),
    );
  });

  it('a decimal integer reads back exactly; hex only with 0x; "---" is null without a problem', () => {
    fc.assert(
      fc.property(fc.integer({ min: -1e12 + 1, max: 1e12 - 1 }), (n) => {
        expect(fieldNumber('X', ` ${n}\t`)).toEqual({ value: n });
        expect(fieldNumber('X', `${n}`, true).value).toBeNull();
      }),
    );
    fc.assert(
      fc.property(fc.integer({ min: 0, max: 0xffffffff }), (n) => {
        expect(fieldNumber('OR', `0x${n.toString(16)}`, true)).toEqual({ value: n });
      }),
    );
    expect(fieldNumber('SOC', '---')).toEqual({ value: null });
  });

  it('TTG: a negative value is "infinite" (timeToGo null, infinite 1), any other a time (infinite 0)', () => {
    fc.assert(
      fc.property(fc.integer({ min: -100, max: 100_000 }), (n) => {
        const got = Object.fromEntries(
          mapFields(new Map([['TTG', String(n)]]), 'monitor').map((v) => [v.channel, v.value]),
        );
        expect(got).toEqual(
          n < 0
            ? { 'battery.timeToGo': null, 'battery.timeToGoInfinite': 1 }
            : { 'battery.timeToGo': n, 'battery.timeToGoInfinite': 0 },
        );
      }),
    );
  });

  it('inverter AC output: centivolts, deciamps and VA scale exactly', () => {
    fc.assert(
      fc.property(fc.integer({ min: 0, max: 30_000 }), fc.integer({ min: 0, max: 500 }), (cv, da) => {
        const got = Object.fromEntries(
          mapFields(
            new Map([
              ['AC_OUT_V', String(cv)],
              ['AC_OUT_I', String(da)],
              ['AC_OUT_S', String(cv)],
            ]),
            'inverter',
          ).map((v) => [v.channel, v.value]),
        );
        expect(got['inverter.acVoltage']).toBeCloseTo(cv / 100, 10);
        expect(got['inverter.acCurrent']).toBeCloseTo(da / 10, 10);
        expect(got['inverter.acApparentPower']).toBe(cv);
      }),
    );
  });
});
