import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { encodeHexFrame } from '../../../../src/drivers/vedirect/hex.js';
import { type ParserEvent, VeDirectParser } from '../../../../src/drivers/vedirect/parser.js';
import { encodeBlock, type Fields, SMARTSHUNT, spliceBytes } from '../../../emulators/vedirect-device.js';

const LABELS = ['V', 'I', 'P', 'SOC', 'TTG', 'CE', 'VS', 'PID', 'FW', 'SER#', 'H1', 'H17', 'AR', 'Alarm'];
const LABELS_2 = ['Relay', 'PPV', 'VPV', 'CS', 'ERR', 'LOAD', 'IL', 'H19', 'H20', 'MPPT', 'OR', 'HSDS'];
// printable ASCII without ':' (which starts a HEX frame): what real values are made of
const VALUE_CHARS = Array.from({ length: 0x7f - 0x20 }, (_, i) => String.fromCharCode(0x20 + i)).filter(
  (c) => c !== ':',
);

const field = fc.tuple(
  fc.constantFrom(...LABELS, ...LABELS_2),
  fc.string({ unit: fc.constantFrom(...VALUE_CHARS), minLength: 1, maxLength: 12 }),
);
const hexFrame = fc
  .tuple(fc.integer({ min: 0, max: 15 }), fc.array(fc.integer({ min: 0, max: 255 }), { maxLength: 6 }))
  .map(([cmd, payload]) => Buffer.from(encodeHexFrame(cmd, payload), 'latin1'));
const noise = fc.uint8Array({ maxLength: 8 }).map((b) => b.filter((x) => x !== 0x0a && x !== 0x3a));

/** A block with its fields, maybe a HEX frame spliced in (never as the checksum byte), then noise. */
const wireBlock = fc
  .tuple(fc.array(field, { minLength: 1, maxLength: 20 }), fc.option(fc.tuple(hexFrame, fc.nat())), noise)
  .map(([fields, hex, junk]) => {
    let bytes = encodeBlock(fields);
    if (hex) {
      const [frame, n] = hex;
      const at = n % (bytes.length + 1);
      bytes = spliceBytes(bytes, at === bytes.length - 1 ? bytes.length : at, frame);
    }
    return { fields: fields as Fields, bytes: Buffer.concat([bytes, junk]) };
  });

const mutation = fc.record({
  kind: fc.constantFrom('replace', 'insert', 'delete'),
  block: fc.nat(),
  at: fc.nat(),
  byte: fc.integer({ min: 0, max: 255 }),
});

function mutate(bytes: Buffer, m: { kind: string; at: number; byte: number }): Buffer {
  const at = m.at % bytes.length;
  if (m.kind === 'delete') return Buffer.concat([bytes.subarray(0, at), bytes.subarray(at + 1)]);
  if (m.kind === 'insert') return spliceBytes(bytes, at, Buffer.from([m.byte]));
  const out = Buffer.from(bytes);
  out[at] = (out[at] ?? 0) === m.byte ? (m.byte + 1) & 0xff : m.byte;
  return out;
}

function feed(p: VeDirectParser, bytes: Buffer, cuts: readonly number[]): ParserEvent[] {
  const out: ParserEvent[] = [];
  let from = 0;
  for (const c of [...cuts.map((x) => x % (bytes.length + 1))].sort((a, b) => a - b)) {
    out.push(...p.push(bytes.subarray(from, c), 0));
    from = c;
  }
  out.push(...p.push(bytes.subarray(from), 0));
  return out;
}

const emitted = (events: ParserEvent[]): Fields[] =>
  events.flatMap((e) => (e.type === 'block' ? [e.fields] : []));
const key = ([l, v]: readonly [string, string]): string => `${l}\t${v}`;

let randomBytes = 0;
let mutatedBytes = 0;

describe('VE.Direct parser properties (fast-check)', () => {
  it('random bytes, in random chunks and with random gaps: never throws, never yields a block', () => {
    fc.assert(
      fc.property(
        fc.uint8Array({ minLength: 2000, maxLength: 2000 }),
        fc.array(fc.tuple(fc.nat(), fc.integer({ min: 0, max: 800 })), { maxLength: 8 }),
        (bytes, cuts) => {
          randomBytes += bytes.length;
          const p = new VeDirectParser();
          let t = 0;
          let from = 0;
          const out: ParserEvent[] = [];
          for (const [cut, dt] of [...cuts].sort((a, b) => (a[0] % 2001) - (b[0] % 2001))) {
            const c = cut % 2001;
            t += dt;
            out.push(...p.push(bytes.subarray(from, c), t));
            from = c;
          }
          out.push(...p.push(bytes.subarray(from), t));
          expect(emitted(out)).toEqual([]);
          // and after the garbage and a silence, a real device is understood at once
          const good = encodeBlock(SMARTSHUNT[0] ?? []);
          expect(emitted(p.push(good, t + 600))).toEqual([SMARTSHUNT[0]]);
        },
      ),
      { numRuns: 260 },
    );
    expect(randomBytes).toBeGreaterThanOrEqual(500_000);
  });

  it('valid streams with HEX frames and noise decode exactly, whatever the chunking', () => {
    fc.assert(
      fc.property(fc.array(wireBlock, { minLength: 1, maxLength: 4 }), fc.array(fc.nat()), (blocks, cuts) => {
        const stream = Buffer.concat(blocks.map((b) => b.bytes));
        mutatedBytes += stream.length;
        expect(emitted(feed(new VeDirectParser(), stream, cuts))).toEqual(blocks.map((b) => b.fields));
      }),
      { numRuns: 400 },
    );
  });

  it('one mutated, inserted or deleted byte: no value that was not sent is ever emitted', () => {
    let rejected = 0;
    fc.assert(
      fc.property(
        fc.array(wireBlock, { minLength: 1, maxLength: 4 }),
        mutation,
        fc.array(fc.nat(), { maxLength: 6 }),
        (blocks, m, cuts) => {
          const target = m.block % blocks.length;
          const wire = blocks.map((b, i) => (i === target ? mutate(b.bytes, m) : b.bytes));
          const stream = Buffer.concat(wire);
          mutatedBytes += stream.length;
          const sent = new Set(blocks.flatMap((b) => b.fields.map(key)));
          const out = emitted(feed(new VeDirectParser(), stream, cuts));
          for (const fields of out) for (const f of fields) expect(sent.has(key(f))).toBe(true);
          // the mutated block itself never comes out whole with a changed value
          if (out.length < blocks.length) rejected++;
        },
      ),
      { numRuns: 2500 },
    );
    expect(rejected).toBeGreaterThan(0);
    expect(mutatedBytes).toBeGreaterThanOrEqual(500_000);
    expect(randomBytes + mutatedBytes).toBeGreaterThanOrEqual(1_000_000);
  });
});
