import { connectAsync, type MqttClient } from 'mqtt';
import { type BatchCodec, codecOf, decodeBatch } from '../../src/contract/batch-codec.js';

/**
 * A reference receiver of the municipality's side, written from docs/asyncapi.yaml: it drops duplicates
 * by (point, epoch, stream, seq), accepts `live` copies (alarms sent ahead of the backlog) out of order,
 * and checks that the ordered batches of each (point, epoch, stream) never skip a seq.
 */

export type StreamName = 'telemetry' | 'events';

interface Lane {
  /** Every seq up to here arrived. */
  contiguous: number;
  /** Seqs beyond `contiguous` seen in live copies only. */
  early: Set<number>;
  /** First-seen order of the ordered records. */
  order: number[];
  duplicates: number;
  live: number;
}

interface BatchMessage {
  point: string;
  epoch: string;
  live?: boolean;
  records: Array<Record<string, unknown>>;
}

export class ReferenceReceiver {
  /** Ordering violations: an ordered batch that skipped seqs. Must stay empty. */
  readonly problems: string[] = [];
  /** Messages per wire encoding, and their payload bytes. */
  readonly codecs = new Map<BatchCodec, { messages: number; bytes: number }>();
  private readonly lanes = new Map<string, Lane>();
  private readonly waiters = new Set<() => void>();

  constructor(private readonly firstSeq = 1) {}

  /**
   * Feeds one message from `{prefix}/{point}/telemetry|events` in any batch encoding; `contentType` is
   * the MQTT 5 content type when there is one (it must agree with the payload).
   */
  accept(topic: string, payload: Buffer | string, contentType?: string): void {
    const stream = topic.endsWith('/telemetry')
      ? 'telemetry'
      : topic.endsWith('/events')
        ? 'events'
        : undefined;
    if (!stream) return;
    const codec = codecOf(payload);
    const seen = this.codecs.get(codec) ?? { messages: 0, bytes: 0 };
    seen.messages += 1;
    seen.bytes += payload.length;
    this.codecs.set(codec, seen);
    const batch: BatchMessage = decodeBatch(payload, contentType);
    const lane = this.lane(batch.point, batch.epoch, stream);
    for (const { seq } of batch.records) {
      if (typeof seq !== 'number') {
        this.problems.push(`${batch.point}/${stream}: a record without a numeric seq`);
        continue;
      }
      this.record(lane, seq, batch.live === true, batch, stream);
    }
    for (const w of this.waiters) w();
  }

  /** Highest seq up to which everything arrived, for one point, epoch and stream. */
  contiguous(point: string, epoch: string, stream: StreamName): number {
    return this.lanes.get(key(point, epoch, stream))?.contiguous ?? this.firstSeq - 1;
  }

  /** The ordered records' seqs in the order they were first delivered. */
  order(point: string, epoch: string, stream: StreamName): number[] {
    return this.lanes.get(key(point, epoch, stream))?.order ?? [];
  }

  stats(point: string, epoch: string, stream: StreamName): { duplicates: number; live: number } {
    const lane = this.lanes.get(key(point, epoch, stream));
    return { duplicates: lane?.duplicates ?? 0, live: lane?.live ?? 0 };
  }

  /** Resolves when `contiguous(...)` reaches `seq`. */
  waitFor(point: string, epoch: string, stream: StreamName, seq: number, timeoutMs = 20_000): Promise<void> {
    if (this.contiguous(point, epoch, stream) >= seq) return Promise.resolve();
    return new Promise((resolve, reject) => {
      const check = (): void => {
        if (this.contiguous(point, epoch, stream) < seq) return;
        done();
        resolve();
      };
      const timer = setTimeout(() => {
        done();
        reject(
          new Error(
            `receiver: ${stream} of ${point} reached ${this.contiguous(point, epoch, stream)}, not ${seq}, in ${timeoutMs} ms`,
          ),
        );
      }, timeoutMs);
      const done = (): void => {
        clearTimeout(timer);
        this.waiters.delete(check);
      };
      this.waiters.add(check);
    });
  }

  private record(lane: Lane, seq: number, live: boolean, batch: BatchMessage, stream: string): void {
    if (seq <= lane.contiguous) {
      lane.duplicates += 1;
      return;
    }
    if (live) {
      if (lane.early.has(seq)) lane.duplicates += 1;
      lane.early.add(seq);
      lane.live += 1;
      return;
    }
    if (seq !== lane.contiguous + 1) {
      this.problems.push(
        `${batch.point}/${stream} epoch ${batch.epoch}: expected seq ${lane.contiguous + 1}, got ${seq}`,
      );
      return;
    }
    lane.contiguous = seq;
    lane.order.push(seq);
    // A live copy already counted this one; it is now in order too.
    lane.early.delete(seq);
  }

  private lane(point: string, epoch: string, stream: StreamName): Lane {
    const k = key(point, epoch, stream);
    let lane = this.lanes.get(k);
    if (!lane) {
      lane = { contiguous: this.firstSeq - 1, early: new Set(), order: [], duplicates: 0, live: 0 };
      this.lanes.set(k, lane);
    }
    return lane;
  }
}

function key(point: string, epoch: string, stream: string): string {
  return JSON.stringify([point, epoch, stream]);
}

/** A receiver subscribed (QoS 1, its own session) to every point's telemetry and events under `prefix`. */
export async function connectReceiver(
  url: string,
  prefix: string,
): Promise<{ receiver: ReferenceReceiver; client: MqttClient; close(): Promise<void> }> {
  const client = await connectAsync(url, { protocolVersion: 5, reconnectPeriod: 0, clean: true });
  const receiver = new ReferenceReceiver();
  client.on('message', (topic, payload, packet) => {
    try {
      receiver.accept(topic, payload, packet.properties?.contentType);
    } catch (err) {
      receiver.problems.push(`${topic}: ${(err as Error).message}`);
    }
  });
  await client.subscribeAsync([`${prefix}/+/telemetry`, `${prefix}/+/events`], { qos: 1 });
  return { receiver, client, close: () => client.endAsync(true) };
}
