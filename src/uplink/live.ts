import type { LoggedEvent } from '../core/events.js';
import type { EventQuery } from '../store/types.js';
import { batchHead, batchPayload, encodeEvent, IsoFormatter } from './encode.js';
import type { LiveMessage } from './sender.js';
import type { PointTopics } from './topics.js';

/** At most this many alarms go ahead of the backlog after a reconnect: the newest ones. */
export const MAX_LIVE_ALARMS = 20;
const PAGE = 500;

export interface AlarmSource {
  queryEvents(q: EventQuery): LoggedEvent[];
}

/** The newest MAX_LIVE_ALARMS events of level alarm or critical with seq > `afterSeq`, in seq order. */
export function unsentAlarms(source: AlarmSource, afterSeq: number): LoggedEvent[] {
  const out: LoggedEvent[] = [];
  let pos = afterSeq;
  for (;;) {
    const page = source.queryEvents({ afterSeq: pos, minLevel: 'alarm', limit: PAGE });
    out.push(...page);
    if (out.length > MAX_LIVE_ALARMS) out.splice(0, out.length - MAX_LIVE_ALARMS);
    const last = page.at(-1);
    if (!last || page.length < PAGE) return out;
    pos = last.seq;
  }
}

/**
 * A copy of unsent alarms on `events`, flagged `"live": true`, sent ahead of the backlog. The same
 * records follow again in seq order with the backlog; receivers drop the copy by its dedup key.
 */
export function liveAlarmMessage(
  topics: PointTopics,
  point: string,
  epoch: string,
  alarms: readonly LoggedEvent[],
): LiveMessage {
  const iso = new IsoFormatter();
  const payload = batchPayload(
    batchHead(point, epoch, true),
    alarms.map((e) => encodeEvent(e, iso)),
  );
  return { topic: topics.events, payload, bytes: Buffer.byteLength(payload) };
}

export function jsonMessage(topic: string, body: unknown, retain = false): LiveMessage {
  const payload = JSON.stringify(body);
  return { topic, payload, retain, bytes: Buffer.byteLength(payload) };
}
