import { describe, expect, it } from 'vitest';
import {
  alarmChange,
  chargerErrorName,
  decodeAlarmReasons,
  parseAlarmMask,
} from '../../../../src/drivers/vedirect/alarms.js';
import {
  channelsOf,
  describeDevice,
  deviceKind,
  mapFields,
} from '../../../../src/drivers/vedirect/fields.js';
import { BMV712_AT_REST, MPPT, PHOENIX_INVERTER, SMARTSHUNT } from '../../../emulators/vedirect-device.js';

const asMap = (blocks: typeof SMARTSHUNT): Map<string, string> => new Map(blocks.flat());
const values = (m: ReturnType<typeof mapFields>): Record<string, number | null> =>
  Object.fromEntries(m.map((v) => [v.channel, v.value]));

describe('VE.Direct fields to channels', () => {
  it('maps a SmartShunt: mV→V, mA→A, W, SOC ‰→%, TTG min, consumed Ah, alarm and relay 0/1', () => {
    const fields = asMap(SMARTSHUNT);
    expect(deviceKind(fields)).toBe('monitor');
    expect(values(mapFields(fields, 'monitor'))).toEqual({
      'battery.voltage': 12.85,
      'battery.starterVoltage': 12.71,
      'battery.current': -3.25,
      'battery.power': -42,
      'battery.consumedAh': -10.2,
      'battery.soc': 87.6,
      'battery.timeToGo': 1320,
      'battery.timeToGoInfinite': 0,
      'battery.alarm': 0,
      'battery.relay': 0,
      'battery.monitorMode': 0,
      'battery.history.deepestDischarge': -55,
      'battery.history.lastDischarge': -10.2,
      'battery.chargeCycles': 17,
      'battery.history.minVoltage': 11.2,
      'battery.history.maxVoltage': 14.4,
      'battery.history.hoursSinceFullCharge': 24,
      'battery.history.dischargedEnergy': 45,
      'battery.history.chargedEnergy': 51,
    });
  });

  it('keeps every BMV history field H1..H18 with its unit', () => {
    const v = values(mapFields(asMap(BMV712_AT_REST), 'monitor'));
    expect(v).toMatchObject({
      'battery.history.deepestDischarge': -55,
      'battery.history.lastDischarge': -10.2,
      'battery.history.averageDischarge': -23.4,
      'battery.chargeCycles': 17,
      'battery.history.fullDischarges': 0,
      'battery.history.cumulativeAh': -1404,
      'battery.history.minVoltage': 11.2,
      'battery.history.maxVoltage': 14.4,
      'battery.history.hoursSinceFullCharge': 24,
      'battery.history.autoSyncs': 3,
      'battery.history.lowVoltageAlarms': 1,
      'battery.history.highVoltageAlarms': 0,
      'battery.history.lowStarterVoltageAlarms': 0,
      'battery.history.highStarterVoltageAlarms': 0,
      'battery.history.minStarterVoltage': 10.9,
      'battery.history.maxStarterVoltage': 13.8,
      'battery.history.dischargedEnergy': 45,
      'battery.history.chargedEnergy': 51,
    });
    expect(
      Object.keys(v).filter((c) => c.startsWith('battery.history.') || c === 'battery.chargeCycles'),
    ).toHaveLength(18);
  });

  it('maps an MPPT to solar channels, its V to battery.voltage, yields in kWh', () => {
    const fields = asMap(MPPT);
    expect(deviceKind(fields)).toBe('charger');
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
      'solar.maxPowerYesterday': 148,
      'solar.daySequence': 208,
    });
  });

  it('maps MPPT tracker mode and the hex off reason', () => {
    expect(
      values(
        mapFields(
          new Map([
            ['MPPT', '2'],
            ['OR', '0x00000001'],
          ]),
          'charger',
        ),
      ),
    ).toEqual({ 'solar.trackerMode': 2, 'solar.offReason': 1 });
    expect(mapFields(new Map([['OR', '17']]), 'charger')).toEqual([
      { channel: 'solar.offReason', value: null, problem: 'OR="17" is not a hex number' },
    ]);
  });

  it('detects a Phoenix inverter by PID or, without one, by its AC output fields', () => {
    expect(deviceKind(asMap(PHOENIX_INVERTER))).toBe('inverter');
    const noPid = new Map([...asMap(PHOENIX_INVERTER)].filter(([l]) => l !== 'PID'));
    expect(deviceKind(noPid)).toBe('inverter');
    expect(deviceKind(new Map([['PID', '0xA04C']]))).toBe('charger');
    expect(deviceKind(new Map([['V', '12000']]))).toBe('monitor');
    expect(describeDevice(asMap(PHOENIX_INVERTER), 'inverter')).toBe(
      'inverter (PID 0xA201, FW 0114, SER# HQ1731ABCDE)',
    );
  });

  it('maps an inverter: AC output V (0.01 V), A (0.1 A), VA, state, mode, inverting 0/1', () => {
    expect(values(mapFields(asMap(PHOENIX_INVERTER), 'inverter'))).toEqual({
      'inverter.mode': 2,
      'inverter.state': 9,
      'inverter.inverting': 1,
      'inverter.acVoltage': 230.01,
      'inverter.acCurrent': 0.7,
      'inverter.acApparentPower': 161,
      'battery.voltage': 12.39,
      'inverter.offReason': 0,
    });
    const off = values(mapFields(new Map([['CS', '0']]), 'inverter'));
    expect(off).toEqual({ 'inverter.state': 0, 'inverter.inverting': 0 });
  });

  it('a second device (not the battery role) keeps its V on its own channel', () => {
    const inv = values(mapFields(asMap(PHOENIX_INVERTER), 'inverter', { batteryRole: false }));
    expect(inv['inverter.dcVoltage']).toBe(12.39);
    expect(inv['battery.voltage']).toBeUndefined();
    const mppt = values(mapFields(asMap(MPPT), 'charger', { batteryRole: false }));
    expect(mppt['solar.batteryVoltage']).toBe(14.99);
    expect(mppt['battery.voltage']).toBeUndefined();
  });

  it('TTG -1 is "infinite": timeToGo null (CONTRACT) and timeToGoInfinite 1; "---" is no data: both null', () => {
    const fields = new Map([
      ['TTG', '-1'],
      ['SOC', '---'],
      ['CE', '---'],
      ['Alarm', 'on'],
    ]);
    expect(values(mapFields(fields, 'monitor'))).toEqual({
      'battery.timeToGo': null,
      'battery.timeToGoInfinite': 1,
      'battery.soc': null,
      'battery.consumedAh': null,
      'battery.alarm': 1,
    });
    expect(values(mapFields(new Map([['TTG', '---']]), 'monitor'))).toEqual({
      'battery.timeToGo': null,
      'battery.timeToGoInfinite': null,
    });
    expect(values(mapFields(asMap(BMV712_AT_REST), 'monitor'))).toMatchObject({
      'battery.timeToGo': null,
      'battery.timeToGoInfinite': 1,
      'battery.soc': 100,
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
    expect(channelsOf(['PID', 'V', 'I', 'SOC', 'TTG', 'FW'], 'monitor')).toEqual([
      'battery.voltage',
      'battery.current',
      'battery.soc',
      'battery.timeToGo',
      'battery.timeToGoInfinite',
    ]);
    expect(channelsOf(['V', 'CS', 'AC_OUT_V'], 'inverter', { batteryRole: false })).toEqual([
      'inverter.dcVoltage',
      'inverter.state',
      'inverter.inverting',
      'inverter.acVoltage',
    ]);
  });
});

describe('VE.Direct alarm reasons and charger errors', () => {
  it('decodes the AR bitmask, naming unknown bits', () => {
    expect(decodeAlarmReasons(0)).toEqual([]);
    expect(decodeAlarmReasons(1 | 4 | 256)).toEqual(['low voltage', 'low state of charge', 'overload']);
    expect(decodeAlarmReasons(4096)).toEqual(['short circuit']);
    expect(decodeAlarmReasons(0x10000)).toEqual(['unknown bits 0x10000']);
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
