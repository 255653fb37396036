import { deflateRawSync } from 'node:zlib';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  BATCH_CODECS,
  BatchDecodeError,
  codecOf,
  codecOfContentType,
  contentTypeOf,
  decodeBatch,
  encodeBatch,
  encodeColumnar,
} from '../../../src/contract/batch-codec.js';
import { batchHead, batchPayload, encodeReading, IsoFormatter } from '../../../src/uplink/encode.js';

const reading = fc.record({
  seq: fc.integer({ min: 1, max: 2 ** 40 }),
  ts: fc.integer({ min: 0, max: 4_102_444_800_000 }),
  channel: fc.constantFrom('battery.voltage', 'power.grid', 'temp.indoor', 'occupancy'),
  value: fc.oneof(fc.double({ noNaN: true, noDefaultInfinity: true }), fc.constant(null)),
});

/** Any batch-shaped JSON: records of any JSON values, shapes that differ or agree. */
const anyBatch = fc.record(
  {
    point: fc.string(),
    epoch: fc.string(),
    live: fc.boolean(),
    records: fc.oneof(
      fc.array(fc.dictionary(fc.string(), fc.jsonValue()), { maxLength: 20 }),
      fc.array(
        fc.record({ seq: fc.integer(), ts: fc.date({ noInvalidDate: true }).map((d) => d.toISOString()) }),
        { maxLength: 20 },
      ),
    ),
  },
  { requiredKeys: ['point', 'epoch', 'records'] },
);

function telemetryBatch(records: Array<{ seq: number; ts: number; channel: string; value: number | null }>) {
  const iso = new IsoFormatter();
  const sorted = [...records].sort((a, b) => a.seq - b.seq);
  return batchPayload(
    batchHead('p-1', 'e-1'),
    sorted.map((r) => encodeReading(r, iso)),
  );
}

describe('batch codec', () => {
  it('round-trips any batch in every codec to what JSON.parse of its text gives', () => {
    fc.assert(
      fc.property(anyBatch, fc.constantFrom(...BATCH_CODECS), fc.boolean(), (batch, codec, asBytes) => {
        const text = JSON.stringify(batch);
        const wire = encodeBatch(asBytes ? Buffer.from(text) : text, codec);
        expect(codecOf(wire)).toBe(codec);
        // JSON.parse again: the codec must reproduce -0 → 0 and the like exactly as a JSON receiver sees them.
        expect(decodeBatch(wire, contentTypeOf(codec))).toStrictEqual(JSON.parse(text));
      }),
    );
  });

  it('round-trips the telemetry batches the uplink builds, and columnar makes them smaller', () => {
    fc.assert(
      fc.property(fc.array(reading, { minLength: 1, maxLength: 200 }), (records) => {
        const text = telemetryBatch(records);
        for (const codec of BATCH_CODECS) {
          expect(decodeBatch(encodeBatch(text, codec))).toStrictEqual(JSON.parse(text));
        }
      }),
      { numRuns: 50 },
    );
  });

  it('compresses a realistic telemetry batch to a few bytes per record', () => {
    // 200 readings of 6 channels every 10 s, slowly varying values: what a drain sends.
    const records = Array.from({ length: 200 }, (_, i) => ({
      seq: 1000 + i,
      ts: 1_765_000_000_000 + Math.floor(i / 6) * 10_000 + (i % 6) * 3,
      channel: ['battery.voltage', 'battery.soc', 'power.grid', 'temp.indoor', 'temp.outdoor', 'occupancy'][
        i % 6
      ] as string,
      value: i % 6 === 5 ? 40 + (i % 3) : Math.round((20 + Math.sin(i / 20)) * 100) / 100,
    }));
    const text = telemetryBatch(records);
    const json = Buffer.byteLength(text) / 200;
    const deflate = encodeBatch(text, 'deflate').length / 200;
    const columnar = encodeBatch(text, 'columnar').length / 200;
    expect(deflate).toBeLessThan(json / 4);
    expect(columnar).toBeLessThan(deflate);
  });

  it('encodes a batch given as columns to the records those columns hold, as the JSON path does', () => {
    const row = fc.record({
      seq: fc.oneof(fc.integer({ min: 1, max: 2 ** 40 }), fc.constant(Number.MAX_SAFE_INTEGER)),
      // The whole range Date holds: far-apart times take the text fallback.
      ts: fc.oneof(
        fc.integer({ min: 0, max: 4_102_444_800_000 }),
        fc.integer({ min: -8.64e15, max: 8.64e15 }),
      ),
      channel: fc.oneof(fc.constantFrom('battery.voltage', 'power.grid', 'occupancy'), fc.string()),
      value: fc.oneof(fc.double({ noNaN: true, noDefaultInfinity: true }), fc.constant(null)),
    });
    fc.assert(
      fc.property(
        fc.array(row, { maxLength: 60 }),
        fc.option(fc.boolean(), { nil: undefined }),
        (rows, live) => {
          const records = rows.map((r) => ({
            seq: r.seq,
            ts: new Date(r.ts).toISOString(),
            channel: r.channel,
            value: r.value,
          }));
          const wire = encodeColumnar({
            point: 'p-1',
            epoch: 'e-1',
            ...(live === undefined ? {} : { live }),
            count: rows.length,
            keys: ['seq', 'ts', 'channel', 'value'],
            columns: [
              { ints: rows.map((r) => r.seq) },
              { times: rows.map((r) => r.ts) },
              { strings: rows.map((r) => r.channel) },
              { numbers: rows.map((r) => JSON.stringify(r.value)).join(',') },
            ],
          });
          expect(codecOf(wire)).toBe('columnar');
          // What a JSON receiver gets for the same records (-0 as 0, and so on).
          const json = JSON.parse(JSON.stringify({ point: 'p-1', epoch: 'e-1', live, records }));
          expect(decodeBatch(wire, contentTypeOf('columnar'))).toStrictEqual(json);
        },
      ),
    );
  });

  it('refuses columns that do not hold the record count, and a time Date cannot hold', () => {
    const batch = (columns: Parameters<typeof encodeColumnar>[0]['columns'], count = 2) =>
      encodeColumnar({ point: 'p', epoch: 'e', count, keys: columns.map((_, i) => `k${i}`), columns });
    expect(() => batch([{ ints: [1] }])).toThrow(/column "k0" has 1 values, not 2/);
    expect(() => batch([{ numbers: '1,2,3' }])).toThrow(/has 3 values, not 2/);
    expect(() => batch([{ numbers: '' }])).toThrow(/has 0 values, not 2/);
    expect(() => batch([{ times: [0, 8.64e15 + 1] }])).toThrow(/not a valid epoch ms/);
    expect(() => batch([{ times: [0, 0.5] }])).toThrow(/not a valid epoch ms/);
    expect(() => batch([], 1)).toThrow(/records but no keys/);
    expect(() => batch([{ ints: [1, 2] }], -1)).toThrow(/invalid record count/);
    expect(() =>
      encodeColumnar({ point: 'p', epoch: 'e', count: 0, keys: ['a', 'b'], columns: [{ ints: [] }] }),
    ).toThrow(/2 keys but 1 columns/);
    // No records: an empty batch, as the JSON path sends it.
    expect(decodeBatch(batch([{ ints: [] }], 0))).toStrictEqual({ point: 'p', epoch: 'e', records: [] });
  });

  it('keeps timestamp-like strings that are not exact ISO times as they are', () => {
    // Feb 30 and 24:00 parse to other days; they must come back as written, not normalised.
    for (const odd of ['2026-02-30T00:00:00.000Z', '2026-01-01T24:00:00.000Z', '2026-01-01T00:00:60.000Z']) {
      const text = JSON.stringify({
        point: 'p',
        epoch: 'e',
        records: [
          { seq: 1, ts: '2026-01-01T00:00:59.999Z' },
          { seq: 2, ts: odd },
        ],
      });
      expect(decodeBatch(encodeBatch(text, 'columnar'))).toStrictEqual(JSON.parse(text));
    }
  });

  it('maps codecs to content types and back', () => {
    for (const c of BATCH_CODECS) expect(codecOfContentType(contentTypeOf(c))).toBe(c);
    expect(codecOfContentType('text/plain')).toBeUndefined();
  });

  it('refuses garbage with a BatchDecodeError that says what is wrong', () => {
    const cases: Array<[Uint8Array | string, RegExp]> = [
      ['', /not JSON/],
      [Buffer.alloc(0), /empty payload/],
      ['{"point":1}', /no string "point"/],
      ['{"point":"p","epoch":"e"}', /no "records" array/],
      ['{"point":"p","epoch":"e","records":[1]}', /record 0 is not a JSON object/],
      ['[1,2]', /not a JSON object/],
      [Buffer.from([0x00, 0x01]), /not a batch envelope/],
      [Buffer.from([0x00, 0x50, 0x42, 9, 1]), /version 9 is not supported/],
      [Buffer.from([0x00, 0x50, 0x42, 1, 7]), /unknown batch codec id 7/],
      [Buffer.from([0x00, 0x50, 0x42, 1, 1, 0xff, 0xff, 0xff]), /corrupt deflate body/],
      [envelope(1, 'not json'), /not JSON/],
      [envelope(2, '{"point":"p","epoch":"e","n":2,"keys":["seq"],"cols":[{"d":[1]}]}'), /2 deltas/],
      [envelope(2, '{"point":"p","epoch":"e","n":1,"keys":["a"],"cols":[{"k":[],"i":[0]}]}'), /index 0/],
      [envelope(2, '{"point":"p","epoch":"e","n":1,"keys":["a","b"],"cols":[{"v":[1]}]}'), /not as many/],
      [envelope(2, '{"point":"p","epoch":"e","n":1,"keys":["a"],"cols":[{"x":1}]}'), /none of d, t, k, v/],
      [envelope(2, '{"point":"p","epoch":"e","n":1,"keys":["a"],"cols":[{"t":[1e300]}]}'), /safe integer/],
      [envelope(2, '{"point":"p","epoch":"e","keys":[],"cols":[]}'), /record count/],
    ];
    for (const [payload, message] of cases) {
      expect(() => decodeBatch(payload), String(message)).toThrow(BatchDecodeError);
      expect(() => decodeBatch(payload)).toThrow(message);
    }
  });

  it('refuses any random bytes after the envelope without throwing anything but BatchDecodeError', () => {
    fc.assert(
      fc.property(fc.constantFrom(1, 2), fc.uint8Array({ maxLength: 200 }), (id, body) => {
        const payload = Buffer.concat([Buffer.from([0x00, 0x50, 0x42, 1, id]), body]);
        try {
          decodeBatch(payload);
        } catch (err) {
          expect(err).toBeInstanceOf(BatchDecodeError);
        }
      }),
    );
  });

  it('refuses a content type that disagrees with the payload, and a decompression bomb', () => {
    const text = telemetryBatch([{ seq: 1, ts: 0, channel: 'x', value: 1 }]);
    expect(() => decodeBatch(encodeBatch(text, 'deflate'), contentTypeOf('none'))).toThrow(
      /does not match the payload, which is deflate/,
    );
    const bomb = envelope(1, `{"point":"p","epoch":"e","records":[],"pad":"${'x'.repeat(100_000)}"}`);
    expect(bomb.length).toBeLessThan(1000);
    expect(() => decodeBatch(bomb, undefined, 10_000)).toThrow(/exceeds 10000 bytes/);
  });
});

function envelope(id: number, text: string): Buffer {
  return Buffer.concat([Buffer.from([0x00, 0x50, 0x42, 1, id]), deflateRawSync(text)]);
}
