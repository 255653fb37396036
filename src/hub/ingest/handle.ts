/**
 * One received message, start to commit: topic → decode → one storage transaction. Shared by the MQTT
 * ingest and `npm run bench:hub`, so the benchmark measures the code that runs.
 */
import type { HubStorage, IngestOutcome, IngestWork } from '../storage/types.js';
import { decodeMessage } from './decode.js';
import { parseHubTopic } from './topics.js';

export interface MessageSink {
  storage: HubStorage;
  topicPrefix: string;
  /** Hub clock: when the message arrived. */
  now: () => number;
}

export type Handled =
  | { kind: 'ignored' }
  | { kind: 'refused'; error: string }
  | { kind: 'stored'; outcome: IngestOutcome; work: IngestWork };

/** Resolves once committed (then it may be acknowledged); rejects when storage fails (then it must not). */
export async function ingestMessage(
  sink: MessageSink,
  topic: string,
  payload: Buffer,
  contentType: string | undefined,
): Promise<Handled> {
  const parsed = parseHubTopic(sink.topicPrefix, topic);
  if (!parsed) return { kind: 'ignored' };
  const decoded = decodeMessage(parsed, payload, contentType, sink.now());
  if (!decoded.ok) return { kind: 'refused', error: decoded.error };
  return { kind: 'stored', outcome: await sink.storage.commit(decoded.work), work: decoded.work };
}
