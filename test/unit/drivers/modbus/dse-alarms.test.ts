import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  alarmLabel,
  decodeAlarms,
  identifyDse,
  LEGACY_ALARM_NAMES,
  MAX_ALARMS,
} from '../../../../src/drivers/modbus/dse-alarms.js';

describe('DSE models and alarm systems', () => {
  it('knows which models have Named Alarm Conditions (page 154) and how many registers', () => {
    expect(identifyDse(1, 32_840)).toEqual({
      code: '1-32840',
      name: '7310 MKII',
      alarms: { system: 'named', registers: 20 },
    });
    expect(identifyDse(1, 32_834).alarms).toEqual({ system: 'named', registers: 39 });
    expect(identifyDse(1, 32_808).alarms).toEqual({ system: 'named', registers: 11 });
    expect(identifyDse(1, 4623)).toEqual({ code: '1-4623', name: '4620/4623', alarms: { system: 'legacy' } });
    expect(identifyDse(1, 12_345)).toEqual({ code: '1-12345', name: 'DSE model 12345' });
    expect(identifyDse(7, 3)).toEqual({ code: '7-3', name: 'manufacturer 7 model 3' });
    expect(identifyDse(undefined, 3)).toEqual({ code: 'unknown', name: 'unidentified model' });
  });

  it('names page-8 alarms as GenComm lists them, named conditions by number', () => {
    expect(LEGACY_ALARM_NAMES).toHaveLength(99);
    expect(alarmLabel('legacy', 1)).toBe('alarm 1 (emergency stop)');
    expect(alarmLabel('legacy', 2)).toBe('alarm 2 (low oil pressure)');
    expect(alarmLabel('legacy', 99)).toBe('alarm 99 (bus 2 phase rotation wrong)');
    expect(alarmLabel('legacy', 100)).toBe('alarm 100');
    expect(alarmLabel('named', 6)).toBe('named alarm condition 6');
  });

  it('packed nibbles (fast-check): an alarm is active exactly when its nibble is 2, 3 or 4', () => {
    fc.assert(
      fc.property(
        fc.array(fc.integer({ min: 0, max: 0xffff }), { maxLength: 45 }),
        fc.integer({ min: 0, max: 200 }),
        (regs, count) => {
          const out = decodeAlarms(count, regs);
          const n = Math.min(count, regs.length * 4, MAX_ALARMS);
          for (let i = 1; i <= n; i++) {
            const nibble = ((regs[Math.floor((i - 1) / 4)] ?? 0) >> (12 - 4 * ((i - 1) % 4))) & 0xf;
            const want = ({ 2: 'warning', 3: 'shutdown', 4: 'trip' } as Record<number, string>)[nibble];
            expect(out.get(i)).toBe(want);
          }
          for (const index of out.keys()) expect(index >= 1 && index <= n).toBe(true);
        },
      ),
    );
  });
});
