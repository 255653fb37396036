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
