// The uplink's side of the outbox: each stream's acknowledged position (never moving backwards, never
// past a seq that was logged), the backlog behind it, the oldest record still waiting, and the batches
// SQLite encodes (outbox-batches.ts). Separate because it is the only state the uplink writes.
import type Database from 'better-sqlite3';
import type { OutboxBatches } from './outbox-batches.js';
import { checkStream, STREAM_TABLES } from './record-checks.js';
import type { EncodedBatch, ReadingColumns, Stream } from './types.js';

type Db = Database.Database;

export function prepareOutboxStatements(db: Db) {
  return {
    sentPosition: db.prepare<[string], { sent_seq: number }>('SELECT sent_seq FROM outbox WHERE stream = ?'),
    markSent: db.prepare<[string, number]>(
      `INSERT INTO outbox (stream, sent_seq) VALUES (?, ?)
       ON CONFLICT (stream) DO UPDATE SET sent_seq = max(sent_seq, excluded.sent_seq)`,
    ),
    // sqlite_sequence holds the highest seq ever assigned, even when that row was deleted since.
    highestSeq: db.prepare<[string], { seq: number }>('SELECT seq FROM sqlite_sequence WHERE name = ?'),
    readingBacklog: db.prepare<[number], { n: number }>('SELECT count(*) AS n FROM readings WHERE seq > ?'),
    eventBacklog: db.prepare<[number], { n: number }>('SELECT count(*) AS n FROM events WHERE seq > ?'),
  };
}

export type OutboxStatements = ReturnType<typeof prepareOutboxStatements>;

export class OutboxPositions {
  private readonly sql: OutboxStatements;
  private readonly batches: OutboxBatches;

  constructor(sql: OutboxStatements, batches: OutboxBatches) {
    this.sql = sql;
    this.batches = batches;
  }

  sentPosition(stream: Stream): number {
    return this.sql.sentPosition.get(checkStream(stream))?.sent_seq ?? 0;
  }

  markSent(stream: Stream, seq: number): void {
    const highest = this.highestSeq(checkStream(stream));
    if (!Number.isSafeInteger(seq) || seq < 0 || seq > highest) {
      // Acknowledging a seq never logged would make the uplink skip the records that get it later.
      throw new RangeError(`cannot mark ${stream} seq ${seq} as sent: the highest logged seq is ${highest}`);
    }
    this.sql.markSent.run(stream, seq);
  }

  backlog(): Record<Stream, number> {
    return {
      telemetry: this.sql.readingBacklog.get(this.sentPosition('telemetry'))?.n ?? 0,
      events: this.sql.eventBacklog.get(this.sentPosition('events'))?.n ?? 0,
    };
  }

  oldestUnsentTs(): number | null {
    return this.batches.oldestUnsentTs({
      telemetry: this.sentPosition('telemetry'),
      events: this.sentPosition('events'),
    });
  }

  /** The next outbox batch encoded by SQLite (src/store/outbox-batches.ts). */
  encodedBatch(
    stream: Stream,
    afterSeq: number,
    limit: number,
    prefix: string,
    suffix: string,
  ): EncodedBatch {
    return this.batches.batch(checkStream(stream), afterSeq, limit, prefix, suffix);
  }

  /** The next readings as columns (src/store/outbox-batches.ts). */
  readingColumns(afterSeq: number, limit: number): ReadingColumns {
    return this.batches.readingColumns(afterSeq, limit);
  }

  private highestSeq(stream: Stream): number {
    return this.sql.highestSeq.get(STREAM_TABLES[stream])?.seq ?? 0;
  }
}
