import { type BatchCodec, contentTypeOf, encodeBatch, encodeColumnar } from '../contract/batch-codec.js';
import { errorMessage } from '../core/errors.js';
import type { Logger } from '../core/logger.js';
import type { OutboxSource, ReadingColumns, Stream } from '../store/types.js';
import { AckWindow } from './ack-window.js';
import {
  BATCH_TAIL,
  batchBytes,
  batchHead,
  batchPayload,
  type EncodedRecord,
  encodeEvent,
  encodeReading,
  fitByAverage,
  fitCount,
  IsoFormatter,
} from './encode.js';
import type { BacklogSource, Outgoing } from './sender.js';
import type { PointTopics } from './topics.js';

export const STREAMS: readonly Stream[] = ['events', 'telemetry'];

/** Bytes per record assumed when sizing a batch, relative to the last batch's mean. */
const FIT_MARGIN = 1.02;
/** Bytes of one record's JSON before any batch was measured (a reading is 80–90). */
const GUESS_RECORD_BYTES = 80;
/**
 * Records per compressed batch: the JSON text limit decides instead of `maxRecords`. A compressed
 * record is ~5 bytes, so 200 of them make a 1 kB message and the message-count window (16, the
 * broker's receive maximum) rather than the link limits the drain (bench:link: half the link).
 */
const COMPRESSED_MAX_RECORDS = 5000;
/**
 * JSON text per compressed batch, as a multiple of the packet limit: fewer, larger messages cost fewer
 * round trips through the event loop (on a loaded CPU each one waits for the scheduler). The wire
 * size still never exceeds the packet limit: a batch that compresses worse is cut down.
 */
const COMPRESSED_TEXT_FACTOR = 8;
/**
 * Wire bytes per JSON byte assumed before a batch was measured: a little above what a day of readings
 * gives (deflate 0.09, columnar of JSON 0.03), so the first batch is about the size asked for rather
 * than a sliver of it (with 1, a first compressed batch was a tenth of the window).
 */
const FIRST_RATIO: Record<BatchCodec, number> = { none: 1, deflate: 0.15, columnar: 0.05 };
/** Wire bytes per reading of a columnar batch built from columns, before one was measured (~2 seen). */
const FIRST_COLUMNAR_RECORD_BYTES = 4;
/** A prepared batch is still taken when up to this much larger than the bytes asked for. */
const READY_SLACK = 1.25;

/** Records for the next try when `count` of them made `wireBytes`, over the packet limit: 10 % below. */
function fewerForPacket(count: number, wireBytes: number, packetBytes: number): number {
  return Math.max(1, Math.min(count - 1, Math.floor((count * packetBytes * 0.9) / wireBytes)));
}

/** A batch built but not handed out yet: nothing about the stream's position changes until it is. */
interface Built {
  /** The stream's read position it was built after: stale once that moves. */
  after: number;
  payload: string | Buffer;
  bytes: number;
  firstSeq: number;
  lastSeq: number;
  count: number;
}

export interface DrainContext {
  outbox: OutboxSource;
  pointId: string;
  topics: PointTopics;
  maxRecords: number;
  /** The wire encoding of backlog batches (`mqtt.compression`). */
  codec: BatchCodec;
  /** The acknowledged position is written to the log at most this often (real ms); 0 writes at once. */
  markIntervalMs: number;
  logger: Logger;
  /** MQTT 5: the dedup key also goes into user properties. */
  mqtt5(): boolean;
  /** Still the same, connected session that published the batch. */
  linkUp(): boolean;
  /** Records acknowledged by the broker (for the drain rate). */
  onDelivered(count: number): void;
  /** The broker answered a batch with an error reason code. */
  onRefused(stream: Stream, err: Error): void;
}

/**
 * The backlog of the log's outbox, read in seq order per stream (events before telemetry) in batches
 * limited by count and bytes. Only the window and one read-ahead batch per stream are ever in memory.
 * A PUBACK advances the stream's position over the contiguous acknowledged prefix; the position is
 * written to the log coalesced (a crash before the write only causes resends, which receivers dedup).
 */
export class Drain implements BacklogSource {
  private readonly iso = new IsoFormatter();
  private readonly carry: Record<Stream, EncodedRecord[]> = { events: [], telemetry: [] };
  private readonly exhausted: Record<Stream, boolean> = { events: false, telemetry: false };
  private readonly unmarked: Partial<Record<Stream, number>> = {};
  /** Mean record size of the last store-encoded batch, to size the next one. */
  private readonly recordBytes: Record<Stream, number> = { events: 0, telemetry: 0 };
  /** Wire bytes per JSON byte of the last batch (1 without compression), to size the next one. */
  private readonly ratio: Record<Stream, number>;
  /** Wire bytes per reading of the last full columnar batch built from columns. */
  private columnarRecordBytes = FIRST_COLUMNAR_RECORD_BYTES;
  /** One batch per stream built ahead (`prepare`), so it goes the moment the window has room. */
  private readonly ready: Partial<Record<Stream, Built>> = {};
  private windows: Record<Stream, AckWindow> = { events: new AckWindow(0), telemetry: new AckWindow(0) };
  private readPos: Record<Stream, number> = { events: 0, telemetry: 0 };
  private generation = 0;
  private markTimer: ReturnType<typeof setTimeout> | undefined;
  private failing = false;
  /** The last next() found records that do not fit the byte budget. */
  budgetBlocked = false;

  /** Records per batch: `maxRecords`, or for compressed batches as many as the text limit allows. */
  private readonly maxRecords: number;

  constructor(private readonly ctx: DrainContext) {
    this.maxRecords =
      ctx.codec === 'none' ? ctx.maxRecords : Math.max(ctx.maxRecords, COMPRESSED_MAX_RECORDS);
    const first = FIRST_RATIO[ctx.codec];
    this.ratio = { events: first, telemetry: first };
  }

  /** A new connection: start again from what the log says was acknowledged. */
  reset(): void {
    this.flush();
    this.generation += 1;
    for (const s of STREAMS) {
      const pos = this.safely(`read the ${s} position`, () => this.ctx.outbox.sentPosition(s)) ?? 0;
      this.windows[s] = new AckWindow(pos);
      this.readPos[s] = pos;
      this.carry[s] = [];
      this.exhausted[s] = false;
      // A batch prepared while connecting is kept when nothing was acknowledged since.
      if (this.ready[s]?.after !== pos) delete this.ready[s];
    }
  }

  /**
   * Forgets the batches built ahead. A connection attempt builds them afresh: one kept across the
   * attempts of a long outage could hold records the log has shed since (a full disk).
   */
  dropPrepared(): void {
    for (const s of STREAMS) delete this.ready[s];
  }

  /** New records were logged. */
  notify(): void {
    this.exhausted.events = false;
    this.exhausted.telemetry = false;
  }

  /** Highest seq read into a batch so far (sent or about to be). */
  readPosition(stream: Stream): number {
    return this.readPos[stream];
  }

  /** Highest seq acknowledged on this connection (possibly not yet written to the log). */
  deliveredPosition(stream: Stream): number {
    return this.windows[stream].position;
  }

  /**
   * The next batch of about `maxBytes` on the wire (one record may exceed it: it goes alone), never
   * more than `hardMaxBytes` on the wire (the byte budget): when even that does not fit, nothing, and
   * `budgetBlocked` is set. `packetBytes` is the packet limit: no batch is larger on the wire; with
   * compression its JSON text may be larger than `maxBytes` by the compression ratio seen so far.
   */
  next(
    maxBytes: number,
    hardMaxBytes = Number.POSITIVE_INFINITY,
    packetBytes = maxBytes,
  ): Outgoing | undefined {
    this.budgetBlocked = false;
    for (const stream of STREAMS) {
      const built =
        this.take(stream, maxBytes, hardMaxBytes, packetBytes) ??
        (this.budgetBlocked ? undefined : this.build(stream, maxBytes, hardMaxBytes, packetBytes));
      if (built) return this.outgoing(stream, built);
      if (this.budgetBlocked) return undefined;
    }
    return undefined;
  }

  /**
   * Builds the batch `next` will hand out, ahead of time: while connecting, and while the window waits
   * for PUBACKs, so encoding overlaps the link carrying the batches before it. At most one batch per
   * call and one per stream; false when there is nothing (more) to prepare. Only for a log that encodes
   * batches itself: the record path keeps its read-ahead in `carry` instead.
   */
  prepare(maxBytes: number, packetBytes = maxBytes): boolean {
    if (!this.ctx.outbox.encodedBatch) return false;
    for (const stream of STREAMS) {
      if (this.ready[stream] || this.exhausted[stream] || this.carry[stream].length > 0) continue;
      const built = this.build(stream, maxBytes, Number.POSITIVE_INFINITY, packetBytes);
      if (built) {
        this.ready[stream] = built;
        return true;
      }
    }
    return false;
  }

  /** Writes acknowledged positions to the log now. */
  flush(): void {
    clearTimeout(this.markTimer);
    this.markTimer = undefined;
    for (const s of STREAMS) {
      const seq = this.unmarked[s];
      if (seq === undefined) continue;
      delete this.unmarked[s];
      this.safely(`mark ${s} sent`, () => this.ctx.outbox.markSent(s, seq));
    }
  }

  /** The prepared batch of `stream` if it is still current and fits; a stale or oversized one is dropped. */
  private take(
    stream: Stream,
    maxBytes: number,
    hardMaxBytes: number,
    packetBytes: number,
  ): Built | undefined {
    const r = this.ready[stream];
    if (!r) return undefined;
    if (r.after !== this.readPos[stream] || r.bytes > packetBytes || r.bytes > maxBytes * READY_SLACK) {
      delete this.ready[stream];
      return undefined;
    }
    if (r.bytes > hardMaxBytes) {
      this.budgetBlocked = true;
      return undefined;
    }
    delete this.ready[stream];
    return r;
  }

  private build(
    stream: Stream,
    maxBytes: number,
    hardMaxBytes: number,
    packetBytes: number,
  ): Built | undefined {
    if (this.exhausted[stream]) return undefined;
    const { codec, outbox } = this.ctx;
    const carry = this.carry[stream];
    const columns = outbox.readingColumns?.bind(outbox);
    if (carry.length === 0 && codec === 'columnar' && stream === 'telemetry' && columns) {
      return this.columnBatch(columns, maxBytes, hardMaxBytes, packetBytes);
    }
    const textLimit = codec === 'none' ? packetBytes : packetBytes * COMPRESSED_TEXT_FACTOR;
    const textMax = Math.max(1, Math.min(textLimit, Math.floor(maxBytes / this.ratio[stream])));
    const head = batchHead(this.ctx.pointId, outbox.epoch);
    // The store's own encoder when it has one; records left over from the record path go first.
    if (carry.length === 0 && outbox.encodedBatch) {
      return this.storeBatch(stream, head, textMax, hardMaxBytes, packetBytes);
    }
    // Here the text never exceeds the packet limit, so neither does the wire.
    const textBytes = Math.min(textMax, packetBytes);
    if (carry.length === 0) carry.push(...this.read(stream, this.readPos[stream]));
    if (carry.length === 0) {
      this.exhausted[stream] = true;
      return undefined;
    }
    const count = fitCount(head, carry, this.maxRecords, textBytes);
    const records = carry.slice(0, count);
    const text = batchBytes(head, records);
    // Without compression the size is known before the text is built.
    if (this.ctx.codec === 'none' && text > hardMaxBytes) {
      this.budgetBlocked = true;
      return undefined;
    }
    const wire = this.wire(stream, batchPayload(head, records), text);
    if (wire.length > hardMaxBytes) {
      this.budgetBlocked = true;
      return undefined;
    }
    carry.splice(0, count);
    const first = records[0]?.seq ?? 0;
    const last = records.at(-1)?.seq ?? 0;
    const after = this.readPos[stream];
    return { after, payload: wire.payload, bytes: wire.length, firstSeq: first, lastSeq: last, count };
  }

  /**
   * A columnar batch of readings built from the log's columns (no record JSON, no timestamp text):
   * sized from the wire bytes per reading seen so far, shrunk in proportion while over `packetBytes`.
   */
  private columnBatch(
    read: (afterSeq: number, limit: number) => ReadingColumns,
    maxBytes: number,
    hardMaxBytes: number,
    packetBytes: number,
  ): Built | undefined {
    const { pointId, outbox } = this.ctx;
    let limit = Math.max(1, Math.min(this.maxRecords, Math.floor(maxBytes / this.columnarRecordBytes)));
    for (;;) {
      const after = this.readPos.telemetry;
      const cols = this.safely('read the telemetry outbox', () => read(after, limit));
      if (!cols) return undefined;
      if (cols.count === 0) {
        this.exhausted.telemetry = true;
        return undefined;
      }
      const payload = this.safely('encode a columnar batch', () =>
        encodeColumnar({
          point: pointId,
          epoch: outbox.epoch,
          count: cols.count,
          keys: ['seq', 'ts', 'channel', 'value'],
          columns: [
            { ints: cols.seqs },
            { times: cols.times },
            { strings: cols.channels },
            { numbers: cols.values },
          ],
        }),
      );
      if (!payload) return undefined;
      // Only a full batch says what a reading costs: a short one is mostly the header.
      if (cols.count === limit) this.columnarRecordBytes = payload.length / cols.count;
      if (payload.length > packetBytes && cols.count > 1) {
        limit = fewerForPacket(cols.count, payload.length, packetBytes);
        continue;
      }
      if (payload.length > hardMaxBytes) {
        this.budgetBlocked = true;
        return undefined;
      }
      const { firstSeq, lastSeq, count } = cols;
      return { after, payload, bytes: payload.length, firstSeq, lastSeq, count };
    }
  }

  /** The wire payload of a batch's JSON text in the configured codec; learns the compression ratio. */
  private wire(
    stream: Stream,
    text: string | Buffer,
    textBytes: number,
  ): { payload: string | Buffer; length: number } {
    if (this.ctx.codec === 'none') return { payload: text, length: textBytes };
    const payload = encodeBatch(text, this.ctx.codec);
    this.ratio[stream] = payload.length / Math.max(1, textBytes);
    return { payload, length: payload.length };
  }

  /**
   * A batch encoded by the store: sized from the bytes per record seen so far, then shrunk in
   * proportion while its text exceeds `maxBytes` or its wire form `packetBytes` (one record always
   * goes, as on the record path).
   */
  private storeBatch(
    stream: Stream,
    head: string,
    maxBytes: number,
    hardMaxBytes: number,
    packetBytes: number,
  ): Built | undefined {
    const { outbox } = this.ctx;
    const { maxRecords } = this;
    const encoded = outbox.encodedBatch?.bind(outbox);
    if (!encoded) return undefined;
    const overhead = Buffer.byteLength(head) + BATCH_TAIL.length;
    // A little above the mean: values differ in length, and a batch a few bytes over means a second
    // statement (a quarter of all statements in the drain bench without it).
    // Before the first batch, a reading's usual size: asking for maxRecords (5000 when compressed) only
    // to cut the batch down to a few kB would build ~50 times the text needed.
    const perRecord = (this.recordBytes[stream] || GUESS_RECORD_BYTES) * FIT_MARGIN;
    let limit = fitByAverage(maxRecords, maxBytes - overhead, perRecord);
    for (;;) {
      const after = this.readPos[stream];
      const batch = this.safely(`read the ${stream} outbox`, () =>
        encoded(stream, after, limit, head, BATCH_TAIL),
      );
      if (!batch) return undefined;
      if (batch.count === 0) {
        this.exhausted[stream] = true;
        return undefined;
      }
      const bytes = batch.payload.length;
      this.recordBytes[stream] = (bytes - overhead - (batch.count - 1)) / batch.count;
      if (bytes > maxBytes && batch.count > 1) {
        limit = Math.max(
          1,
          Math.min(batch.count - 1, fitByAverage(batch.count, maxBytes - overhead, this.recordBytes[stream])),
        );
        continue;
      }
      const wire = this.wire(stream, batch.payload, bytes);
      if (wire.length > packetBytes && batch.count > 1) {
        limit = fewerForPacket(batch.count, wire.length, packetBytes);
        continue;
      }
      if (wire.length > hardMaxBytes) {
        this.budgetBlocked = true;
        return undefined;
      }
      const { firstSeq, lastSeq, count } = batch;
      return { after, payload: wire.payload, bytes: wire.length, firstSeq, lastSeq, count };
    }
  }

  /** Hands out a built batch: from here its records count as read and await their PUBACK. */
  private outgoing(stream: Stream, built: Built): Outgoing {
    const { payload, bytes, firstSeq, lastSeq, count } = built;
    const { outbox, pointId, topics } = this.ctx;
    this.readPos[stream] = lastSeq;
    const window = this.windows[stream];
    window.sent(lastSeq);
    const generation = this.generation;
    const out: Outgoing = {
      topic: topics[stream],
      payload,
      bytes,
      done: (err) => this.settled({ stream, window, generation, lastSeq, count }, err),
    };
    if (this.ctx.mqtt5()) {
      out.properties = {
        contentType: contentTypeOf(this.ctx.codec),
        userProperties: {
          point: pointId,
          epoch: outbox.epoch,
          stream,
          firstSeq: String(firstSeq),
          lastSeq: String(lastSeq),
        },
      };
    }
    return out;
  }

  private read(stream: Stream, after: number): EncodedRecord[] {
    const { outbox } = this.ctx;
    const { maxRecords } = this;
    const rows = this.safely(`read the ${stream} outbox`, () =>
      stream === 'events'
        ? outbox.eventsAfter(after, maxRecords).map((e) => encodeEvent(e, this.iso))
        : outbox.readingsAfter(after, maxRecords).map((r) => encodeReading(r, this.iso)),
    );
    return rows ?? [];
  }

  private settled(
    b: { stream: Stream; window: AckWindow; generation: number; lastSeq: number; count: number },
    err: Error | undefined,
  ): void {
    if (b.generation !== this.generation) return;
    if (!err) {
      this.ctx.onDelivered(b.count);
      if (b.window.acked(b.lastSeq)) this.scheduleMark(b.stream, b.window.position);
      // Caught up: the coalescing is for a drain in progress; its end is written at once (one commit).
      if (this.exhausted[b.stream] && b.window.inFlight === 0) this.flush();
      return;
    }
    // Lost with the connection: the next connection resends from the log's position.
    if (!this.ctx.linkUp()) return;
    b.window.failed(b.lastSeq);
    this.readPos[b.stream] = b.window.lastSent;
    this.carry[b.stream] = [];
    delete this.ready[b.stream];
    this.exhausted[b.stream] = false;
    this.ctx.onRefused(b.stream, err);
  }

  private scheduleMark(stream: Stream, seq: number): void {
    this.unmarked[stream] = seq;
    if (this.ctx.markIntervalMs <= 0) {
      this.flush();
      return;
    }
    this.markTimer ??= setTimeout(() => this.flush(), this.ctx.markIntervalMs);
  }

  /** A failing disk must not take the uplink down: report once, then quietly retry on the next call. */
  private safely<T>(what: string, fn: () => T): T | undefined {
    try {
      const value = fn();
      this.failing = false;
      return value;
    } catch (err) {
      const ctx = { error: errorMessage(err) };
      if (this.failing) this.ctx.logger.debug(`cannot ${what}`, ctx);
      else this.ctx.logger.error(`cannot ${what}`, ctx);
      this.failing = true;
      return undefined;
    }
  }
}
