import { performance } from 'node:perf_hooks';
import type { StatusMessage } from '../contract/status.js';
import { BacklogGate } from './backlog-gate.js';
import { connectOptions } from './client-options.js';
import { CommandRouting } from './command-routing.js';
import { Connection } from './connection.js';
import { Drain } from './drain.js';
import { parseDrainHint } from './drain-hint.js';
import { uplinkHeartbeat } from './heartbeat.js';
import { InfoPublisher } from './info.js';
import { LinkState } from './link-state.js';
import { LinkWindow } from './link-window.js';
import { LiveFirst } from './live-first.js';
import { redactUrl } from './log-fields.js';
import type { MqttUplinkOptions } from './options.js';
import { RateMeter } from './rate-meter.js';
import { Sender } from './sender.js';
import { endClient, publishOn, type Session, sayGoodbye } from './session.js';
import { TokenBucket } from './token-bucket.js';
import { type PointTopics, pointTopics } from './topics.js';
import type { Uplink, UplinkHeartbeat, UplinkState } from './types.js';

export { backoffDelay } from './backoff.js';

/** The smallest byte window, and the backlog's head start before the drain hint: 0.13 s of a 1 Mbit/s link. */
const MIN_WINDOW_BYTES = 16_384;
/**
 * The byte window until the link has been measured for a round trip: 0.26 s of a 1 Mbit/s link, about
 * two loaded round trips of 100 ms. From the floor, a day of columnar backlog (~30 kB) spent a third
 * of its drain waiting for the window to grow (bench:link, docs/RESULTS.md).
 */
const INITIAL_WINDOW_BYTES = 32_768;
/** Backlog bytes that may go before the drain start is decided (bench:fleet reports its cost). */
export const BACKLOG_HEAD_START_BYTES = MIN_WINDOW_BYTES;
/** A retained drain hint arrives right behind the SUBACK; nothing by then means there is none. */
const HINT_GRACE_MS = 200;

export type { MqttUplinkOptions, UplinkStore } from './options.js';

/**
 * The MQTT uplink of CONTRACT.md §5: online with last will, live first (status, alarms) after every
 * connect, the log's outbox drained through a bounded window, commands, Home Assistant discovery.
 * A composition: the connection lifecycle (connection.ts) hands each connected session to the live
 * messages (live-first.ts), the window (sender.ts), the backlog gate (backlog-gate.ts) and the drain.
 */
export class MqttUplink implements Uplink {
  private readonly topics: PointTopics;
  private readonly random: () => number;
  private readonly mono: () => number;
  private readonly link: LinkState;
  private readonly drain: Drain;
  private readonly meter = new RateMeter();
  private readonly connection: Connection;
  private readonly live: LiveFirst;
  private readonly commands: CommandRouting | undefined;
  private budget: TokenBucket | undefined;
  private stopping: Promise<void> | undefined;
  private willTs = '';

  constructor(private readonly opts: MqttUplinkOptions) {
    const topics = pointTopics(opts.topicPrefix, opts.pointId);
    this.topics = topics;
    this.random = opts.random ?? Math.random;
    this.mono = opts.monotonic ?? (() => performance.now());
    this.link = new LinkState(opts.logger);
    this.drain = new Drain({
      outbox: opts.outbox,
      pointId: opts.pointId,
      topics,
      maxRecords: opts.batchMaxRecords,
      codec: opts.compression ?? 'none',
      markIntervalMs: opts.markIntervalMs ?? 250,
      logger: opts.logger,
      mqtt5: () => this.connection.session?.version === 5,
      linkUp: () => this.connection.session?.connected === true,
      onDelivered: (n) => this.meter.add(n, this.mono()),
      onRefused: (stream, err) => this.connection.session?.gate?.refused(stream, err),
    });
    this.connection = new Connection({
      url: opts.url,
      logUrl: redactUrl(opts.url),
      reconnectMinMs: opts.reconnectMinMs,
      reconnectMaxMs: opts.reconnectMaxMs,
      random: this.random,
      clock: opts.clock,
      logger: opts.logger,
      link: this.link,
      clientOptions: (version) => {
        // One session at a time: this attempt's will ts is what its `online: true` will carry.
        this.willTs = this.iso();
        return connectOptions(opts, topics.online, version, this.willTs);
      },
      stopping: () => this.stopping !== undefined,
      attempting: () => this.prepareWhileConnecting(),
      connected: (s) => this.onConnected(s),
      closed: (s) => this.onClosed(s),
      message: (s, topic, payload, packet) => {
        if (topic === topics.drainHint) this.onHint(s, payload);
        else this.commands?.message(s, topic, payload, packet);
      },
    });
    this.live = new LiveFirst({
      topics,
      pointId: opts.pointId,
      pointName: opts.pointName ?? opts.pointId,
      homeAssistant: opts.homeAssistant,
      statusExpirySec: opts.statusExpirySec ?? 180,
      info: opts.info ? new InfoPublisher(topics.info, opts.info, opts.clock.now()) : undefined,
      outbox: opts.outbox,
      clock: opts.clock,
      logger: opts.logger,
    });
    const c = opts.commands;
    if (c) {
      this.commands = new CommandRouting({
        host: c.host,
        limits: c.limits,
        waitClock: c.waitClock,
        topics,
        clock: opts.clock,
        monotonic: this.mono,
        logger: opts.logger,
        session: () => this.connection.session,
        status: () => this.live.statusObject,
      });
    }
  }

  /** Returns once the first attempt is under way; never throws for an unreachable broker. */
  async start(): Promise<void> {
    if (this.stopping || this.link.current !== 'idle') return;
    if (this.opts.byteBudgetPerHour !== undefined) {
      this.budget = new TokenBucket(this.opts.byteBudgetPerHour, 3_600_000, this.mono());
    }
    this.connection.start();
  }

  stop(): Promise<void> {
    this.stopping ??= this.shutdown();
    return this.stopping;
  }

  notifyLogged(): void {
    this.drain.notify();
    const s = this.connection.session;
    if (!s?.connected || this.stopping) return;
    s.sender?.pump();
    this.live.newAlarms(s.sender, this.drain.readPosition('events'));
  }

  publishStatus(status: StatusMessage): void {
    if (!this.live.setStatus(status)) return;
    const s = this.connection.session;
    this.live.statusCapacity(s?.connected ? s.sender : undefined, status);
    if (s?.connected) s.sender?.live(this.live.statusMessage());
  }

  state(): UplinkState {
    return { connected: this.connection.connected, lastConnectedAt: this.connection.lastConnectedAt };
  }

  heartbeat(): UplinkHeartbeat {
    return uplinkHeartbeat({
      outbox: this.opts.outbox,
      clock: this.opts.clock,
      logger: this.opts.logger,
      drainRate: () => this.meter.perSecond(this.mono()),
      link: () => ({
        connected: this.connection.connected,
        lastConnectedAt: this.connection.lastConnectedAt,
        protocol: this.connection.protocolVersion,
      }),
    });
  }

  /** Live first (CONTRACT.md §5): online, status, unsent alarms, discovery; the backlog after a random delay. */
  private onConnected(s: Session): void {
    const { opts } = this;
    this.drain.reset();
    const gate = new BacklogGate({
      drain: this.drain,
      budget: this.budget,
      byteBudgetPerHour: opts.byteBudgetPerHour,
      batchMaxBytes: opts.batchMaxBytes ?? 65_536,
      maximumPacketSize: s.limits.maximumPacketSize,
      startJitterMs: opts.drainStartJitterMs ?? 0,
      maxSpreadMs: opts.drainStartMaxSpreadMs ?? opts.drainStartJitterMs ?? 0,
      headStartBytes: BACKLOG_HEAD_START_BYTES,
      reconnectMinMs: opts.reconnectMinMs,
      reconnectMaxMs: opts.reconnectMaxMs,
      random: this.random,
      monotonic: this.mono,
      link: this.link,
      open: () => s.connected && !this.stopping,
      pump: () => {
        if (s === this.connection.session && s.connected) s.sender?.pump();
      },
    });
    gate.begin();
    s.gate = gate;
    if (gate.awaitingHint) this.awaitHint(s, gate);
    s.sender = new Sender({
      publish: (m, settled) => publishOn(s, m, settled),
      limit: Math.max(1, Math.min(opts.inFlightMax ?? 16, s.limits.receiveMaximum)),
      window: new LinkWindow({
        minBytes: MIN_WINDOW_BYTES,
        initialBytes: INITIAL_WINDOW_BYTES,
        maxBytes: opts.inFlightMaxBytes ?? 262_144,
      }),
      monotonic: this.mono,
      backlog: { next: (room) => gate.next(room), prepare: (room) => gate.prepare(room) },
      backlogAllowance: () => gate.allowance(),
      onPublished: (bytes) => this.budget?.charge(bytes, this.mono()),
    });
    this.live.announce(s.sender, this.drain.deliveredPosition('events'), this.willTs);
    s.sender.start();
    this.commands?.subscribe(s);
  }

  /**
   * The first batches (one per stream) are built while the CONNECT is on its way, one per turn of the
   * event loop, so the backlog's first bytes follow the live messages at CONNACK instead of waiting
   * for their encoding (bench:link: a day of columnar backlog is a third of a second of link; encoding
   * its first batch after the CONNACK was a fifth of that).
   */
  private prepareWhileConnecting(): void {
    // What the first backlog batch is asked for: half the initial window.
    const bytes = INITIAL_WINDOW_BYTES / 2;
    const packet = this.opts.batchMaxBytes ?? 65_536;
    const step = (first: boolean): void => {
      setImmediate(() => {
        const s = this.connection.session;
        if (!s || s.connected || this.stopping) return;
        // Positions as the connection will start from (nothing is in flight between sessions), and
        // only batches built for this attempt.
        if (first) {
          this.drain.dropPrepared();
          this.drain.reset();
        }
        if (this.drain.prepare(bytes, packet)) step(false);
      });
    };
    step(true);
  }

  /** Subscribes to the fleet's drain hint; the gate holds the backlog until it (or its absence) is known. */
  private awaitHint(s: Session, gate: BacklogGate): void {
    s.client.subscribe(this.topics.drainHint, { qos: 0 }, (err, granted) => {
      if (err || (granted?.[0]?.qos ?? 128) >= 128) this.startBacklog(s, gate, undefined, 'hint refused');
      else gate.expectHint(HINT_GRACE_MS, () => this.startBacklog(s, gate, undefined, 'no hint'));
    });
  }

  private onHint(s: Session, payload: Buffer): void {
    const gate = s.gate;
    if (s !== this.connection.session || !gate?.awaitingHint) return;
    // An empty retained message clears the hint: as if there were none.
    const spread = payload.length === 0 ? undefined : parseDrainHint(payload);
    if (spread instanceof Error) this.opts.logger.debug('ignoring the drain hint', { error: spread.message });
    this.startBacklog(s, gate, spread instanceof Error ? undefined : spread, 'hint');
  }

  private startBacklog(s: Session, gate: BacklogGate, spreadMs: number | undefined, why: string): void {
    const delayMs = gate.hinted(spreadMs);
    if (delayMs === undefined) return;
    this.opts.logger.debug('backlog starts', { delayMs, spreadMs: spreadMs ?? null, why });
    if (s.connected) s.client.unsubscribe(this.topics.drainHint);
  }

  private onClosed(s: Session): void {
    s.gate?.close();
    s.sender?.close();
    this.drain.flush();
  }

  private async shutdown(): Promise<void> {
    const { logger } = this.opts;
    this.connection.halt();
    this.commands?.stop();
    const s = this.connection.session;
    this.drain.flush();
    if (!s) return;
    s.gate?.close();
    if (s.connected) await sayGoodbye(s, this.topics.online, this.iso(), this.stopTimeoutMs(), logger);
    s.sender?.close();
    await endClient(s, this.stopTimeoutMs(), logger);
    this.drain.flush();
    this.connection.ended();
  }

  private stopTimeoutMs(): number {
    return this.opts.stopTimeoutMs ?? 1000;
  }

  private iso(): string {
    return new Date(this.opts.clock.now()).toISOString();
  }
}
