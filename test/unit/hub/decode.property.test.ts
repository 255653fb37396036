import fc from 'fast-check';
import { describe, expect, test } from 'vitest';
import { encodeBatch } from '../../../src/contract/batch-codec.js';
import { decodeMessage } from '../../../src/hub/ingest/decode.js';
import { hubFilters, parseHubTopic, sharedFilter } from '../../../src/hub/ingest/topics.js';
import {
  batchHead,
  batchPayload,
  encodeEvent,
  encodeReading,
  IsoFormatter,
} from '../../../src/uplink/encode.js';

const T0 = Date.parse('2026-12-01T00:00:00.000Z');
const channel = fc.constantFrom('battery.voltage', 'temperature.indoor', 'occupancy.count', 'mains.present');
const reading = fc.record({
  ts: fc.integer({ min: T0, max: T0 + 86_400_000 }),
  channel,
  value: fc.option(fc.double({ noNaN: true, noDefaultInfinity: true, min: -1e6, max: 1e6 }), { nil: null }),
});

describe('hub decode: what the point encodes, the hub reads back exactly', () => {
  test('telemetry batches in every codec round-trip (seq, ms ts, channel, value)', () => {
    fc.assert(
      fc.property(
        fc.array(reading, { minLength: 1, maxLength: 40 }),
        fc.integer({ min: 1, max: 1e9 }),
        fc.constantFrom('none', 'deflate', 'columnar'),
        (rows, firstSeq, codec) => {
          const iso = new IsoFormatter();
          const logged = rows.map((r, i) => ({ ...r, seq: firstSeq + i }));
          const json = batchPayload(
            batchHead('p1', 'ep'),
            logged.map((r) => encodeReading(r, iso)),
          );
          const wire = encodeBatch(json, codec as 'none' | 'deflate' | 'columnar');
          const payload = typeof wire === 'string' ? Buffer.from(wire) : wire;
          const d = decodeMessage({ point: 'p1', kind: 'telemetry' }, payload, undefined, 0);
          expect(d.ok).toBe(true);
          if (!d.ok) return;
          const batch = d.work.batches[0];
          expect(batch?.epoch).toBe('ep');
          // -0 is written as 0 by JSON: the value the point exports too.
          expect(batch?.records).toEqual(
            logged.map((r) => ({ ...r, value: r.value === null ? null : r.value + 0 })),
          );
        },
      ),
      { seed: 15, numRuns: 200 },
    );
  });

  test('events keep type, level, message and data text', () => {
    const iso = new IsoFormatter();
    const e = {
      seq: 7,
      ts: T0,
      type: 'gap',
      level: 'warning' as const,
      message: 'dropped, "quoted"',
      data: { stream: 'telemetry', fromSeq: 1, toSeq: 2 },
    };
    const payload = Buffer.from(batchPayload(batchHead('p1', 'ep'), [encodeEvent(e, iso)]));
    const d = decodeMessage({ point: 'p1', kind: 'events' }, payload, undefined, 0);
    expect(d).toMatchObject({ ok: true });
    if (d.ok) expect(d.work.batches[0]?.records).toEqual([{ ...e, data: JSON.stringify(e.data) }]);
  });

  test('garbage is refused with a message, never thrown, and changes nothing', () => {
    fc.assert(
      fc.property(
        fc.oneof(
          fc.uint8Array({ maxLength: 200 }),
          fc.string().map((s) => new TextEncoder().encode(s)),
          fc.json().map((s) => new TextEncoder().encode(s)),
        ),
        fc.constantFrom('telemetry', 'events', 'status', 'online', 'info', 'result'),
        (bytes, kind) => {
          const d = decodeMessage(
            { point: 'p1', kind: kind as 'telemetry', command: 'mode' },
            Buffer.from(bytes),
            undefined,
            0,
          );
          if (d.ok) {
            // Only an empty payload (a cleared retained message) may pass without being a valid message.
            const w = d.work;
            const stored =
              w.batches.length + w.statuses.length + w.onlines.length + w.infos.length + w.results.length;
            expect(bytes.length === 0 ? stored : 0).toBe(0);
          } else {
            expect(d.error.length).toBeGreaterThan(0);
          }
        },
      ),
      { seed: 15, numRuns: 2000 },
    );
  });

  test('a batch naming another point than its topic is refused', () => {
    const payload = Buffer.from(
      '{"point":"other","epoch":"e","records":[{"seq":1,"ts":"2026-12-01T00:00:00.000Z","channel":"battery.soc","value":1}]}',
    );
    const d = decodeMessage({ point: 'p1', kind: 'telemetry' }, payload, undefined, 0);
    expect(d).toMatchObject({ ok: false, error: expect.stringMatching(/names point "other"/) });
  });
});

describe('hub topics', () => {
  test('filters, shared filters and parsing', () => {
    expect(hubFilters('pima/v1')).toEqual([
      'pima/v1/+/online',
      'pima/v1/+/status',
      'pima/v1/+/info',
      'pima/v1/+/telemetry',
      'pima/v1/+/events',
      'pima/v1/+/cmd/+/result',
    ]);
    expect(sharedFilter('g', 'pima/v1/+/status')).toBe('$share/g/pima/v1/+/status');
    expect(parseHubTopic('pima/v1', 'pima/v1/a-1/telemetry')).toEqual({ point: 'a-1', kind: 'telemetry' });
    expect(parseHubTopic('pima/v1', 'pima/v1/a-1/cmd/mode/result')).toEqual({
      point: 'a-1',
      kind: 'result',
      command: 'mode',
    });
    expect(parseHubTopic('pima/v1', 'pima/v1/a-1/cmd/mode')).toBeUndefined();
    expect(parseHubTopic('pima/v1', 'pima/v1/a-1/desired')).toBeUndefined();
    expect(parseHubTopic('pima/v1', 'other/a-1/status')).toBeUndefined();
  });
});
