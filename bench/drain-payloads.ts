/**
 * The very payloads the point's drain sends for a whole log, built ahead and untimed: what the benches'
 * raw mqtt.js baseline publishes, so both sides carry the same bytes.
 */
import type { BatchCodec } from '../src/contract/batch-codec.js';
import { LineLogger } from '../src/core/logger.js';
import type { SqliteLog } from '../src/store/sqlite-log.js';
import { Drain } from '../src/uplink/drain.js';
import { pointTopics } from '../src/uplink/topics.js';

const PACKET_BYTES = 65_536;

export function drainPayloads(
  log: SqliteLog,
  /** `topicId`: the topics' point level, when the payloads go elsewhere than the point's own (default pointId). */
  o: { prefix: string; pointId: string; topicId?: string; maxRecords: number; codec: BatchCodec },
): Array<string | Buffer> {
  const drain = new Drain({
    outbox: log,
    pointId: o.pointId,
    topics: pointTopics(o.prefix, o.topicId ?? o.pointId),
    maxRecords: o.maxRecords,
    codec: o.codec,
    markIntervalMs: 0,
    logger: new LineLogger(() => undefined, 'error'),
    mqtt5: () => false,
    linkUp: () => true,
    onDelivered: () => undefined,
    onRefused: () => undefined,
  });
  drain.reset();
  const out: Array<string | Buffer> = [];
  for (let b = drain.next(PACKET_BYTES); b; b = drain.next(PACKET_BYTES)) out.push(b.payload);
  return out;
}
