import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  batchBytes,
  batchHead,
  batchPayload,
  encodeEvent,
  encodeReading,
  fitCount,
  IsoFormatter,
} from '../../../src/uplink/encode.js';

describe('record encoding', () => {
  it('encodes a reading exactly as JSON.stringify would, for any value and time', () => {
    const iso = new IsoFormatter();
    fc.assert(
      fc.property(
        fc.integer({ min: 1, max: 2 ** 40 }),
        fc.integer({ min: 0, max: 4_102_444_800_000 }),
        fc.oneof(fc.double({ noNaN: true, noDefaultInfinity: true }), fc.constant(null)),
        (seq, ts, value) => {
          const r = { seq, ts, channel: 'battery.voltage', value };
          const e = encodeReading(r, iso);
          const expected = JSON.stringify({ seq, ts: new Date(ts).toISOString(), channel: r.channel, value });
          expect(e.json).toBe(expected);
          expect(e.bytes).toBe(Buffer.byteLength(expected));
        },
      ),
    );
  });

  it('keeps event data nested and counts UTF-8 bytes', () => {
    const e = encodeEvent(
      { seq: 3, ts: 0, type: 'alarm.fuel', level: 'alarm', message: 'Паливо', data: { seq: -1 } },
      new IsoFormatter(),
    );
    expect(JSON.parse(e.json)).toEqual({
      seq: 3,
      ts: '1970-01-01T00:00:00.000Z',
      type: 'alarm.fuel',
      level: 'alarm',
      message: 'Паливо',
      data: { seq: -1 },
    });
    expect(e.bytes).toBe(Buffer.byteLength(e.json));
    expect(e.bytes).toBeGreaterThan(e.json.length);
  });

  it('fits batches by count and bytes, and never returns an empty batch', () => {
    const iso = new IsoFormatter();
    const records = Array.from({ length: 50 }, (_, i) =>
      encodeReading({ seq: i + 1, ts: i, channel: 'battery.soc', value: i }, iso),
    );
    const head = batchHead('p-1', 'e-1');
    expect(fitCount(head, records, 10, 1_000_000)).toBe(10);
    const n = fitCount(head, records, 100, 1000);
    expect(batchBytes(head, records.slice(0, n))).toBeLessThanOrEqual(1000);
    expect(batchBytes(head, records.slice(0, n + 1))).toBeGreaterThan(1000);
    expect(fitCount(head, records, 100, 5)).toBe(1);
    const payload = batchPayload(head, records.slice(0, n));
    expect(Buffer.byteLength(payload)).toBe(batchBytes(head, records.slice(0, n)));
    expect(JSON.parse(payload)).toMatchObject({ point: 'p-1', epoch: 'e-1' });
    expect(JSON.parse(batchPayload(batchHead('p', 'e', true), []))).toEqual({
      point: 'p',
      epoch: 'e',
      live: true,
      records: [],
    });
  });
});
