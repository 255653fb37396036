import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { type BatchCodec, decodeBatch } from '../../../src/contract/batch-codec.js';
import type { PointEvent } from '../../../src/core/events.js';
import { LineLogger } from '../../../src/core/logger.js';
import type { SqliteLog } from '../../../src/store/sqlite-log.js';
import type { OutboxSource, Stream } from '../../../src/store/types.js';
import { Drain } from '../../../src/uplink/drain.js';
import {
  BATCH_TAIL,
  batchHead,
  batchPayload,
  encodeEvent,
  encodeReading,
  IsoFormatter,
} from '../../../src/uplink/encode.js';
import { pointTopics } from '../../../src/uplink/topics.js';
import { useTempLogs } from '../store/temp-log.js';

const logs = useTempLogs();

const anyReading = fc.record({
  // 1969 and beyond year 9999 go through the JS fallback.
  ts: fc.integer({ min: -2_000_000_000_000, max: 300_000_000_000_000 }),
  value: fc.oneof(
    fc.double({ noNaN: true, noDefaultInfinity: true }),
    fc.integer({ min: -1_000_000, max: 1_000_000 }).map((n) => n / 100),
    fc.constant(null),
  ),
  channel: fc.constantFrom('battery.voltage', 'temp.inside', 'occupancy.count'),
});
const HEAD = batchHead('p-1', 'e-1');

/** What the record path (rows read into JS, encoded by src/uplink/encode.ts) sends for the same rows. */
function jsPayload(log: SqliteLog, stream: Stream, after: number, limit: number): string {
  const iso = new IsoFormatter();
  const records =
    stream === 'telemetry'
      ? log.readingsAfter(after, limit).map((r) => encodeReading(r, iso))
      : log.eventsAfter(after, limit).map((e) => encodeEvent(e, iso));
  return batchPayload(HEAD, records);
}

function sqlPayload(log: SqliteLog, stream: Stream, after: number, limit: number): string {
  return log.encodedBatch(stream, after, limit, HEAD, BATCH_TAIL).payload.toString('utf8');
}

// Values where SQLite's own REAL text differs from JavaScript's, and ordinary ones.
const AWKWARD = [
  0,
  -0,
  0.1,
  0.2 + 0.1,
  12,
  12.5,
  -40.25,
  1e-7,
  1e-5,
  1.5e-4,
  1e-4,
  0.000123,
  1 / 3,
  2 / 3,
  1e15,
  1e15 + 0.5,
  2 ** 53,
  2 ** 53 + 2,
  2 ** 60,
  1e20,
  1e21,
  1.2345678901234566e25,
  5e-324,
  2.2250738585072014e-308,
  Number.MAX_VALUE,
  -Number.MAX_VALUE,
  123456.789,
  9999999999999998,
  0.1 * 3,
  3.3 * (511 / 1023),
  null,
];

describe('outbox batches encoded by SQLite', () => {
  it('are byte-for-byte the record path, for awkward and arbitrary values and times', () => {
    const log = logs.open();
    log.appendReadings(
      AWKWARD.map((value, i) => ({ channel: 'battery.voltage', value, ts: 1_764_576_000_000 + i })),
    );
    /** Every batch from `after` to the end of the log, in batches of 7. */
    const check = (after: number): void => {
      for (let a = after; ; ) {
        const sql = sqlPayload(log, 'telemetry', a, 7);
        expect(sql).toBe(jsPayload(log, 'telemetry', a, 7));
        const last = (JSON.parse(sql) as { records: { seq: number }[] }).records.at(-1);
        if (!last) break;
        a = last.seq;
      }
    };
    check(0);
    const parsed = JSON.parse(sqlPayload(log, 'telemetry', 0, 1000)) as { records: { value: unknown }[] };
    expect(parsed.records.map((r) => r.value)).toEqual(AWKWARD.map((v) => (v === 0 ? 0 : v)));
    fc.assert(
      fc.property(fc.array(anyReading, { minLength: 1, maxLength: 40 }), (readings) => {
        const logged = log.appendReadings(readings);
        check((logged[0]?.seq ?? 1) - 1);
      }),
      { numRuns: 150 },
    );
  });

  it('encode events with unicode, nested data, nulls and numbers exactly as the record path', () => {
    const log = logs.open();
    const events: PointEvent[] = [
      {
        type: 'alarm.fuelLow',
        level: 'alarm',
        ts: 0,
        message: 'Паливо «низько» — 5 %, 😀 "q" \\ \n\t\u0001',
      },
      {
        type: 'state.changed',
        level: 'info',
        ts: 1_764_576_000_123,
        message: '',
        data: { from: 'OPEN', to: null },
      },
      {
        type: 'x',
        level: 'debug',
        ts: 1,
        message: 'data',
        data: { a: 0.1, b: 1e-7, c: 12, d: 1e21, e: [1, 'ü', { f: null }], g: '\u2028', seq: -1, '2': 'k' },
      },
    ];
    for (const e of events) log.appendEvent(e);
    fc.assert(
      fc.property(fc.string({ unit: 'grapheme' }), fc.jsonValue(), (message, value) => {
        const e = log.appendEvent({ type: 't', level: 'warning', ts: 5, message, data: { value } });
        expect(sqlPayload(log, 'events', e.seq - 1, 1)).toBe(jsPayload(log, 'events', e.seq - 1, 1));
      }),
      { numRuns: 100 },
    );
    const sql = sqlPayload(log, 'events', 0, 3);
    expect(sql).toBe(jsPayload(log, 'events', 0, 3));
    expect(JSON.parse(sql).records[2].data).toEqual(events[2]?.data);
  });

  it('refuse rows the record path refuses, with the seq, and accept nothing else as input', () => {
    const log = logs.open();
    log.appendEvent({ type: 'ok', level: 'info', ts: 1, message: 'fine' });
    log
      .database()
      .prepare("INSERT INTO events (ts, type, level, message, data) VALUES (2, 't', 'loud', 'm', NULL)")
      .run();
    log
      .database()
      .prepare("INSERT INTO events (ts, type, level, message, data) VALUES (3, 't', 'info', 'm', '[1]')")
      .run();
    expect(() => log.encodedBatch('events', 0, 10, HEAD, BATCH_TAIL)).toThrow(/event 2 in the log/);
    expect(() => log.encodedBatch('events', 2, 10, HEAD, BATCH_TAIL)).toThrow(/event 3 in the log/);
    expect(log.encodedBatch('events', 0, 1, HEAD, BATCH_TAIL).count).toBe(1);
    expect(() => log.encodedBatch('events', 0, 0, HEAD, BATCH_TAIL)).toThrow(RangeError);
    expect(() => log.encodedBatch('events', 0.5, 1, HEAD, BATCH_TAIL)).toThrow(RangeError);
    expect(() => log.encodedBatch('nope' as Stream, 0, 1, HEAD, BATCH_TAIL)).toThrow(/unknown stream/);
    const empty = log.encodedBatch('telemetry', 0, 10, HEAD, BATCH_TAIL);
    expect(empty).toMatchObject({ count: 0, firstSeq: 0, lastSeq: 0 });
    expect(JSON.parse(empty.payload.toString())).toEqual({ point: 'p-1', epoch: 'e-1', records: [] });
  });

  it('the oldest unsent record is the first after each position, over both streams', () => {
    const log = logs.open();
    expect(log.oldestUnsentTs()).toBeNull();
    log.appendReadings([
      { channel: 'battery.voltage', value: 12, ts: 5000 },
      { channel: 'battery.voltage', value: 12, ts: 1000 },
    ]);
    log.appendEvent({ type: 't', level: 'info', ts: 3000, message: '' });
    expect(log.oldestUnsentTs()).toBe(3000);
    log.markSent('events', 1);
    expect(log.oldestUnsentTs()).toBe(5000);
    log.markSent('telemetry', 1);
    // by seq, not by ts: the second reading was logged after a clock step back
    expect(log.oldestUnsentTs()).toBe(1000);
    log.markSent('telemetry', 2);
    expect(log.oldestUnsentTs()).toBeNull();
  });
});

describe('the drain over store-encoded batches', () => {
  function drainOf(
    outbox: OutboxSource,
    maxRecords: number,
    errors: string[] = [],
    codec: BatchCodec = 'none',
  ): Drain {
    const drain = new Drain({
      outbox,
      pointId: 'p-1',
      topics: pointTopics('pima/v1', 'p-1'),
      maxRecords,
      codec,
      markIntervalMs: 0,
      logger: new LineLogger((line) => errors.push(line), 'error'),
      mqtt5: () => true,
      linkUp: () => true,
      onDelivered: () => undefined,
      onRefused: () => undefined,
    });
    drain.reset();
    return drain;
  }

  it('sends every record once, in order, across retention gaps, within the byte limit', () => {
    const log = logs.open();
    log.appendReadings(
      Array.from({ length: 3000 }, (_, i) => ({
        channel: 'battery.voltage',
        value: i / 7,
        ts: 1_764_576_000_000 + i,
      })),
    );
    // retention removed some ranges: seqs are no longer dense
    log.database().prepare('DELETE FROM readings WHERE (seq BETWEEN 100 AND 450) OR seq % 97 = 0').run();
    const expected = log.readingsAfter(0, 10_000).map((r) => r.seq);
    const drain = drainOf(log, 200);
    const seen: number[] = [];
    for (let i = 0; ; i++) {
      const maxBytes = i % 3 === 0 ? 3000 : 16_384;
      const b = drain.next(maxBytes);
      if (!b) break;
      expect(b.bytes).toBe(Buffer.byteLength(b.payload));
      expect(b.bytes).toBeLessThanOrEqual(maxBytes);
      const seqs = (JSON.parse(b.payload.toString()) as { records: { seq: number }[] }).records.map(
        (r) => r.seq,
      );
      expect(b.properties?.userProperties).toMatchObject({
        firstSeq: String(seqs[0]),
        lastSeq: String(seqs.at(-1)),
      });
      seen.push(...seqs);
      b.done?.();
    }
    expect(seen).toEqual(expected);
    expect(log.sentPosition('telemetry')).toBe(3000);
  });

  it('sends as columnar batches built from the log columns exactly the records of the JSON batches', () => {
    const log = logs.open();
    log.appendReadings(
      AWKWARD.map((value, i) => ({ channel: 'battery.voltage', value, ts: 1_764_576_000_000 + i * 997 })),
    );
    log.appendEvent({ type: 'state.changed', level: 'info', ts: 5, message: 'm', data: { to: 'OPEN' } });
    const records = (stream: Stream) =>
      (JSON.parse(sqlPayload(log, stream, 0, 1_000_000)) as { records: unknown[] }).records;
    fc.assert(
      fc.property(
        fc.array(anyReading, { maxLength: 300 }),
        fc.integer({ min: 200, max: 20_000 }),
        fc.boolean(),
        (readings, maxBytes, ahead) => {
          if (readings.length > 0) log.appendReadings(readings);
          const drain = drainOf(log, 200, [], 'columnar');
          log.markSent('telemetry', 0);
          const got: Record<Stream, unknown[]> = { telemetry: [], events: [] };
          for (;;) {
            // Prepared ahead (as while connecting, or while the window waits) or built on demand.
            if (ahead) drain.prepare(maxBytes);
            const b = drain.next(maxBytes);
            if (!b) break;
            const stream: Stream = b.topic.endsWith('/events') ? 'events' : 'telemetry';
            got[stream].push(...decodeBatch(b.payload as Buffer).records);
          }
          expect(got.telemetry).toStrictEqual(records('telemetry'));
          expect(got.events).toStrictEqual(records('events'));
        },
      ),
      { numRuns: 40 },
    );
  });

  it('hands out a batch prepared ahead only while the stream position is the one it was built after', () => {
    for (const codec of ['none', 'deflate', 'columnar'] as const) {
      const log = logs.open(`${codec}.db`);
      log.appendReadings(
        Array.from({ length: 5000 }, (_, i) => ({
          channel: 'battery.voltage',
          value: i,
          ts: 1_764_576_000_000 + i,
        })),
      );
      const drain = drainOf(log, 200, [], codec);
      // Events (none) then telemetry: one batch per stream, then nothing more to prepare.
      expect(drain.prepare(2000)).toBe(true);
      expect(drain.prepare(2000)).toBe(false);
      // A new connection that starts where the log says: the prepared batch stays valid.
      drain.reset();
      const first = drain.next(2000);
      expect(first?.properties?.userProperties).toMatchObject({ firstSeq: '1' });
      first?.done?.();
      expect(drain.prepare(2000)).toBe(true);
      // The position moved before the next connection (a PUBACK of an earlier one, written late):
      // the prepared batch would resend what was delivered, so it is dropped and built again.
      const props = first?.properties?.userProperties as { lastSeq: string } | undefined;
      const delivered = Number(props?.lastSeq) + 50;
      log.markSent('telemetry', delivered);
      drain.reset();
      const second = drain.next(2000);
      expect(second?.properties?.userProperties).toMatchObject({ firstSeq: String(delivered + 1) });
      second?.done?.();
      // A new connection attempt drops what was built ahead: the next batch is built for what is asked.
      expect(drain.prepare(2000)).toBe(true);
      const readyBytes = drain.next(2000)?.bytes ?? 0;
      expect(drain.prepare(2000)).toBe(true);
      drain.dropPrepared();
      expect(drain.next(8000)?.bytes ?? 0).toBeGreaterThan(readyBytes * 1.25);
    }
  });

  it('sends one record larger than the limit alone, and holds it when the byte budget cannot take it', () => {
    const log = logs.open();
    log.appendEvent({ type: 'big', level: 'info', ts: 1, message: 'x'.repeat(5000) });
    log.appendEvent({ type: 'small', level: 'info', ts: 2, message: 'y' });
    const drain = drainOf(log, 200);
    expect(drain.next(1000, 4000)).toBeUndefined();
    expect(drain.budgetBlocked).toBe(true);
    const big = drain.next(1000);
    expect(JSON.parse(big?.payload.toString() ?? '').records).toHaveLength(1);
    expect(big?.bytes).toBeGreaterThan(5000);
    const small = drain.next(1000);
    expect(JSON.parse(small?.payload.toString() ?? '').records[0].type).toBe('small');
  });

  it('reports a record it cannot send, sends nothing, and goes on once the row is readable', () => {
    const log = logs.open();
    log
      .database()
      .prepare("INSERT INTO events (ts, type, level, message, data) VALUES (2, 't', 'loud', 'm', NULL)")
      .run();
    const errors: string[] = [];
    const drain = drainOf(log, 200, errors);
    expect(drain.next(65_536)).toBeUndefined();
    expect(errors.join('\n')).toMatch(/cannot read the events outbox.*event 1 in the log/);
    log.database().prepare("UPDATE events SET level = 'info'").run();
    expect(JSON.parse(drain.next(65_536)?.payload.toString() ?? '').records[0].seq).toBe(1);
  });
});
