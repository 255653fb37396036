import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { DEFAULT_LIMITS, type ParserEvent, VeDirectParser } from '../../src/drivers/vedirect/parser.js';
import { countWords, FUZZ_TIMEOUT_MS, fuzzRuns } from '../helpers/fuzz-runs.js';

/**
 * 10^5 corrupted VE.Direct text blocks (a tenth in `npm test`, test/helpers/fuzz-runs.ts), each hit by one byte substituted, inserted or deleted, streamed
 * between intact blocks. Every block carries its index in `SER#`, so an emitted block is traced back to
 * the block it came from. Accepted bad value = an emitted field (label and value) that the block it came
 * from did not carry as sent; a single-byte error always changes the 8-bit sum, so none may pass. (An edit can
 * leave the bytes of a frame as they were, e.g. deleting a checksum byte 0x0D that the next block's CR
 * then stands in for; such a block is read with its true values, which is right, and counted apart.)
 */

type Fields = Array<[string, string]>;

const enc = new TextEncoder();

function blockBytes(fields: Fields): Uint8Array {
  const body = enc.encode(`${fields.map(([l, v]) => `\r\n${l}\t${v}`).join('')}\r\nChecksum\t`);
  let sum = 0;
  for (const b of body) sum = (sum + b) & 0xff;
  const out = new Uint8Array(body.length + 1);
  out.set(body);
  out[body.length] = (256 - sum) & 0xff;
  return out;
}

const value = fc.stringMatching(/^[0-9A-Za-z#.-]{1,12}$/);
const fieldsArb = (index: number): fc.Arbitrary<Fields> =>
  fc
    .tuple(value, value, fc.integer({ min: -100_000, max: 100_000 }), fc.integer({ min: 0, max: 1000 }))
    .map(([pid, fw, current, soc]) => [
      ['PID', pid],
      ['FW', fw],
      ['V', String(10_000 + index)],
      ['I', String(current)],
      ['SOC', String(soc)],
      ['SER#', `HQ${index}`],
    ]);

type Edit = { kind: 'sub' | 'ins' | 'del'; at: number; byte: number };
const editArb: fc.Arbitrary<Edit> = fc.record({
  kind: fc.constantFrom('sub' as const, 'ins' as const, 'del' as const),
  at: fc.nat(),
  byte: fc.integer({ min: 0, max: 255 }),
});

/**
 * One byte changed inside the frame. An insertion goes after the opening CR LF and before the checksum
 * byte: a byte put in front of the CR or after the checksum lies between blocks and leaves the frame
 * itself intact (the parser rightly reads it), so it is not a corruption.
 */
function corrupt(bytes: Uint8Array, e: Edit): Uint8Array {
  const a = Array.from(bytes);
  const at = e.kind === 'ins' ? 2 + (e.at % (a.length - 2)) : e.at % a.length;
  if (e.kind === 'sub') a[at] = (a[at] ?? 0) === e.byte ? (e.byte + 1) & 0xff : e.byte;
  else if (e.kind === 'ins') a.splice(at, 0, e.byte);
  else a.splice(at, 1);
  return Uint8Array.from(a);
}

const BLOCKS_PER_RUN = 10;
const RUNS = fuzzRuns(20_000);
const REPEAT_RUNS = fuzzRuns(4000);
const NOISE_RUNS = fuzzRuns(100_000);

/** Which label is repeated, where the copy goes, and its value (null: the same value again). */
const repeatArb = fc.record({ which: fc.nat(), at: fc.nat(), value: fc.option(value) });

const streamArb = fc
  .tuple(
    fc.tuple(...Array.from({ length: BLOCKS_PER_RUN }, (_, i) => fieldsArb(i))),
    fc.array(editArb, { minLength: BLOCKS_PER_RUN, maxLength: BLOCKS_PER_RUN }),
    fc.array(fc.integer({ min: 1, max: 40 }), { minLength: 1, maxLength: 8 }),
  )
  .map(([blocks, edits, chunks]) => ({ blocks, edits, chunks }));

function feed(parser: VeDirectParser, bytes: Uint8Array, chunks: readonly number[]): ParserEvent[] {
  const out: ParserEvent[] = [];
  let pos = 0;
  let k = 0;
  while (pos < bytes.length) {
    const n = chunks[k++ % chunks.length] ?? 1;
    out.push(...parser.push(bytes.subarray(pos, pos + n), 1000 + pos));
    pos += n;
  }
  return out;
}

describe('VE.Direct parser fuzz', () => {
  it(
    `never emits a value from a corrupted block (${RUNS * BLOCKS_PER_RUN} blocks, ≥${countWords((RUNS * BLOCKS_PER_RUN) / 2)} corrupted)`,
    () => {
      let corrupted = 0;
      let intactSent = 0;
      let emitted = 0;
      let unchangedByEdit = 0;
      let truncated = 0;
      fc.assert(
        fc.property(streamArb, ({ blocks, edits, chunks }) => {
          const parser = new VeDirectParser();
          const sent = new Map<string, string>();
          const damaged = new Set<string>();
          const parts: Uint8Array[] = [];
          blocks.forEach((fields, i) => {
            const raw = blockBytes(fields);
            sent.set(`HQ${i}`, JSON.stringify(fields));
            const edit = edits[i];
            // Every other block is corrupted, never two in a row: a block whose Checksum label was hit
            // runs on into the next, and two single-byte errors in one frame cancel out once in 256, the
            // limit of an 8-bit sum (not of the parser). So each frame the parser sees has one error at most.
            if (i % 2 === 1) {
              corrupted += 1;
              damaged.add(`HQ${i}`);
              parts.push(corrupt(raw, edit ?? { kind: 'sub', at: i, byte: 0x41 }));
            } else {
              intactSent += 1;
              parts.push(raw);
            }
          });
          const stream = Uint8Array.from(parts.flatMap((p) => Array.from(p)));
          for (const ev of feed(parser, stream, chunks)) {
            if (ev.type !== 'block') continue;
            emitted += 1;
            const ser = ev.fields.find(([l]) => l === 'SER#')?.[1] ?? '';
            const original = JSON.parse(sent.get(ser) ?? '[]') as Fields;
            for (const [label, v] of ev.fields) {
              if (!original.some(([l, ov]) => l === label && ov === v)) {
                throw new Error(`accepted a bad value ${label}=${v}: ${JSON.stringify(ev.fields)}`);
              }
            }
            if (new Set(ev.fields.map(([l]) => l)).size !== ev.fields.length) {
              throw new Error(`accepted a repeated label: ${JSON.stringify(ev.fields)}`);
            }
            if (ev.fields.length < original.length) truncated += 1;
            else if (damaged.has(ser)) unchangedByEdit += 1;
          }
        }),
        { seed: 20261201, numRuns: RUNS },
      );
      expect(corrupted).toBeGreaterThanOrEqual((RUNS * BLOCKS_PER_RUN) / 2);
      // the parser still reads the intact blocks that are not right after a failure
      expect(emitted - unchangedByEdit).toBeGreaterThan(intactSent / 4);
      expect(unchangedByEdit).toBeLessThan(corrupted / 100);
      // A hit on the opening CR LF makes the first record look like noise between blocks; the rest of the
      // block passes once in 256 (when that record sums to 0): fewer fields, none of them wrong.
      expect(truncated).toBeLessThan(corrupted / 100);
    },
    FUZZ_TIMEOUT_MS,
  );

  it(
    `never emits a block that repeats a label, though its sum holds (${(REPEAT_RUNS * BLOCKS_PER_RUN) / 2} blocks)`,
    () => {
      let repeated = 0;
      let refused = 0;
      fc.assert(
        fc.property(
          fc.tuple(...Array.from({ length: BLOCKS_PER_RUN }, (_, i) => fieldsArb(i))),
          fc.array(repeatArb, { minLength: BLOCKS_PER_RUN, maxLength: BLOCKS_PER_RUN }),
          fc.array(fc.integer({ min: 1, max: 40 }), { minLength: 1, maxLength: 8 }),
          (blocks, repeats, chunks) => {
            const parser = new VeDirectParser();
            const intact: string[] = [];
            const parts = blocks.map((fields, i) => {
              const r = repeats[i] ?? { which: 0, at: 0, value: null };
              // every other block carries one of its labels twice: a splice or a label garbled into another
              if (i % 2 === 0) {
                intact.push(JSON.stringify(fields));
                return blockBytes(fields);
              }
              repeated += 1;
              const [label, v] = fields[r.which % fields.length] ?? ['V', '0'];
              const at = r.at % (fields.length + 1);
              return blockBytes([...fields.slice(0, at), [label, r.value ?? v], ...fields.slice(at)]);
            });
            const stream = Uint8Array.from(parts.flatMap((p) => Array.from(p)));
            const out = feed(parser, stream, chunks);
            const reasons = out.flatMap((ev) => (ev.type === 'error' ? [ev.reason] : []));
            refused += reasons.filter((r) => r === 'repeated-label').length;
            // the repeats are refused and nothing else; the intact blocks between them all come through
            expect(reasons).toEqual(Array.from({ length: BLOCKS_PER_RUN / 2 }, () => 'repeated-label'));
            expect(out.flatMap((ev) => (ev.type === 'block' ? [JSON.stringify(ev.fields)] : []))).toEqual(
              intact,
            );
          },
        ),
        { seed: 20261202, numRuns: REPEAT_RUNS },
      );
      expect(refused).toBe(repeated);
    },
    FUZZ_TIMEOUT_MS,
  );

  it(
    `takes ${countWords(NOISE_RUNS)} chunks of random bytes without a crash and emits only well-formed blocks`,
    () => {
      const parser = new VeDirectParser();
      let blocks = 0;
      fc.assert(
        fc.property(fc.uint8Array({ minLength: 1, maxLength: 64 }), fc.nat({ max: 1000 }), (bytes, dt) => {
          for (const ev of parser.push(bytes, dt)) {
            if (ev.type !== 'block') continue;
            blocks += 1;
            expect(ev.fields.length).toBeLessThanOrEqual(DEFAULT_LIMITS.maxFields);
            for (const [label, v] of ev.fields) {
              expect(label).toMatch(/^[\x20-\x7e]{1,16}$/);
              expect(v).toMatch(/^[\x20-\x7e]{0,64}$/);
            }
          }
        }),
        { seed: 9, numRuns: NOISE_RUNS },
      );
      // noise is not a device: by chance it may frame a block now and then, but not often
      expect(blocks).toBeLessThan(NOISE_RUNS / 100);
    },
    FUZZ_TIMEOUT_MS,
  );
});
