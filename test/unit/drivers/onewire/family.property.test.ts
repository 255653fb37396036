import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { classifyDs18b20 } from '../../../../src/drivers/onewire/family.js';
import { dallasCrc8, parseW1Slave } from '../../../../src/drivers/onewire/w1-parse.js';

const byte = fc.integer({ min: 0, max: 255 });
const hex2 = (b: number) => b.toString(16).padStart(2, '0');
const id = fc.array(byte, { minLength: 6, maxLength: 6 }).map((s) => `28-${s.map(hex2).join('')}`);

/** The w1_slave text the kernel prints for these 8 scratchpad bytes (CRC computed, YES) and t=. */
function w1Slave(bytes: number[]): { text: string; milli: number } {
  const all = [...bytes, dallasCrc8(bytes)];
  const hex = all.map(hex2).join(' ');
  const raw = ((((bytes[1] ?? 0) << 8) | (bytes[0] ?? 0)) << 16) >> 16;
  const milli = Math.trunc((raw * 1000) / 16);
  return { text: `${hex} : crc=${hex2(all[8] ?? 0)} YES\n${hex} t=${milli}\n`, milli };
}

describe('DS18B20 families and readings (fast-check)', () => {
  it('any scratchpad with a valid CRC and a temperature in -55..125 °C is read, whatever the reserved bytes', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: -55 * 16, max: 125 * 16 }),
        fc.array(byte, { minLength: 6, maxLength: 6 }),
        id,
        (raw, rest, sensor) => {
          const bytes = [raw & 0xff, (raw >> 8) & 0xff, ...rest];
          if (bytes.every((b) => b === 0)) return; // the shorted-line case, rejected on purpose
          const { text, milli } = w1Slave(bytes);
          const r = parseW1Slave(text, sensor);
          expect(r).toMatchObject({ ok: true, celsius: milli / 1000 });
          if (r.ok) expect(r.family?.family).toBe(classifyDs18b20([...bytes, 0], sensor).family);
        },
      ),
    );
  });

  it('outside the physical range, or with a CRC that does not hold, nothing is read', () => {
    fc.assert(
      fc.property(fc.array(byte, { minLength: 8, maxLength: 8 }), byte, id, (bytes, badCrc, sensor) => {
        const { text } = w1Slave(bytes);
        const crc = dallasCrc8(bytes);
        if (badCrc !== crc) {
          const tampered = text.replaceAll(` ${hex2(crc)} `, ` ${hex2(badCrc)} `);
          expect(parseW1Slave(tampered, sensor).ok).toBe(false);
        }
      }),
    );
    const { text } = w1Slave([0x00, 0x08, 0x4b, 0x46, 0x7f, 0xff, 0x10, 0x10]); // 128 °C
    expect(parseW1Slave(text, '28-000000000001').ok).toBe(false);
  });

  it('byte 7 = 0x66 is family D, bytes 6/7 = 0xFF family E; the datasheet layout is never called D or E', () => {
    fc.assert(
      fc.property(fc.array(byte, { minLength: 9, maxLength: 9 }), id, (bytes, sensor) => {
        const f = classifyDs18b20(bytes, sensor).family;
        if (bytes[7] === 0x66) expect(['D1', 'D2']).toContain(f);
        else if (bytes[6] === 0xff && bytes[7] === 0xff) expect(f).toBe('E');
        else if (bytes[5] === 0xff && bytes[7] === 0x10) expect(['A', 'B', 'B1', 'B2', 'C']).toContain(f);
        else expect(f).toBe('unknown');
      }),
    );
  });
});
