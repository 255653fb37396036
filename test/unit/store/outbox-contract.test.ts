import { describe, expect, it } from 'vitest';
import type { PointEvent } from '../../../src/core/events.js';
import type { Reading } from '../../../src/core/readings.js';
import type { UplinkStore } from '../../../src/uplink/mqtt-uplink.js';
import { FakeOutbox } from '../../helpers/fake-outbox.js';
import { useTempLogs } from './temp-log.js';

/** What an outbox under test offers: the interface the uplink uses, and a way to log records into it. */
interface OutboxUnderTest {
  outbox: UplinkStore;
  logReadings(readings: readonly Reading[]): void;
  logEvents(events: readonly PointEvent[]): void;
}

const T0 = Date.parse('2026-12-01T08:00:00Z');
const reading = (i: number): Reading => ({ channel: 'battery.voltage', value: 12 + i / 100, ts: T0 + i });
const event = (i: number, level: PointEvent['level'] = 'info'): PointEvent => ({
  type: 'test.event',
  level,
  ts: T0 + i,
  message: `e${i}`,
});

/**
 * One suite, run against the real log and against the fake the uplink tests use: the fake may only be
 * used where it behaves like the log.
 */
function outboxContract(name: string, make: () => OutboxUnderTest): void {
  describe(`outbox contract: ${name}`, () => {
    it('has an epoch, nothing sent and nothing waiting when empty', () => {
      const { outbox } = make();
      expect(outbox.epoch).toMatch(/\S/);
      expect(outbox.sentPosition('telemetry')).toBe(0);
      expect(outbox.sentPosition('events')).toBe(0);
      expect(outbox.backlog()).toEqual({ telemetry: 0, events: 0 });
      expect(outbox.readingsAfter(0, 10)).toEqual([]);
    });

    it('numbers each stream from 1 in logging order and reads after a seq, up to a limit', () => {
      const t = make();
      t.logReadings([0, 1, 2, 3, 4].map(reading));
      t.logEvents([event(0), event(1)]);
      expect(t.outbox.readingsAfter(0, 10).map((r) => r.seq)).toEqual([1, 2, 3, 4, 5]);
      expect(t.outbox.readingsAfter(2, 2)).toEqual([
        { ...reading(2), seq: 3 },
        { ...reading(3), seq: 4 },
      ]);
      expect(t.outbox.eventsAfter(0, 10)).toMatchObject([
        { seq: 1, type: 'test.event', level: 'info', ts: T0, message: 'e0' },
        { seq: 2, message: 'e1' },
      ]);
      expect(t.outbox.eventsAfter(2, 10)).toEqual([]);
    });

    it('the sent position only moves forward, and the backlog is what was logged after it', () => {
      const t = make();
      t.logReadings([0, 1, 2, 3].map(reading));
      t.logEvents([event(0), event(1), event(2)]);
      expect(t.outbox.backlog()).toEqual({ telemetry: 4, events: 3 });
      t.outbox.markSent('telemetry', 3);
      t.outbox.markSent('telemetry', 1);
      t.outbox.markSent('events', 1);
      expect(t.outbox.sentPosition('telemetry')).toBe(3);
      expect(t.outbox.sentPosition('events')).toBe(1);
      expect(t.outbox.backlog()).toEqual({ telemetry: 1, events: 2 });
    });

    it('finds events by level, after a seq and within a limit, in seq order', () => {
      const t = make();
      t.logEvents([event(0), event(1, 'alarm'), event(2, 'warning'), event(3, 'critical'), event(4)]);
      expect(t.outbox.queryEvents({ minLevel: 'alarm' }).map((e) => e.seq)).toEqual([2, 4]);
      expect(t.outbox.queryEvents({ minLevel: 'warning', afterSeq: 2 }).map((e) => e.seq)).toEqual([3, 4]);
      expect(t.outbox.queryEvents({ limit: 2 }).map((e) => e.seq)).toEqual([1, 2]);
      expect(t.outbox.queryEvents({ sinceMs: T0 + 3 }).map((e) => e.seq)).toEqual([4, 5]);
    });

    it('hands out copies: changing a record read does not change the log', () => {
      const t = make();
      t.logReadings([reading(0)]);
      const first = t.outbox.readingsAfter(0, 1)[0];
      if (first) first.value = -1;
      expect(t.outbox.readingsAfter(0, 1)[0]?.value).toBe(12);
    });
  });
}

const tmp = useTempLogs();

outboxContract('SqliteLog', () => {
  const log = tmp.open();
  return {
    outbox: log,
    logReadings: (r) => log.appendReadings(r),
    logEvents: (events) => {
      for (const e of events) log.appendEvent(e);
    },
  };
});

outboxContract('FakeOutbox (the uplink tests)', () => {
  const fake = new FakeOutbox();
  return { outbox: fake, logReadings: (r) => fake.addReadings(r), logEvents: (e) => fake.addEvents(e) };
});
