import { describe, expect, it } from 'vitest';
import { decodeAlarms } from '../../../../src/drivers/modbus/dse-alarms.js';
import { decodeDse, s16, s32, u16, u32 } from '../../../../src/drivers/modbus/dse-registers.js';

const engine = (over: Record<number, number> = {}): number[] =>
  [310, 82, 90, 64, 138, 135, 1500, 500].map((v, i) => over[i] ?? v);

describe('DSE GenComm decoding', () => {
  it('treats the top eight values of each type as "not available"', () => {
    expect([0xfff7, 0xfff8, 0xffff].map(u16)).toEqual([0xfff7, null, null]);
    expect([0x7ff7, 0x7ff8, 0x7fff, 0xffff, 0x8000].map(s16)).toEqual([0x7ff7, null, null, -1, -32768]);
    expect(u32(0xffff, 0xfff8)).toBeNull();
    expect(u32(0x0001, 0x0002)).toBe(65_538);
    expect(s32(0x7fff, 0xffff)).toBeNull();
    expect(s32(0xffff, 0xfffe)).toBe(-2);
  });

  it('decodes a running genset', () => {
    const values = new Map([
      ['engine', engine()],
      ['state', [3]],
      ['watts', [0, 2700]],
      ['load', [450]],
      ['runTime', [0, 7200]],
    ]);
    expect(Object.fromEntries(decodeDse(values))).toEqual({
      'generator.running': 1,
      'generator.engineState': 3,
      'generator.fuelLevel': 64,
      'generator.rpm': 1500,
      'generator.load': 45,
      'generator.power': 2700,
      'generator.runHours': 2,
      'generator.oilPressure': 310,
      'generator.coolantTemperature': 82,
      'generator.starterVoltage': 13.5,
      'generator.frequency': 50,
    });
  });

  it('sentinels and missing blocks become null, never numbers', () => {
    const values = new Map([['engine', engine({ 3: 0xffff, 1: 0x7fff, 6: 0xfffe })]]);
    const out = Object.fromEntries(decodeDse(values));
    expect(out['generator.fuelLevel']).toBeNull();
    expect(out['generator.coolantTemperature']).toBeNull();
    expect(out['generator.rpm']).toBeNull();
    expect(out['generator.running']).toBeNull(); // no state, no speed: unknown
    expect(out['generator.runHours']).toBeNull();
    expect(out['generator.load']).toBeNull();
  });

  it('running from RPM when the state register is absent or 15 (n/a); load from watts and the rating', () => {
    const idle = new Map([
      ['engine', engine({ 6: 0 })],
      ['state', [15]],
    ]);
    expect(Object.fromEntries(decodeDse(idle))['generator.running']).toBe(0);
    const turning = new Map([
      ['engine', engine()],
      ['watts', [0, 1500]],
    ]);
    const out = Object.fromEntries(decodeDse(turning, 5000));
    expect(out['generator.running']).toBe(1);
    expect(out['generator.load']).toBe(30);
  });

  it('cooling down counts as running, post-run and pre-start do not', () => {
    const at = (state: number) =>
      Object.fromEntries(decodeDse(new Map([['state', [state]]])))['generator.running'];
    expect([0, 1, 2, 3, 4, 5, 6].map(at)).toEqual([0, 0, 1, 1, 1, 0, 0]);
  });

  it('decodes page-8 alarm nibbles, first alarm in the top nibble', () => {
    expect([...decodeAlarms(8, [0x1231, 0x11f4])]).toEqual([
      [2, 'warning'],
      [3, 'shutdown'],
      [8, 'trip'],
    ]);
    expect([...decodeAlarms(2, [0x3333])]).toEqual([
      [1, 'shutdown'],
      [2, 'shutdown'],
    ]);
  });
});
