import { type LoggedEvent, levelAtLeast, type PointEvent } from '../../src/core/events.js';
import type { LoggedReading, Reading } from '../../src/core/readings.js';
import type { EventQuery, Stream } from '../../src/store/types.js';
import type { UplinkStore } from '../../src/uplink/mqtt-uplink.js';

export interface MarkSentCall {
  stream: Stream;
  seq: number;
}

/** An in-memory outbox: the log is two arrays, `seq` per stream starts at 1. */
export class FakeOutbox implements UplinkStore {
  readonly readings: LoggedReading[] = [];
  readonly events: LoggedEvent[] = [];
  /** Every markSent call, in order, so tests can see when acknowledgements happened. */
  readonly markSentCalls: MarkSentCall[] = [];
  private readonly sent: Record<Stream, number> = { telemetry: 0, events: 0 };

  constructor(readonly epoch = 'epoch-test-1') {}

  addReadings(readings: readonly Reading[]): LoggedReading[] {
    const logged = readings.map((r, i) => ({ ...r, seq: this.readings.length + i + 1 }));
    this.readings.push(...logged);
    return logged;
  }

  addEvents(events: readonly PointEvent[]): LoggedEvent[] {
    const logged = events.map((e, i) => ({ ...e, seq: this.events.length + i + 1 }));
    this.events.push(...logged);
    return logged;
  }

  readingsAfter(afterSeq: number, limit: number): LoggedReading[] {
    return after(this.readings, afterSeq, limit);
  }

  eventsAfter(afterSeq: number, limit: number): LoggedEvent[] {
    return after(this.events, afterSeq, limit);
  }

  queryEvents(q: EventQuery): LoggedEvent[] {
    const matching = this.events.filter(
      (e) =>
        (q.afterSeq === undefined || e.seq > q.afterSeq) &&
        (q.sinceMs === undefined || e.ts >= q.sinceMs) &&
        (q.untilMs === undefined || e.ts <= q.untilMs) &&
        (q.minLevel === undefined || levelAtLeast(e.level, q.minLevel)),
    );
    return matching.slice(0, q.limit ?? matching.length).map((e) => ({ ...e }));
  }

  sentPosition(stream: Stream): number {
    return this.sent[stream];
  }

  markSent(stream: Stream, seq: number): void {
    this.markSentCalls.push({ stream, seq });
    this.sent[stream] = Math.max(this.sent[stream], seq);
  }

  backlog(): Record<Stream, number> {
    return {
      telemetry: this.readings.length - this.sent.telemetry,
      events: this.events.length - this.sent.events,
    };
  }
}

function after<T extends { seq: number }>(records: readonly T[], afterSeq: number, limit: number): T[] {
  return records
    .filter((r) => r.seq > afterSeq)
    .slice(0, limit)
    .map((r) => ({ ...r }));
}
