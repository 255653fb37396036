import { connect, type IClientOptions, type IClientPublishOptions, type MqttClient } from 'mqtt';
import type { Clock } from '../core/clock.js';
import type { LoggedEvent } from '../core/events.js';
import type { Logger } from '../core/logger.js';
import type { LoggedReading } from '../core/readings.js';
import type { OutboxSource, Stream } from '../store/types.js';
import { type PointTopics, pointTopics } from './topics.js';
import type { Uplink, UplinkState } from './types.js';

export interface MqttUplinkOptions {
  /** mqtt://, mqtts://, ws:// or wss:// broker URL. */
  url: string;
  topicPrefix: string;
  pointId: string;
  /** Default `pima-kiosk-{pointId}`. */
  clientId?: string;
  keepaliveSec: number;
  /** Reconnect delays grow from this, doubling per failed attempt, up to `reconnectMaxMs` (full jitter). */
  reconnectMinMs: number;
  reconnectMaxMs: number;
  /** Records per telemetry/events message. */
  batchMaxRecords: number;
  /** MQTT 5 message expiry of the retained status, so a stale one is never shown as current. Default 180. */
  statusExpirySec?: number;
  /** One connection attempt (TCP, TLS, CONNACK) is abandoned after this. Default 30 000. */
  connectTimeoutMs?: number;
  /** stop() waits at most this long for the goodbye PUBACK, and again for the disconnect. Default 1000. */
  stopTimeoutMs?: number;
  outbox: OutboxSource;
  /** Timestamps only: reconnect delays run on real time, the service clock may be simulated. */
  clock: Clock;
  logger: Logger;
  /** For the reconnect jitter; default Math.random. */
  random?: () => number;
}

type LinkState = 'idle' | 'connecting' | 'connected' | 'offline' | 'stopped';

/** One mqtt.js client = one network connection; a reconnect builds a fresh one so no stale queue replays. */
interface Session {
  readonly client: MqttClient;
  connected: boolean;
  readonly inFlight: Record<Stream, boolean>;
  statusInFlight: boolean;
  /** Set while the drain waits after the broker refused a batch. */
  hold: ReturnType<typeof setTimeout> | undefined;
  refusals: number;
}

interface Batch {
  payload: string;
  lastSeq: number;
  count: number;
}

/** Full jitter: uniform in [0, min(max, min·2^failures)). */
export function backoffDelay(failures: number, minMs: number, maxMs: number, random: () => number): number {
  const ceiling = Math.min(maxMs, minMs * 2 ** Math.min(failures, 30));
  return Math.floor(Math.min(Math.max(random(), 0), 1) * ceiling);
}

/**
 * The MQTT session of CONTRACT.md §5: online/last will, retained status, and the outbox drained in `seq`
 * order with at-least-once delivery (a record is marked sent only in its PUBACK callback).
 */
export class MqttUplink implements Uplink {
  private readonly topics: PointTopics;
  private readonly random: () => number;
  private readonly logUrl: string;
  private session: Session | undefined;
  private retryTimer: ReturnType<typeof setTimeout> | undefined;
  private failures = 0;
  private lastConnectedAt: number | null = null;
  private lastError: unknown;
  private link: LinkState = 'idle';
  private warned = false;
  private outboxFailing = false;
  private status: string | undefined;
  private statusPending = false;
  private stopping: Promise<void> | undefined;

  constructor(private readonly opts: MqttUplinkOptions) {
    this.topics = pointTopics(opts.topicPrefix, opts.pointId);
    this.random = opts.random ?? Math.random;
    this.logUrl = redactUrl(opts.url);
  }

  /** Returns once the first attempt is under way; never throws for an unreachable broker. */
  async start(): Promise<void> {
    if (this.stopping || this.link !== 'idle') return;
    this.setLink('connecting');
    this.opts.logger.info('connecting', { url: this.logUrl });
    this.open();
  }

  stop(): Promise<void> {
    this.stopping ??= this.shutdown();
    return this.stopping;
  }

  notifyLogged(): void {
    this.drain();
  }

  publishStatus(status: Record<string, unknown>): void {
    try {
      this.status = stringify(status);
    } catch (err) {
      this.opts.logger.error('status is not serialisable; not published', describeError(err));
      return;
    }
    this.statusPending = true;
    if (this.session) this.flushStatus(this.session);
  }

  state(): UplinkState {
    return { connected: this.session?.connected ?? false, lastConnectedAt: this.lastConnectedAt };
  }

  private open(): void {
    this.retryTimer = undefined;
    let client: MqttClient;
    try {
      client = connect(this.opts.url, this.clientOptions());
    } catch (err) {
      this.lastError = err;
      this.scheduleRetry(false);
      return;
    }
    const s: Session = {
      client,
      connected: false,
      inFlight: { events: false, telemetry: false },
      statusInFlight: false,
      hold: undefined,
      refusals: 0,
    };
    this.session = s;
    client.on('connect', () => this.onConnect(s));
    client.on('close', () => this.onClose(s));
    client.on('error', (err) => this.onError(s, err));
    // The broker says why it is closing (session taken over, shutting down, ...): keep it for the warning.
    client.on('disconnect', (packet) => {
      const why = packet.properties?.reasonString ?? `reason code ${packet.reasonCode ?? 0}`;
      this.lastError = new Error(`broker disconnected us: ${why}`);
    });
  }

  private clientOptions(): IClientOptions {
    const { opts } = this;
    return {
      protocolVersion: 5,
      clean: true,
      reconnectPeriod: 0,
      queueQoSZero: false,
      keepalive: opts.keepaliveSec,
      connectTimeout: opts.connectTimeoutMs ?? 30_000,
      clientId: opts.clientId ?? `pima-kiosk-${opts.pointId}`,
      will: {
        topic: this.topics.online,
        payload: Buffer.from(JSON.stringify({ online: false, ts: this.iso(), reason: 'lost' })),
        qos: 1,
        retain: true,
      },
    };
  }

  /** Live first (CONTRACT.md §5): online, then the current status, then the backlog. */
  private onConnect(s: Session): void {
    if (s !== this.session || this.stopping) return;
    s.connected = true;
    this.lastConnectedAt = this.opts.clock.now();
    this.setLink('connected');
    this.opts.logger.info('connected', { url: this.logUrl, failedAttempts: this.failures });
    this.failures = 0;
    const online = JSON.stringify({ online: true, ts: this.iso(), epoch: this.opts.outbox.epoch });
    s.client.publish(this.topics.online, online, { qos: 1, retain: true }, (err) => {
      if (err) this.opts.logger.debug('online message not acknowledged', describeError(err));
    });
    this.statusPending = this.status !== undefined;
    this.flushStatus(s);
    this.drain();
  }

  private onError(s: Session, err: unknown): void {
    this.lastError = err;
    const ctx = { url: this.logUrl, ...describeError(err) };
    // While connecting, the warning comes with the state change in scheduleRetry, once.
    if (s === this.session && s.connected) this.warnOnce('client error', ctx);
    else this.opts.logger.debug('client error', ctx);
  }

  private onClose(s: Session): void {
    if (s !== this.session) return;
    this.session = undefined;
    const wasConnected = s.connected;
    s.connected = false;
    clearTimeout(s.hold);
    // Forced end fails the callbacks of publishes still awaiting a PUBACK: their records stay unsent.
    s.client.end(true);
    if (this.stopping) return;
    this.scheduleRetry(wasConnected);
  }

  private scheduleRetry(wasConnected: boolean): void {
    const { reconnectMinMs, reconnectMaxMs, logger } = this.opts;
    const retryInMs = backoffDelay(this.failures, reconnectMinMs, reconnectMaxMs, this.random);
    this.failures += 1;
    const ctx = { url: this.logUrl, ...describeError(this.lastError), retryInMs };
    this.lastError = undefined;
    if (wasConnected) {
      this.setLink('offline');
      logger.warn('connection to broker lost; records stay in the log until it is back', ctx);
    } else if (this.link === 'connecting') {
      this.setLink('offline');
      logger.warn('cannot connect to broker; retrying with backoff', ctx);
    } else {
      logger.debug('reconnect attempt failed', { ...ctx, failedAttempts: this.failures });
    }
    this.retryTimer = setTimeout(() => this.open(), retryInMs);
  }

  private flushStatus(s: Session): void {
    const { status } = this;
    if (!s.connected || this.stopping || s.statusInFlight || !this.statusPending || status === undefined)
      return;
    this.statusPending = false;
    s.statusInFlight = true;
    const options: IClientPublishOptions = {
      qos: 1,
      retain: true,
      properties: { messageExpiryInterval: this.opts.statusExpirySec ?? 180 },
    };
    s.client.publish(this.topics.status, status, options, (err) => {
      s.statusInFlight = false;
      // A failed one is not retried here: every (re)connect republishes the latest status.
      if (err) this.opts.logger.debug('status not acknowledged', describeError(err));
      else this.flushStatus(s);
    });
  }

  /** Events go first: telemetry waits until every logged event is acknowledged. */
  private drain(): void {
    const s = this.session;
    if (!s?.connected || this.stopping || s.hold || s.inFlight.events) return;
    if (this.sendBatch(s, 'events')) return;
    if (!s.inFlight.telemetry) this.sendBatch(s, 'telemetry');
  }

  private sendBatch(s: Session, stream: Stream): boolean {
    const batch = this.readBatch(stream);
    if (!batch) return false;
    s.inFlight[stream] = true;
    s.client.publish(this.topics[stream], batch.payload, { qos: 1 }, (err) => {
      s.inFlight[stream] = false;
      if (err) this.onBatchFailed(s, stream, batch, err);
      else this.onBatchAcked(s, stream, batch);
    });
    return true;
  }

  private readBatch(stream: Stream): Batch | undefined {
    const { outbox, batchMaxRecords, pointId } = this.opts;
    try {
      const after = outbox.sentPosition(stream);
      const records =
        stream === 'events'
          ? outbox.eventsAfter(after, batchMaxRecords).map(eventRecord)
          : outbox.readingsAfter(after, batchMaxRecords).map(readingRecord);
      this.outboxFailing = false;
      const last = records.at(-1);
      if (!last) return undefined;
      const payload = stringify({ point: pointId, epoch: outbox.epoch, records });
      return { payload, lastSeq: last.seq, count: records.length };
    } catch (err) {
      this.reportOutboxError(`cannot read the ${stream} outbox`, err);
      return undefined;
    }
  }

  private onBatchAcked(s: Session, stream: Stream, batch: Batch): void {
    s.refusals = 0;
    try {
      this.opts.outbox.markSent(stream, batch.lastSeq);
    } catch (err) {
      this.reportOutboxError(`cannot mark ${stream} sent`, err);
      return;
    }
    this.opts.logger.debug('batch acknowledged', { stream, lastSeq: batch.lastSeq, records: batch.count });
    this.drain();
  }

  private onBatchFailed(s: Session, stream: Stream, batch: Batch, err: Error): void {
    const ctx = { stream, lastSeq: batch.lastSeq, ...describeError(err) };
    if (!s.connected || s !== this.session) {
      this.opts.logger.debug('batch not acknowledged; it is resent after reconnect', ctx);
      return;
    }
    // The broker answered with an error reason code: back off instead of resending in a tight loop.
    const { reconnectMinMs, reconnectMaxMs } = this.opts;
    const retryInMs = backoffDelay(s.refusals, reconnectMinMs, reconnectMaxMs, this.random);
    s.refusals += 1;
    this.warnOnce('broker refused a batch; retrying', { ...ctx, retryInMs });
    clearTimeout(s.hold);
    s.hold = setTimeout(() => {
      s.hold = undefined;
      this.drain();
    }, retryInMs);
  }

  private async shutdown(): Promise<void> {
    clearTimeout(this.retryTimer);
    this.retryTimer = undefined;
    this.setLink('stopped');
    const s = this.session;
    if (!s) return;
    clearTimeout(s.hold);
    if (s.connected) await this.sayGoodbye(s);
    await this.endClient(s);
    this.session = undefined;
    this.opts.logger.info('disconnected', { url: this.logUrl });
  }

  private async sayGoodbye(s: Session): Promise<void> {
    const payload = JSON.stringify({ online: false, ts: this.iso(), reason: 'stopped' });
    const acked = new Promise<void>((resolve) => {
      s.client.publish(this.topics.online, payload, { qos: 1, retain: true }, (err) => {
        if (err) this.opts.logger.debug('offline message not acknowledged', describeError(err));
        resolve();
      });
    });
    if (!(await withTimeout(acked, this.stopTimeoutMs()))) {
      this.opts.logger.warn('broker did not acknowledge the offline message in time');
    }
  }

  /** A clean DISCONNECT (the broker then drops the last will); the socket is destroyed if that stalls. */
  private async endClient(s: Session): Promise<void> {
    const ended = new Promise<void>((resolve) => s.client.end(!s.connected, {}, () => resolve()));
    if (await withTimeout(ended, this.stopTimeoutMs())) return;
    this.opts.logger.warn('broker did not confirm the disconnect in time; closing the socket');
    // mqtt.js may never call back now (it waits for PUBACKs that cannot come): do not wait again.
    s.client.stream.destroy();
  }

  private stopTimeoutMs(): number {
    return this.opts.stopTimeoutMs ?? 1000;
  }

  private setLink(state: LinkState): void {
    if (state === this.link) return;
    this.link = state;
    this.warned = false;
  }

  /** At most one warning per link state; repeats go to debug. */
  private warnOnce(msg: string, ctx: Record<string, unknown>): void {
    if (this.warned) {
      this.opts.logger.debug(msg, ctx);
      return;
    }
    this.warned = true;
    this.opts.logger.warn(msg, ctx);
  }

  private reportOutboxError(msg: string, err: unknown): void {
    const ctx = describeError(err);
    if (this.outboxFailing) this.opts.logger.debug(msg, ctx);
    else this.opts.logger.error(msg, ctx);
    this.outboxFailing = true;
  }

  private iso(): string {
    return new Date(this.opts.clock.now()).toISOString();
  }
}

function readingRecord(r: LoggedReading): { seq: number; ts: string; channel: string; value: number | null } {
  return { seq: r.seq, ts: new Date(r.ts).toISOString(), channel: r.channel, value: r.value };
}

/** `data` stays nested so an event's own fields can never be overwritten by it. */
function eventRecord(e: LoggedEvent): Record<string, unknown> & { seq: number } {
  const record: Record<string, unknown> & { seq: number } = {
    seq: e.seq,
    ts: new Date(e.ts).toISOString(),
    type: e.type,
    level: e.level,
    message: e.message,
  };
  if (e.data !== undefined) record.data = e.data;
  return record;
}

/** JSON that survives a bigint from the store instead of throwing inside an MQTT callback. */
function stringify(value: unknown): string {
  return JSON.stringify(value, (_key, v: unknown) => {
    if (typeof v !== 'bigint') return v;
    return v >= Number.MIN_SAFE_INTEGER && v <= Number.MAX_SAFE_INTEGER ? Number(v) : v.toString();
  });
}

/** Resolves true if `promise` settled in time; the timer never outlives the wait. */
async function withTimeout(promise: Promise<void>, ms: number): Promise<boolean> {
  let timer: ReturnType<typeof setTimeout> | undefined;
  const timeout = new Promise<boolean>((resolve) => {
    timer = setTimeout(() => resolve(false), ms);
  });
  try {
    return await Promise.race([promise.then(() => true), timeout]);
  } finally {
    clearTimeout(timer);
  }
}

function describeError(err: unknown): { error?: string; code?: string } {
  if (err === undefined) return {};
  if (!(err instanceof Error)) return { error: String(err) };
  const raw: unknown = 'code' in err ? err.code : undefined;
  const code = typeof raw === 'string' || typeof raw === 'number' ? String(raw) : undefined;
  // Node's AggregateError for ECONNREFUSED on a dual-stack host has an empty message.
  return { error: err.message || code || err.name, code };
}

function redactUrl(url: string): string {
  try {
    const parsed = new URL(url);
    if (parsed.password) parsed.password = '***';
    return parsed.toString();
  } catch {
    return url;
  }
}
