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

// a real block names each label once (a repeat is refused, see below)
const fieldList = fc.uniqueArray(field, { minLength: 1, maxLength: 20, selector: ([label]) => label });

function onWire(fields: Fields, hex: [Buffer, number] | null, junk: Uint8Array): Buffer {
  let bytes = encodeBlock(fields);
  if (hex) {
    const [frame, n] = hex;
    const at = n % (bytes.length + 1);
    bytes = spliceBytes(bytes, at === bytes.length - 1 ? bytes.length : at, frame);
  }
  return Buffer.concat([bytes, junk]);
}

/** A block with its fields, maybe a HEX frame spliced in (never as the checksum byte), then noise. */
const wireBlock = fc
  .tuple(fieldList, fc.option(fc.tuple(hexFrame, fc.nat())), noise)
  .map(([fields, hex, junk]) => ({ fields: fields as Fields, bytes: onWire(fields, hex, junk) }));

/** The same, with a copy of one of its labels (any value, maybe the same) put anywhere in the block. */
const repeatedBlock = fc
  .tuple(wireBlock, fc.nat(), fc.nat(), field, fc.boolean(), fc.option(fc.tuple(hexFrame, fc.nat())), noise)
  .map(([{ fields }, which, where, [, other], sameValue, hex, junk]) => {
    const [label, value] = fields[which % fields.length] ?? ['V', '0'];
    const copy: readonly [string, string] = [label, sameValue ? value : other];
    const at = where % (fields.length + 1);
    const twice: Fields = [...fields.slice(0, at), copy, ...fields.slice(at)];
    return { fields: twice, bytes: onWire(twice, hex, junk) };
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

  it('a block that repeats a label is never emitted, though its sum holds; the blocks around it are', () => {
    let refused = 0;
    fc.assert(
      fc.property(
        fc.array(fc.tuple(fc.boolean(), wireBlock, repeatedBlock), { minLength: 1, maxLength: 5 }),
        fc.array(fc.nat(), { maxLength: 8 }),
        (picks, cuts) => {
          const blocks = picks.map(([bad, good, twice]) => (bad ? { ...twice, bad } : { ...good, bad }));
          const out = feed(new VeDirectParser(), Buffer.concat(blocks.map((b) => b.bytes)), cuts);
          const reasons = out.flatMap((e) => (e.type === 'error' ? [e.reason] : []));
          expect(emitted(out)).toEqual(blocks.filter((b) => !b.bad).map((b) => b.fields));
          expect(reasons).toEqual(blocks.filter((b) => b.bad).map(() => 'repeated-label'));
          refused += reasons.length;
        },
      ),
      { numRuns: 400 },
    );
    expect(refused).toBeGreaterThan(100);
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
          for (const fields of out) {
            for (const f of fields) expect(sent.has(key(f))).toBe(true);
            expect(new Set(fields.map(([l]) => l)).size).toBe(fields.length);
          }
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
