import { describe, expect, it } from 'vitest';
import {
  chargerErrorName,
  decodeAlarmReasons,
  parseHexMask,
} from '../../../../src/drivers/vedirect/alarms.js';
import {
  ALARM_REASON_BITS,
  bitNames,
  CHARGER_ERRORS,
  codeName,
  DEVICE_MODES,
  MONITOR_MODES,
  OFF_REASON_BITS,
  OPERATION_STATES,
  productFamily,
  TRACKER_MODES,
} from '../../../../src/drivers/vedirect/codes.js';

/**
 * The rows of Victron's "VE.Direct Protocol" document (text protocol, v3.3x), typed in from its tables
 * as published, word for word where they name something. The driver's tables must hold exactly these
 * codes with these meanings: a swapped or missing row fails here.
 */
const DOC_ERR: Array<[number, RegExp]> = [
  [0, /^no error$/],
  [2, /^battery voltage too high$/],
  [17, /^charger temperature too high$/],
  [18, /^charger over-current$/],
  [19, /^charger current reversed$/],
  [20, /^bulk time limit exceeded$/],
  [21, /^current sensor issue/],
  [26, /^terminals overheated$/],
  [28, /^converter issue/],
  [33, /^input voltage too high \(solar panel\)$/],
  [34, /^input current too high \(solar panel\)$/],
  [38, /^input shutdown \(excessive battery voltage\)$/],
  [39, /^input shutdown \(current flow during off mode\)$/],
  [65, /^lost communication with one of the devices$/],
  [66, /^synchronised charging device configuration issue$/],
  [67, /^BMS connection lost$/],
  [68, /^network misconfigured$/],
  [116, /^factory calibration data lost$/],
  [117, /^invalid or incompatible firmware$/],
  [119, /^user settings invalid$/],
];

const DOC_AR: Array<[number, string]> = [
  [1, 'low voltage'],
  [2, 'high voltage'],
  [4, 'low state of charge'],
  [8, 'low starter voltage'],
  [16, 'high starter voltage'],
  [32, 'low temperature'],
  [64, 'high temperature'],
  [128, 'mid-point voltage'],
  [256, 'overload'],
  [512, 'DC ripple'],
  [1024, 'low AC output voltage'],
  [2048, 'high AC output voltage'],
  [4096, 'short circuit'],
  [8192, 'BMS lockout'],
];

const DOC_CS: Array<[number, string]> = [
  [0, 'off'],
  [1, 'low power'],
  [2, 'fault'],
  [3, 'bulk'],
  [4, 'absorption'],
  [5, 'float'],
  [6, 'storage'],
  [7, 'equalize (manual)'],
  [9, 'inverting'],
  [11, 'power supply'],
  [245, 'starting up'],
  [246, 'repeated absorption'],
  [247, 'auto equalize / recondition'],
  [248, 'BatterySafe'],
  [252, 'external control'],
];

const DOC_OR: Array<[number, string]> = [
  [0x1, 'no input power'],
  [0x2, 'switched off (power switch)'],
  [0x4, 'switched off (device mode register)'],
  [0x8, 'remote input'],
  [0x10, 'protection active'],
  [0x20, 'paygo'],
  [0x40, 'BMS'],
  [0x80, 'engine shutdown detection'],
  [0x100, 'analysing input voltage'],
];

describe('VE.Direct code tables against the published document', () => {
  it('ERR: every charger error code of the document, and no other', () => {
    expect([...CHARGER_ERRORS.keys()]).toEqual(DOC_ERR.map(([c]) => c));
    for (const [code, name] of DOC_ERR) expect(chargerErrorName(code)).toMatch(name);
    // the names the issue found wrong
    expect(chargerErrorName(66)).toBe('synchronised charging device configuration issue');
    expect(chargerErrorName(67)).toBe('BMS connection lost');
    expect(chargerErrorName(68)).toBe('network misconfigured');
    expect(chargerErrorName(99)).toBe('error 99');
  });

  it('AR/WARN: the 14 alarm-reason bits, 4096 short circuit and 8192 BMS lockout included', () => {
    expect(ALARM_REASON_BITS).toEqual(DOC_AR);
    for (const [bit, name] of DOC_AR) expect(decodeAlarmReasons(bit)).toEqual([name]);
    expect(decodeAlarmReasons(4096 | 8192 | 1)).toEqual(['low voltage', 'short circuit', 'BMS lockout']);
    expect(decodeAlarmReasons(16384)).toEqual(['unknown bits 0x4000']);
  });

  it('CS, MODE, MPPT, OR and MON as the document lists them', () => {
    expect([...OPERATION_STATES]).toEqual(DOC_CS);
    expect([...DEVICE_MODES]).toEqual([
      [1, 'charger'],
      [2, 'inverter'],
      [4, 'off'],
      [5, 'eco'],
      [253, 'hibernate'],
    ]);
    expect([...TRACKER_MODES]).toEqual([
      [0, 'off'],
      [1, 'voltage or current limited'],
      [2, 'MPP tracker active'],
    ]);
    expect(OFF_REASON_BITS).toEqual(DOC_OR);
    expect(bitNames(OFF_REASON_BITS, parseHexMask('0x00000041') ?? -1)).toEqual(['no input power', 'BMS']);
    expect([...MONITOR_MODES.keys()]).toEqual([
      -9, -8, -7, -6, -5, -4, -3, -2, -1, 0, 1, 2, 3, 4, 5, 6, 7, 8,
    ]);
    expect(codeName(MONITOR_MODES, 0, 'mode')).toBe('battery monitor');
    expect(codeName(OPERATION_STATES, 8, 'state')).toBe('state 8');
  });

  it('PIDs: BMV/SmartShunt monitors, MPPTs, Phoenix inverters; others left to the fields', () => {
    expect(productFamily('0x203')).toBe('monitor');
    expect(productFamily('0xA381')).toBe('monitor');
    expect(productFamily('0xA389')).toBe('monitor');
    expect(productFamily('0x0300')).toBe('charger');
    expect(productFamily('0xA04C')).toBe('charger');
    expect(productFamily('0xA075')).toBe('charger');
    expect(productFamily('0xA201')).toBe('inverter');
    expect(productFamily('0xa2a4')).toBe('inverter');
    expect(productFamily('0xA340')).toBeUndefined(); // Phoenix Smart IP43 charger
    expect(productFamily('garbage')).toBeUndefined();
  });
});
