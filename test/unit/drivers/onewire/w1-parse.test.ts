import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { dallasCrc8, parseTemperatureFile, parseW1Slave } from '../../../../src/drivers/onewire/w1-parse.js';

const FIXTURES = 'test/fixtures/w1';
const fixture = (id: string, file = 'w1_slave'): string => readFileSync(join(FIXTURES, id, file), 'latin1');

describe('w1_therm output', () => {
  it('reads w1_slave: positive, negative, lower-case yes', () => {
    expect(parseW1Slave(fixture('28-0316a2795a01'), '28-0316a2795a01')).toMatchObject({
      ok: true,
      celsius: 23.125,
      powerOn: false,
    });
    expect(parseW1Slave(fixture('28-0316a2795a02'), '28-0316a2795a01')).toMatchObject({
      ok: true,
      celsius: -1.25,
      powerOn: false,
    });
    expect(parseW1Slave(fixture('28-0316a2795a03'), '28-0316a2795a01')).toMatchObject({
      ok: true,
      celsius: 21.5,
      powerOn: false,
    });
  });

  it('reads the temperature attribute', () => {
    expect(parseTemperatureFile(fixture('28-0316a2795a01', 'temperature'))).toMatchObject({
      celsius: 23.125,
    });
    expect(parseTemperatureFile('-10062\n')).toMatchObject({ ok: true, celsius: -10.062 });
  });

  it('CRC NO (any case) and empty reads are transient faults, never a number', () => {
    expect(parseW1Slave(fixture('28-0316a2795a04'), '28-0316a2795a01')).toEqual({
      ok: false,
      fault: 'CRC error (crc=c9 NO)',
      transient: true,
    });
    expect(parseW1Slave(fixture('28-0316a2795a04').replace('NO', 'no'), '28-0316a2795a01')).toMatchObject({
      ok: false,
    });
    expect(parseW1Slave(fixture('28-0316a2795a05'), '28-0316a2795a01')).toMatchObject({
      ok: false,
      transient: true,
    });
    expect(parseTemperatureFile(fixture('28-0316a2795a05', 'temperature'))).toMatchObject({ ok: false });
  });

  it('flags the 85 °C power-on value and rejects the all-zero scratchpad', () => {
    expect(parseW1Slave(fixture('28-0316a2795a06'), '28-0316a2795a01')).toMatchObject({
      ok: true,
      celsius: 85,
      powerOn: true,
    });
    expect(parseW1Slave(fixture('28-0316a2795a07'), '28-0316a2795a01')).toEqual({
      ok: false,
      fault: 'all-zero scratchpad (data line shorted or stuck low)',
      transient: false,
    });
  });

  it('rejects a YES line whose bytes do not match their CRC, odd layouts, garbage and out-of-range values', () => {
    const good = fixture('28-0316a2795a01');
    expect(parseW1Slave(good.replaceAll('4b 46', '4b 47'), '28-0316a2795a01')).toMatchObject({
      fault: 'scratchpad CRC does not match',
    });
    expect(parseW1Slave('hello\nworld\n', '28-0316a2795a01')).toMatchObject({ ok: false });
    expect(parseTemperatureFile('abc')).toMatchObject({ ok: false });
    expect(parseTemperatureFile('200000')).toMatchObject({ ok: false });
  });

  it('counterfeit families (D1, D2, E) with a valid CRC give their temperature and their family', () => {
    const read = (id: string) => parseW1Slave(fixture(id), id);
    expect(read('28-00000bbb9b13')).toMatchObject({
      ok: true,
      celsius: 23.125,
      family: { family: 'A', counterfeit: false },
    });
    expect(read('28-02109246bc1c')).toMatchObject({
      ok: true,
      celsius: 21.5,
      family: { family: 'D1', counterfeit: true },
    });
    expect(read('28-020491771d24')).toMatchObject({
      ok: true,
      celsius: 20.25,
      family: { family: 'D2', counterfeit: true },
    });
    expect(read('28-8000001f9c9e')).toMatchObject({
      ok: true,
      celsius: 19,
      family: { family: 'E', counterfeit: true },
    });
    // the power-on value is still flagged for the driver to judge, whatever the family
    const d1at85 = [0x50, 0x05, 0x55, 0x05, 0x7f, 0xa5, 0xa5, 0x66];
    const hex = [...d1at85, dallasCrc8(d1at85)].map((b) => b.toString(16).padStart(2, '0')).join(' ');
    expect(
      parseW1Slave(`${hex} : crc=${hex.slice(-2)} YES\n${hex} t=85000\n`, '28-02109246bc1c'),
    ).toMatchObject({
      ok: true,
      powerOn: true,
      family: { family: 'D1' },
    });
    // other 1-Wire thermometers (DS18S20, family 10) are not classified
    expect(parseW1Slave(fixture('28-0316a2795a01'), '10-0316a2795a01')).toEqual({
      ok: true,
      celsius: 23.125,
      powerOn: false,
    });
  });

  it('CRC-8 matches the kernel example', () => {
    expect(dallasCrc8([0x72, 0x01, 0x4b, 0x46, 0x7f, 0xff, 0x0e, 0x10])).toBe(0x57);
  });

  it('never throws on arbitrary text', () => {
    fc.assert(
      fc.property(fc.string({ maxLength: 200 }), (text) => {
        expect(typeof parseW1Slave(text, '28-0316a2795a01').ok).toBe('boolean');
        expect(typeof parseTemperatureFile(text).ok).toBe('boolean');
      }),
      { numRuns: 2000 },
    );
  });
});
