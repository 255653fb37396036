import { describe, expect, it } from 'vitest';
import {
  alarmChange,
  chargerErrorName,
  decodeAlarmReasons,
  parseAlarmMask,
} from '../../../../src/drivers/vedirect/alarms.js';
import { channelsOf, deviceKind, mapFields } from '../../../../src/drivers/vedirect/fields.js';
import { MPPT, SMARTSHUNT } from '../../../emulators/vedirect-device.js';

const asMap = (blocks: typeof SMARTSHUNT): Map<string, string> => new Map(blocks.flat());
const values = (m: ReturnType<typeof mapFields>): Record<string, number | null> =>
  Object.fromEntries(m.map((v) => [v.channel, v.value]));

describe('VE.Direct fields to channels', () => {
  it('maps a SmartShunt: mV→V, mA→A, W, SOC ‰→%, TTG min, consumed Ah, alarm and relay 0/1', () => {
    const fields = asMap(SMARTSHUNT);
    expect(deviceKind(fields.keys())).toBe('monitor');
    expect(values(mapFields(fields, 'monitor'))).toEqual({
      'battery.voltage': 12.85,
      'battery.starterVoltage': 12.71,
      'battery.current': -3.25,
      'battery.power': -42,
      'battery.consumedAh': -10.2,
      'battery.soc': 87.6,
      'battery.timeToGo': 1320,
      'battery.alarm': 0,
      'battery.relay': 0,
      'battery.chargeCycles': 17,
    });
  });

  it('maps an MPPT to solar channels, its V to battery.voltage, yields in kWh', () => {
    const fields = asMap(MPPT);
    expect(deviceKind(fields.keys())).toBe('charger');
    expect(values(mapFields(fields, 'charger'))).toEqual({
      'battery.voltage': 14.99,
      'solar.chargeCurrent': 2.77,
      'solar.voltage': 20.45,
      'solar.power': 42,
      'solar.chargeState': 4,
      'solar.error': 0,
      'solar.loadOn': 0,
      'solar.loadCurrent': 0,
      'solar.yieldTotal': 60.78,
      'solar.yieldToday': 0.14,
      'solar.maxPowerToday': 100,
      'solar.yieldYesterday': 0.52,
    });
  });

  it('TTG -1 (not discharging) and "---" (not synchronised) are null, never a number', () => {
    const fields = new Map([
      ['TTG', '-1'],
      ['SOC', '---'],
      ['CE', '---'],
      ['Alarm', 'on'],
    ]);
    expect(values(mapFields(fields, 'monitor'))).toEqual({
      'battery.timeToGo': null,
      'battery.soc': null,
      'battery.consumedAh': null,
      'battery.alarm': 1,
    });
  });

  it('a value that is not a number is null with a clear problem, and nothing else changes', () => {
    const out = mapFields(
      new Map([
        ['V', '12x50'],
        ['I', '100'],
        ['Relay', 'MAYBE'],
      ]),
      'monitor',
    );
    expect(out).toEqual([
      { channel: 'battery.voltage', value: null, problem: 'V="12x50" is not a number' },
      { channel: 'battery.current', value: 0.1 },
      { channel: 'battery.relay', value: null, problem: 'Relay="MAYBE" is neither ON nor OFF' },
    ]);
  });

  it('lists the channels seen so far (to null them when the device goes stale)', () => {
    expect(channelsOf(['PID', 'V', 'I', 'SOC', 'FW'], 'monitor')).toEqual([
      'battery.voltage',
      'battery.current',
      'battery.soc',
    ]);
  });
});

describe('VE.Direct alarm reasons and charger errors', () => {
  it('decodes the AR bitmask, naming unknown bits', () => {
    expect(decodeAlarmReasons(0)).toEqual([]);
    expect(decodeAlarmReasons(1 | 4 | 256)).toEqual(['low voltage', 'low state of charge', 'overload']);
    expect(decodeAlarmReasons(4096)).toEqual(['unknown reason bits 0x1000']);
  });

  it('tells raised from cleared reasons', () => {
    expect(alarmChange(1, 5)).toEqual({ raised: ['low state of charge'], cleared: [] });
    expect(alarmChange(5, 0)).toEqual({ raised: [], cleared: ['low voltage', 'low state of charge'] });
  });

  it('parses AR strictly and names charger errors', () => {
    expect(parseAlarmMask(' 12 ')).toBe(12);
    expect(parseAlarmMask('0x1')).toBeUndefined();
    expect(parseAlarmMask('---')).toBeUndefined();
    expect(chargerErrorName(0)).toBe('no error');
    expect(chargerErrorName(2)).toBe('battery voltage too high');
    expect(chargerErrorName(99)).toBe('error 99');
  });
});
