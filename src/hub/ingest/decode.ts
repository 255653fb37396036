/**
 * One received message to the work it means for storage, or the reason it is refused. Pure: the
 * contract's schemas and codec decide what is valid; nothing here touches MQTT or the database.
 */
import { z } from 'zod';
import { BatchDecodeError, decodeBatch } from '../../contract/batch-codec.js';
import { CommandResult } from '../../contract/commands.js';
import { InfoMessage } from '../../contract/info.js';
import { OnlineMessage } from '../../contract/online.js';
import { EventRecord, TelemetryRecord } from '../../contract/records.js';
import { StatusMessage } from '../../contract/status.js';
import { emptyWork, type IngestWork } from '../storage/types.js';
import type { HubTopic } from './topics.js';

export type Decoded = { ok: true; work: IngestWork } | { ok: false; error: string };

const TelemetryRecords = z.array(TelemetryRecord);
const EventRecords = z.array(EventRecord);

export function decodeMessage(
  topic: HubTopic,
  payload: Buffer,
  contentType: string | undefined,
  receivedAt: number,
): Decoded {
  // A retained message being cleared arrives empty: nothing to store.
  if (payload.length === 0) return { ok: true, work: emptyWork() };
  try {
    switch (topic.kind) {
      case 'telemetry':
      case 'events':
        return decodeRecords(topic, payload, contentType);
      case 'status':
        return decodeStatus(topic, payload, receivedAt);
      case 'online':
        return decodeOnline(topic, payload, receivedAt);
      case 'info':
        return decodeInfo(topic, payload, receivedAt);
      case 'result':
        return decodeResult(topic, payload, receivedAt);
    }
  } catch (err) {
    if (err instanceof BatchDecodeError) return { ok: false, error: err.message };
    throw err;
  }
}

function decodeRecords(topic: HubTopic, payload: Buffer, contentType: string | undefined): Decoded {
  const batch = decodeBatch(payload, contentType);
  if (batch.point !== topic.point) {
    return { ok: false, error: `batch names point ${JSON.stringify(batch.point)} on ${topic.point}'s topic` };
  }
  const work = emptyWork();
  const { point, epoch } = batch;
  if (topic.kind === 'telemetry') {
    const parsed = TelemetryRecords.safeParse(batch.records);
    if (!parsed.success) return { ok: false, error: issues(parsed.error) };
    const records = parsed.data.map((r) => ({
      seq: r.seq,
      ts: Date.parse(r.ts),
      channel: r.channel,
      value: r.value,
    }));
    work.batches.push({ point, epoch, stream: 'telemetry', records });
  } else {
    const parsed = EventRecords.safeParse(batch.records);
    if (!parsed.success) return { ok: false, error: issues(parsed.error) };
    const records = parsed.data.map((r) => ({
      seq: r.seq,
      ts: Date.parse(r.ts),
      type: r.type,
      level: r.level,
      message: r.message,
      data: r.data === undefined ? null : JSON.stringify(r.data),
    }));
    work.batches.push({ point, epoch, stream: 'events', records });
  }
  return { ok: true, work };
}

function decodeStatus(topic: HubTopic, payload: Buffer, receivedAt: number): Decoded {
  const text = payload.toString('utf8');
  const parsed = StatusMessage.safeParse(parseJson(text));
  if (!parsed.success) return { ok: false, error: issues(parsed.error) };
  const s = parsed.data;
  const work = emptyWork();
  // The text as it came: fields a newer point adds are kept for the dashboard.
  work.statuses.push({
    point: topic.point,
    epoch: s.epoch,
    ts: Date.parse(s.ts),
    receivedAt,
    state: s.status,
    body: text,
    backlogRecords: s.uplink.backlog.telemetry + s.uplink.backlog.events,
  });
  return { ok: true, work };
}

function decodeOnline(topic: HubTopic, payload: Buffer, receivedAt: number): Decoded {
  const parsed = OnlineMessage.safeParse(parseJson(payload.toString('utf8')));
  if (!parsed.success) return { ok: false, error: issues(parsed.error) };
  const o = parsed.data;
  const work = emptyWork();
  work.onlines.push({
    point: topic.point,
    online: o.online,
    ts: Date.parse(o.ts),
    receivedAt,
    reason: o.reason ?? null,
    epoch: o.epoch ?? null,
  });
  return { ok: true, work };
}

function decodeInfo(topic: HubTopic, payload: Buffer, receivedAt: number): Decoded {
  const text = payload.toString('utf8');
  const parsed = InfoMessage.safeParse(parseJson(text));
  if (!parsed.success) return { ok: false, error: issues(parsed.error) };
  const work = emptyWork();
  work.infos.push({ point: topic.point, ts: Date.parse(parsed.data.ts), receivedAt, body: text });
  return { ok: true, work };
}

function decodeResult(topic: HubTopic, payload: Buffer, receivedAt: number): Decoded {
  const text = payload.toString('utf8');
  const parsed = CommandResult.safeParse(parseJson(text));
  if (!parsed.success) return { ok: false, error: issues(parsed.error) };
  const work = emptyWork();
  work.results.push({
    point: topic.point,
    name: topic.command ?? '',
    id: parsed.data.id ?? null,
    receivedAt,
    body: text,
  });
  return { ok: true, work };
}

function parseJson(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch (err) {
    throw new BatchDecodeError(`not JSON: ${(err as Error).message}`);
  }
}

function issues(error: z.ZodError): string {
  const first = error.issues.slice(0, 3).map((i) => `${i.path.join('.') || '(payload)'}: ${i.message}`);
  const more = error.issues.length > 3 ? `; and ${error.issues.length - 3} more` : '';
  return `${first.join('; ')}${more}`;
}
