import { performance } from 'node:perf_hooks';
import { connect, type IClientPublishOptions, type IConnackPacket, type MqttClient } from 'mqtt';
import type { Clock } from '../core/clock.js';
import type { Logger } from '../core/logger.js';
import type { LogStore, OutboxSource, Stream } from '../store/types.js';
import { backoffDelay } from './backoff.js';
import { type CommandHost, type CommandLimits, Commands } from './commands.js';
import { discoveryMessages } from './discovery.js';
import { Drain, STREAMS } from './drain.js';
import { stringify } from './encode.js';
import { jsonMessage, liveAlarmMessage, unsentAlarms } from './live.js';
import { etaSeconds, RateMeter } from './rate-meter.js';
import type { UplinkSecurity } from './security.js';
import { type LiveMessage, type Outgoing, Sender } from './sender.js';
import {
  type BrokerLimits,
  brokerLimits,
  clientOptions,
  describeError,
  type ProtocolVersion,
  redactUrl,
  refusedProtocol,
  withTimeout,
} from './session.js';
import { TokenBucket } from './token-bucket.js';
import { type PointTopics, pointTopics } from './topics.js';
import type { Uplink, UplinkHeartbeat, UplinkState } from './types.js';

export { backoffDelay } from './backoff.js';

/** The outbox plus the alarm query that lets unsent alarms go ahead of the backlog. */
export type UplinkStore = OutboxSource & Pick<LogStore, 'queryEvents'>;

export interface MqttUplinkOptions {
  /** mqtt://, mqtts://, ws:// or wss:// broker URL. */
  url: string;
  topicPrefix: string;
  pointId: string;
  /** For Home Assistant discovery. Default: the point id. */
  pointName?: string;
  /** Default `pima-kiosk-{pointId}`. */
  clientId?: string;
  keepaliveSec: number;
  /** Reconnect delays grow from this, doubling per failed attempt, up to `reconnectMaxMs` (full jitter). */
  reconnectMinMs: number;
  reconnectMaxMs: number;
  /** Records per telemetry/events message. */
  batchMaxRecords: number;
  /** Bytes per telemetry/events message (also capped by the broker's maximum packet size). Default 65 536. */
  batchMaxBytes?: number;
  /** QoS 1 messages awaiting PUBACK at once (capped by the broker's receive maximum). Default 16. */
  inFlightMax?: number;
  /** Bytes awaiting PUBACK at once: bounds memory and how long a live message queues behind history. Default 262 144. */
  inFlightMaxBytes?: number;
  /** The backlog starts a random 0..this ms after connecting (live messages at once). Default 0. */
  drainStartJitterMs?: number;
  /** Metered links: bytes published per hour; the backlog waits when spent, live messages never. */
  byteBudgetPerHour?: number;
  /** MQTT 5 message expiry of the retained status, so a stale one is never shown as current. Default 180. */
  statusExpirySec?: number;
  /** One connection attempt (TCP, TLS, CONNACK) is abandoned after this. Default 30 000. */
  connectTimeoutMs?: number;
  /** stop() waits at most this long for the goodbye PUBACK, and again for the disconnect. Default 1000. */
  stopTimeoutMs?: number;
  /** Acknowledged positions are written to the log at most this often. Default 250. */
  markIntervalMs?: number;
  security?: UplinkSecurity;
  /** `cmd/{name}` handling; without it commands are not subscribed. */
  commands?: { host: CommandHost; limits: CommandLimits };
  /** Home Assistant discovery, opt-in. */
  homeAssistant?: { discoveryPrefix: string };
  outbox: UplinkStore;
  /** Timestamps only: delays run on real time, the service clock may be simulated. */
  clock: Clock;
  logger: Logger;
  /** For the reconnect jitter and drain start; default Math.random. */
  random?: () => number;
  /** Real monotonic ms for rates and budgets; default performance.now. */
  monotonic?: () => number;
}

type LinkState = 'idle' | 'connecting' | 'connected' | 'offline' | 'stopped';

/** One mqtt.js client = one network connection; a reconnect builds a fresh one so no stale queue replays. */
interface Session {
  readonly client: MqttClient;
  readonly version: ProtocolVersion;
  connected: boolean;
  limits: BrokerLimits;
  sender: Sender | undefined;
  /** Monotonic ms before which the backlog waits (randomised start, refusal hold). */
  backlogFrom: number;
  refusals: number;
  wake: ReturnType<typeof setTimeout> | undefined;
}

const SW_VERSION = '0.1.0';

/**
 * The MQTT uplink of CONTRACT.md §5: online with last will, live first (status, alarms) after every
 * connect, the log's outbox drained through a bounded window, commands, Home Assistant discovery.
 */
export class MqttUplink implements Uplink {
  private readonly topics: PointTopics;
  private readonly random: () => number;
  private readonly mono: () => number;
  private readonly logUrl: string;
  private readonly drain: Drain;
  private readonly meter = new RateMeter();
  private readonly commands: Commands | undefined;
  private budget: TokenBucket | undefined;
  private session: Session | undefined;
  private version: ProtocolVersion = 5;
  private lastVersion: ProtocolVersion | undefined;
  private retryTimer: ReturnType<typeof setTimeout> | undefined;
  private failures = 0;
  private lastConnectedAt: number | null = null;
  private lastError: unknown;
  private fallBack = false;
  private link: LinkState = 'idle';
  private warned = false;
  private status: { text: string; object: Record<string, unknown> } | undefined;
  private liveAlarmPos = 0;
  private stopping: Promise<void> | undefined;

  constructor(private readonly opts: MqttUplinkOptions) {
    this.topics = pointTopics(opts.topicPrefix, opts.pointId);
    this.random = opts.random ?? Math.random;
    this.mono = opts.monotonic ?? (() => performance.now());
    this.logUrl = redactUrl(opts.url);
    this.drain = new Drain({
      outbox: opts.outbox,
      pointId: opts.pointId,
      topics: this.topics,
      maxRecords: opts.batchMaxRecords,
      markIntervalMs: opts.markIntervalMs ?? 250,
      logger: opts.logger,
      mqtt5: () => this.session?.version === 5,
      linkUp: () => this.session?.connected === true,
      onDelivered: (n) => this.meter.add(n, this.mono()),
      onRefused: (stream, err) => this.onRefused(stream, err),
    });
    const c = opts.commands;
    if (c) {
      this.commands = new Commands({
        host: c.host,
        limits: c.limits,
        reply: (name, body, corr) => this.reply(name, body, corr),
        status: () => this.status?.object,
        maxReplyBytes: () => Math.min(65_536, this.session?.limits.maximumPacketSize ?? 65_536),
        clock: opts.clock,
        monotonic: this.mono,
        logger: opts.logger.child('commands'),
      });
    }
  }

  /** Returns once the first attempt is under way; never throws for an unreachable broker. */
  async start(): Promise<void> {
    if (this.stopping || this.link !== 'idle') return;
    if (this.opts.byteBudgetPerHour !== undefined) {
      this.budget = new TokenBucket(this.opts.byteBudgetPerHour, 3_600_000, this.mono());
    }
    this.setLink('connecting');
    this.opts.logger.info('connecting', { url: this.logUrl });
    this.open();
  }

  stop(): Promise<void> {
    this.stopping ??= this.shutdown();
    return this.stopping;
  }

  notifyLogged(): void {
    this.drain.notify();
    const s = this.session;
    if (!s?.connected || this.stopping) return;
    s.sender?.pump();
    this.sendLiveAlarms(s, Math.max(this.liveAlarmPos, this.drain.readPosition('events')));
  }

  publishStatus(status: Record<string, unknown>): void {
    try {
      this.status = { text: stringify(status), object: status };
    } catch (err) {
      this.opts.logger.error('status is not serialisable; not published', describeError(err));
      return;
    }
    const s = this.session;
    if (s?.connected) s.sender?.live(this.statusMessage());
  }

  state(): UplinkState {
    return { connected: this.session?.connected ?? false, lastConnectedAt: this.lastConnectedAt };
  }

  heartbeat(): UplinkHeartbeat {
    const { outbox, clock } = this.opts;
    let backlog = { telemetry: 0, events: 0 };
    let oldest: number | undefined;
    try {
      backlog = outbox.backlog();
      for (const s of STREAMS) {
        const after = outbox.sentPosition(s);
        const first = s === 'events' ? outbox.eventsAfter(after, 1)[0] : outbox.readingsAfter(after, 1)[0];
        if (first && (oldest === undefined || first.ts < oldest)) oldest = first.ts;
      }
    } catch (err) {
      this.opts.logger.debug('cannot read the backlog for the heartbeat', describeError(err));
    }
    const rate = this.meter.perSecond(this.mono());
    const v = this.session?.version ?? this.lastVersion;
    return {
      connected: this.session?.connected ?? false,
      lastConnectedAt: this.lastConnectedAt === null ? null : new Date(this.lastConnectedAt).toISOString(),
      protocol: v === undefined ? null : v === 5 ? 'mqtt5' : 'mqtt3.1.1',
      backlog,
      oldestUnsentAgeSec:
        oldest === undefined ? null : Math.max(0, Math.round((clock.now() - oldest) / 1000)),
      drainRatePerSec: Math.round(rate * 10) / 10,
      etaSec: etaSeconds(backlog.telemetry + backlog.events, rate),
    };
  }

  private open(): void {
    this.retryTimer = undefined;
    const version = this.version;
    let client: MqttClient;
    try {
      client = connect(this.opts.url, this.connectOptions(version));
    } catch (err) {
      this.lastError = err;
      this.scheduleRetry(false);
      return;
    }
    const s: Session = {
      client,
      version,
      connected: false,
      limits: brokerLimits(undefined),
      sender: undefined,
      backlogFrom: 0,
      refusals: 0,
      wake: undefined,
    };
    this.session = s;
    client.on('connect', (connack) => this.onConnect(s, connack));
    client.on('close', () => this.onClose(s));
    client.on('error', (err) => this.onError(s, err));
    client.on('message', (topic, payload, packet) => this.onMessage(s, topic, payload, packet));
    // The broker says why it is closing (session taken over, shutting down, ...): keep it for the warning.
    client.on('disconnect', (packet) => {
      const why = packet.properties?.reasonString ?? `reason code ${packet.reasonCode ?? 0}`;
      this.lastError = new Error(`broker disconnected us: ${why}`);
    });
  }

  private connectOptions(version: ProtocolVersion) {
    const { opts } = this;
    return clientOptions({
      clientId: opts.clientId ?? `pima-kiosk-${opts.pointId}`,
      keepaliveSec: opts.keepaliveSec,
      connectTimeoutMs: opts.connectTimeoutMs ?? 30_000,
      protocolVersion: version,
      will: {
        topic: this.topics.online,
        payload: JSON.stringify({ online: false, ts: this.iso(), reason: 'lost' }),
      },
      security: opts.security,
    });
  }

  /** Live first (CONTRACT.md §5): online, status, unsent alarms, discovery; the backlog after a random delay. */
  private onConnect(s: Session, connack: IConnackPacket): void {
    if (s !== this.session || this.stopping) return;
    s.connected = true;
    s.limits = brokerLimits(connack);
    this.lastVersion = s.version;
    this.lastConnectedAt = this.opts.clock.now();
    this.setLink('connected');
    this.opts.logger.info('connected', {
      url: this.logUrl,
      protocol: s.version === 5 ? 'MQTT 5' : 'MQTT 3.1.1',
      failedAttempts: this.failures,
      receiveMaximum: s.limits.receiveMaximum,
    });
    this.failures = 0;
    this.drain.reset();
    const jitter = this.opts.drainStartJitterMs ?? 0;
    s.backlogFrom = this.mono() + Math.floor(Math.min(Math.max(this.random(), 0), 1) * jitter);
    s.sender = new Sender({
      publish: (m, settled) => this.publishOn(s, m, settled),
      limit: Math.max(1, Math.min(this.opts.inFlightMax ?? 16, s.limits.receiveMaximum)),
      maxInFlightBytes: this.opts.inFlightMaxBytes ?? 262_144,
      backlog: { next: (room) => this.nextBatch(s, room) },
      backlogAllowance: () => this.backlogAllowance(s),
      onPublished: (bytes) => this.budget?.charge(bytes, this.mono()),
    });
    const online = { online: true, ts: this.iso(), epoch: this.opts.outbox.epoch };
    s.sender.live(jsonMessage(this.topics.online, online, true));
    if (this.status) s.sender.live(this.statusMessage());
    this.liveAlarmPos = 0;
    this.sendLiveAlarms(s, this.drain.deliveredPosition('events'));
    const ha = this.opts.homeAssistant;
    if (ha) {
      const name = this.opts.pointName ?? this.opts.pointId;
      const input = { discoveryPrefix: ha.discoveryPrefix, pointId: this.opts.pointId, pointName: name };
      for (const m of discoveryMessages({ ...input, topics: this.topics, swVersion: SW_VERSION }))
        s.sender.live(m);
    }
    s.sender.start();
    if (this.commands) {
      // Retain-as-published (MQTT 5) keeps the retain flag, so a retained command is seen and refused.
      s.client.subscribe(this.topics.cmdFilter, { qos: 1, rap: s.version === 5 }, (err) => {
        if (err) this.opts.logger.warn('cannot subscribe to commands', describeError(err));
      });
    }
  }

  private sendLiveAlarms(s: Session, afterSeq: number): void {
    const sender = s.sender;
    if (!sender) return;
    let alarms: ReturnType<typeof unsentAlarms>;
    try {
      alarms = unsentAlarms(this.opts.outbox, afterSeq);
    } catch (err) {
      this.opts.logger.debug('cannot read unsent alarms', describeError(err));
      return;
    }
    const last = alarms.at(-1);
    if (!last) return;
    this.liveAlarmPos = Math.max(this.liveAlarmPos, last.seq);
    sender.live(liveAlarmMessage(this.topics, this.opts.pointId, this.opts.outbox.epoch, alarms));
  }

  private statusMessage(): LiveMessage {
    const text = this.status?.text ?? '{}';
    return {
      key: 'status',
      topic: this.topics.status,
      payload: text,
      retain: true,
      bytes: Buffer.byteLength(text),
      properties: { messageExpiryInterval: this.opts.statusExpirySec ?? 180 },
      done: (err) => {
        // A failed one is not retried here: every (re)connect republishes the latest status.
        if (err) this.opts.logger.debug('status not acknowledged', describeError(err));
      },
    };
  }

  private publishOn(s: Session, m: Outgoing, settled: (err?: Error) => void): void {
    const options: IClientPublishOptions = { qos: 1, retain: m.retain ?? false };
    if (s.version === 5 && m.properties) options.properties = m.properties;
    s.client.publish(m.topic, m.payload, options, (err) => settled(err));
  }

  private nextBatch(s: Session, room: number): Outgoing | undefined {
    const left = this.budget ? Math.floor(this.budget.available(this.mono())) : undefined;
    const batch = this.drain.next(Math.min(room, this.batchLimit(s)), left);
    if (!batch && this.budget && this.drain.budgetBlocked) this.budgetSpent(s);
    return batch;
  }

  private budgetSpent(s: Session): void {
    this.warnOnce('hourly byte budget spent; the backlog waits (live messages still go)', {
      byteBudgetPerHour: this.opts.byteBudgetPerHour,
    });
    const need = this.opts.batchMaxBytes ?? 65_536;
    this.wakeAt(s, Math.max(1000, this.budget?.waitMs(need, this.mono()) ?? 1000));
  }

  /** Batch bytes: the configured limit, and the broker's packet limit minus header room. */
  private batchLimit(s: Session): number {
    return Math.min(this.opts.batchMaxBytes ?? 65_536, s.limits.maximumPacketSize - 512);
  }

  private backlogAllowance(s: Session): number {
    if (!s.connected || this.stopping) return 0;
    const now = this.mono();
    if (now < s.backlogFrom) {
      this.wakeAt(s, s.backlogFrom - now);
      return 0;
    }
    if (!this.budget) return Number.POSITIVE_INFINITY;
    const left = Math.floor(this.budget.available(now));
    if (left <= 0) this.budgetSpent(s);
    return left;
  }

  private wakeAt(s: Session, ms: number): void {
    if (s.wake) return;
    s.wake = setTimeout(() => {
      s.wake = undefined;
      if (s === this.session && s.connected) s.sender?.pump();
    }, Math.ceil(ms));
  }

  /** The broker answered with an error reason code: hold the backlog with backoff, then resend. */
  private onRefused(stream: Stream, err: Error): void {
    const s = this.session;
    if (!s) return;
    const retryInMs = backoffDelay(
      s.refusals,
      this.opts.reconnectMinMs,
      this.opts.reconnectMaxMs,
      this.random,
    );
    s.refusals += 1;
    s.backlogFrom = this.mono() + retryInMs;
    this.warnOnce('broker refused a batch; retrying', { stream, ...describeError(err), retryInMs });
  }

  private onMessage(
    s: Session,
    topic: string,
    payload: Buffer,
    packet: { retain: boolean; properties?: { correlationData?: Buffer } },
  ): void {
    if (s !== this.session || !this.commands) return;
    const prefix = `${this.topics.base}/cmd/`;
    if (!topic.startsWith(prefix)) return;
    this.commands.handle(topic.slice(prefix.length), payload, {
      retain: packet.retain,
      correlationData: packet.properties?.correlationData,
    });
  }

  private reply(name: string, body: Record<string, unknown>, correlationData?: Buffer): void {
    const s = this.session;
    let topic: string;
    try {
      topic = this.topics.cmdResult(name);
    } catch {
      return;
    }
    if (!s?.connected || !s.sender) {
      this.opts.logger.warn('command result not sent: the link is down', { command: name });
      return;
    }
    const m = jsonMessage(topic, body);
    if (correlationData) m.properties = { correlationData };
    s.sender.live(m);
  }

  private onError(s: Session, err: unknown): void {
    this.lastError = err;
    if (s === this.session && !s.connected && s.version === 5 && refusedProtocol(err)) {
      this.fallBack = true;
      return;
    }
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
    clearTimeout(s.wake);
    s.sender?.close();
    this.drain.flush();
    // Forced end fails the callbacks of publishes still awaiting a PUBACK: their records stay unsent.
    s.client.end(true);
    if (this.stopping) return;
    if (this.fallBack) {
      this.fallBack = false;
      this.version = 4;
      this.opts.logger.warn('broker refused MQTT 5; falling back to MQTT 3.1.1 (no message expiry)', {
        url: this.logUrl,
      });
      this.retryTimer = setTimeout(() => this.open(), 0);
      return;
    }
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

  private async shutdown(): Promise<void> {
    clearTimeout(this.retryTimer);
    this.retryTimer = undefined;
    this.setLink('stopped');
    this.commands?.stop();
    const s = this.session;
    this.drain.flush();
    if (!s) return;
    clearTimeout(s.wake);
    if (s.connected) await this.sayGoodbye(s);
    s.sender?.close();
    await this.endClient(s);
    this.drain.flush();
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

  private iso(): string {
    return new Date(this.opts.clock.now()).toISOString();
  }
}
