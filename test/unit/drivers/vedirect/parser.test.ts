import { describe, expect, it } from 'vitest';
import { decodeHexFrame, encodeHexFrame } from '../../../../src/drivers/vedirect/hex.js';
import { type ParserEvent, VeDirectParser } from '../../../../src/drivers/vedirect/parser.js';
import {
  encodeBlock,
  type Fields,
  MPPT,
  SMARTSHUNT,
  spliceBytes,
} from '../../../emulators/vedirect-device.js';

const blocks = (events: ParserEvent[]): Fields[] =>
  events.flatMap((e) => (e.type === 'block' ? [e.fields] : []));
const errors = (events: ParserEvent[]): string[] =>
  events.flatMap((e) => (e.type === 'error' ? [e.reason] : []));
const hex = (s: string): Buffer => Buffer.from(s, 'latin1');

/** A block whose checksum byte is `target`: vary one value until the sum lands there. */
function blockWithChecksum(target: number): { fields: Fields; bytes: Buffer } {
  for (let pad = 0; pad < 60; pad++) {
    for (let n = 0; n < 1000; n++) {
      const fields: Fields = [
        ['V', String(12_000 + n)],
        ['I', '-1500'],
        ['PID', `0x${'A'.repeat(pad)}`],
      ];
      const bytes = encodeBlock(fields);
      if (bytes.at(-1) === target) return { fields, bytes };
    }
  }
  throw new Error(`no block with checksum byte ${target}`);
}

describe('VE.Direct text parser', () => {
  it('decodes a block whose bytes sum to 0 mod 256, with labels like SER#', () => {
    const p = new VeDirectParser();
    const out = p.push(Buffer.concat([encodeBlock(SMARTSHUNT[0] ?? []), encodeBlock(MPPT[0] ?? [])]), 0);
    expect(blocks(out)).toEqual([SMARTSHUNT[0], MPPT[0]]);
    expect(errors(out)).toEqual([]);
  });

  it.each([
    ['CR', 0x0d],
    ['LF', 0x0a],
    [':', 0x3a],
    ['0x80', 0x80],
    ['0xFF', 0xff],
    ['TAB', 0x09],
    ['NUL', 0x00],
  ])('takes a checksum byte of %s, even followed at once by a HEX frame', (_name, target) => {
    const { fields, bytes } = blockWithChecksum(target);
    const p = new VeDirectParser();
    const stream = Buffer.concat([bytes, hex(':A0202000200000045\n'), bytes]);
    expect(blocks(p.push(stream, 0))).toEqual([fields, fields]);
  });

  it('rejects a block with one flipped bit, and decodes the next good one', () => {
    const good = encodeBlock(SMARTSHUNT[0] ?? []);
    const bad = Buffer.from(good);
    const at = good.indexOf('12850') + 1;
    bad[at] = (bad[at] ?? 0) ^ 0x04;
    const p = new VeDirectParser();
    // a checksum failure ends at a block boundary: the very next block counts
    const out = p.push(Buffer.concat([bad, good]), 0);
    expect(errors(out)).toEqual(['checksum']);
    expect(blocks(out)).toEqual([SMARTSHUNT[0]]);
  });

  it('skips HEX frames inside a value, between records and after the checksum, validating each', () => {
    const block = encodeBlock(SMARTSHUNT[0] ?? []);
    const at = block.indexOf('12850') + 2;
    const frame = hex(':ADBED001A0D5C\n');
    const withHex = spliceBytes(spliceBytes(block, at, frame), 2, hex(':70010003E\n'));
    const p = new VeDirectParser();
    const out = p.push(Buffer.concat([withHex, hex(':A2001002200000008\n')]), 0);
    expect(blocks(out)).toEqual([SMARTSHUNT[0]]);
    const frames = out.flatMap((e) => (e.type === 'hex' ? [e.frame.command] : []));
    expect(frames).toEqual([0x7, 0xa, 0xa]);
  });

  it('drops the text block around a HEX frame whose own checksum fails', () => {
    const block = encodeBlock(SMARTSHUNT[0] ?? []);
    const p = new VeDirectParser();
    const out = p.push(spliceBytes(block, 20, hex(':ADBED001A0D5D\n')), 0);
    expect(blocks(out)).toEqual([]);
    expect(errors(out)[0]).toBe('hex-checksum');
  });

  it('decodes the same stream fed one byte at a time', () => {
    const stream = Buffer.concat((SMARTSHUNT as Fields[]).map(encodeBlock));
    const p = new VeDirectParser();
    const out: ParserEvent[] = [];
    for (const b of stream) out.push(...p.push(Uint8Array.of(b), 0));
    expect(blocks(out)).toEqual(SMARTSHUNT);
  });

  it('resets after a silence longer than 500 ms between two bytes of a block', () => {
    const block = encodeBlock(SMARTSHUNT[0] ?? []);
    const half = Math.floor(block.length / 2);
    const late = new VeDirectParser();
    expect(late.push(block.subarray(0, half), 1000)).toEqual([]);
    const out = late.push(block.subarray(half), 1501);
    expect(errors(out)[0]).toBe('gap');
    expect(blocks(out)).toEqual([]);
    const onTime = new VeDirectParser();
    onTime.push(block.subarray(0, half), 1000);
    expect(blocks(onTime.push(block.subarray(half), 1500))).toEqual([SMARTSHUNT[0]]);
  });

  it('rejects non-ASCII bytes in labels and values, and over-long fields', () => {
    const good = encodeBlock(SMARTSHUNT[0] ?? []);
    const bad = Buffer.from(good);
    bad[good.indexOf('12850') + 1] = 0xe9;
    const long = encodeBlock([['V', '1'.repeat(100)]]);
    const many = encodeBlock(Array.from({ length: 40 }, (_, i): [string, string] => [`H${i}`, '1']));
    for (const [broken, reason] of [
      [bad, 'bad-byte'],
      [long, 'overflow'],
      [many, 'overflow'],
    ] as const) {
      const p = new VeDirectParser();
      // the tail of the broken block is dropped as a resync; the blocks after it are decoded
      const out = p.push(Buffer.concat([broken, good, good]), 0);
      expect(errors(out)).toEqual([reason, 'resync']);
      expect(blocks(out)).toEqual([SMARTSHUNT[0], SMARTSHUNT[0]]);
    }
  });
});

describe('VE.Direct text parser: a label repeated within a block', () => {
  const main = SMARTSHUNT[0] ?? [];
  // a second V record: what two frames spliced on a noisy line, or a garbled label, look like
  const twice: Fields = [...main.slice(0, 3), ['V', '24850'], ...main.slice(3)];

  it('refuses the block although its checksum holds, and takes the very next good block', () => {
    const bytes = encodeBlock(twice);
    let sum = 0;
    for (const b of bytes) sum = (sum + b) & 0xff;
    expect(sum).toBe(0);
    const p = new VeDirectParser();
    // it ends at a block boundary like a checksum failure: no resync, the next block counts
    const out = p.push(Buffer.concat([bytes, encodeBlock(main)]), 0);
    expect(errors(out)).toEqual(['repeated-label']);
    expect(blocks(out)).toEqual([main]);
  });

  it('refuses a repeat with the same value, and two whole frames run together', () => {
    const same: Fields = [...main, ['SOC', '876']];
    const spliced: Fields = [...main, ...(SMARTSHUNT[1] ?? []), ...main.slice(0, 2)];
    const p = new VeDirectParser();
    const out = p.push(Buffer.concat([encodeBlock(same), encodeBlock(spliced), encodeBlock(main)]), 0);
    expect(errors(out)).toEqual(['repeated-label', 'repeated-label']);
    expect(blocks(out)).toEqual([main]);
  });

  it('still decodes HEX frames inside such a block, and reports a bad checksum first', () => {
    const bytes = encodeBlock(twice);
    const withHex = spliceBytes(bytes, bytes.indexOf('24850') + 2, hex(':ADBED001A0D5C\n'));
    const badSum = Buffer.from(bytes);
    badSum[bytes.indexOf('24850')] = 0x33;
    const p = new VeDirectParser();
    const out = p.push(Buffer.concat([withHex, badSum, encodeBlock(main)]), 0);
    expect(out.filter((e) => e.type === 'hex')).toHaveLength(1);
    expect(errors(out)).toEqual(['repeated-label', 'checksum']);
    expect(blocks(out)).toEqual([main]);
  });

  it('refuses it fed one byte at a time, and forgets the labels once the block is over', () => {
    const stream = Buffer.concat([encodeBlock(twice), encodeBlock(main), encodeBlock(main)]);
    const p = new VeDirectParser();
    const out: ParserEvent[] = [];
    for (const b of stream) out.push(...p.push(Uint8Array.of(b), 0));
    expect(errors(out)).toEqual(['repeated-label']);
    // the same labels in the next blocks are not repeats: each block is judged on its own
    expect(blocks(out)).toEqual([main, main]);
  });

  it('takes labels that differ, even by a prefix or by case', () => {
    const fields: Fields = [
      ['V', '12850'],
      ['VS', '12710'],
      ['VM', '6420'],
      ['H1', '-55000'],
      ['H17', '4500'],
      ['v', '1'],
    ];
    const p = new VeDirectParser();
    const out = p.push(encodeBlock(fields), 0);
    expect(errors(out)).toEqual([]);
    expect(blocks(out)).toEqual([fields]);
  });

  it('is judged per block after a gap: a half block and a fresh one are not one block', () => {
    const block = encodeBlock(main);
    const p = new VeDirectParser();
    p.push(block.subarray(0, Math.floor(block.length / 2)), 0);
    const out = p.push(block, 1000);
    expect(errors(out)).toEqual(['gap']);
    expect(blocks(out)).toEqual([main]);
  });
});

describe('VE.Direct HEX frames', () => {
  it.each([':A0202000200000045', ':ADBED001A0D5C', ':A2001002200000008', ':70010003E', ':7001000C80076'])(
    'accepts %s (bytes sum to 0x55)',
    (frame) => {
      expect(decodeHexFrame(hex(frame.slice(1))).ok).toBe(true);
    },
  );

  it('encodes what it decodes and rejects bad digits and counts', () => {
    const text = encodeHexFrame(0x7, [0x00, 0x10, 0x00]);
    expect(text).toBe(':70010003E\n');
    expect(decodeHexFrame(hex('70010003F'))).toEqual({ ok: false, reason: 'hex-checksum' });
    expect(decodeHexFrame(hex('7001000G3E'))).toEqual({ ok: false, reason: 'hex-coding' });
    expect(decodeHexFrame(hex('70'))).toEqual({ ok: false, reason: 'hex-coding' });
  });
});
