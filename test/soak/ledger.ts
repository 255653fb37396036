import type { StreamName } from '../helpers/receiver.js';

/**
 * The soak's receiver: like test/helpers/receiver.ts it keys every record by (point, epoch, stream,
 * seq) and drops duplicates, but it accepts a skipped seq instead of stopping there, because a retention
 * or disk-full drop is allowed to skip (and must be explained by a `gap` event, which the end-of-run
 * check verifies against the log). Duplicates must carry the same content as the first copy.
 */

export interface ReceivedRecord {
  seq: number;
  /** The record without `seq`, serialised, to compare duplicates and the log. */
  body: string;
}

export interface Lane {
  point: string;
  epoch: string;
  stream: StreamName;
  /** First copy of every seq, ordered or live. */
  records: Map<number, string>;
  /** Seqs whose first ordered (non-live) copy arrived, in arrival order. */
  ordered: number[];
  orderedSeen: Set<number>;
  duplicates: number;
  live: number;
  /** An ordered record arrived after a higher one: must stay empty. */
  outOfOrder: string[];
  /** A duplicate whose content differs from the first copy: must stay empty. */
  conflicts: string[];
}

interface Batch {
  point: string;
  epoch: string;
  live?: boolean;
  records: Array<Record<string, unknown> & { seq: number }>;
}

export class SoakLedger {
  readonly lanes = new Map<string, Lane>();
  messages = 0;

  accept(topic: string, payload: Buffer | string): void {
    const stream: StreamName | undefined = topic.endsWith('/telemetry')
      ? 'telemetry'
      : topic.endsWith('/events')
        ? 'events'
        : undefined;
    if (!stream) return;
    this.messages += 1;
    const batch = JSON.parse(payload.toString()) as Batch;
    const lane = this.lane(batch.point, batch.epoch, stream);
    const live = batch.live === true;
    for (const r of batch.records) this.record(lane, r, live);
  }

  lane(point: string, epoch: string, stream: StreamName): Lane {
    const k = JSON.stringify([point, epoch, stream]);
    let lane = this.lanes.get(k);
    if (!lane) {
      lane = {
        point,
        epoch,
        stream,
        records: new Map(),
        ordered: [],
        orderedSeen: new Set(),
        duplicates: 0,
        live: 0,
        outOfOrder: [],
        conflicts: [],
      };
      this.lanes.set(k, lane);
    }
    return lane;
  }

  private record(lane: Lane, r: Record<string, unknown> & { seq: number }, live: boolean): void {
    const { seq, ...rest } = r;
    const body = JSON.stringify(rest);
    const first = lane.records.get(seq);
    if (first === undefined) lane.records.set(seq, body);
    else if (first !== body) lane.conflicts.push(`seq ${seq}: ${first} then ${body}`);
    if (live) {
      lane.live += 1;
      return;
    }
    if (lane.orderedSeen.has(seq)) {
      lane.duplicates += 1;
      return;
    }
    const last = lane.ordered.at(-1);
    if (last !== undefined && seq < last) lane.outOfOrder.push(`seq ${seq} after ${last}`);
    lane.ordered.push(seq);
    lane.orderedSeen.add(seq);
  }
}
