/**
 * The connection lifecycle: one session at a time, reconnects with exponential backoff and full
 * jitter, the MQTT 5 → 3.1.1 fallback, the warnings of a lost or unreachable broker. Separate because
 * it owns when sessions come and go; what happens on a session is the composition's (hooks).
 */
import { connect, type IClientOptions, type IConnackPacket, type MqttClient } from 'mqtt';
import type { Clock } from '../core/clock.js';
import type { Logger } from '../core/logger.js';
import { backoffDelay } from './backoff.js';
import { brokerLimits, ProtocolChoice, type ProtocolVersion } from './client-options.js';
import type { LinkState } from './link-state.js';
import { describeError } from './log-fields.js';
import type { Session } from './session.js';

export interface IncomingPacket {
  retain: boolean;
  properties?: { correlationData?: Buffer };
}

export interface ConnectionContext {
  url: string;
  /** The URL as logged (no password). */
  logUrl: string;
  reconnectMinMs: number;
  reconnectMaxMs: number;
  random: () => number;
  clock: Clock;
  logger: Logger;
  link: LinkState;
  clientOptions(version: ProtocolVersion): IClientOptions;
  /** An attempt is under way (its socket opening): a round trip to prepare in before its CONNACK. */
  attempting?(): void;
  /** stop() was called: no more connects or retries. */
  stopping(): boolean;
  /** CONNACK: the session is connected (limits known); send live first, start the drain. */
  connected(s: Session): void;
  /** The session's socket closed: drop its per-connection state (before its client is ended). */
  closed(s: Session): void;
  message(s: Session, topic: string, payload: Buffer, packet: IncomingPacket): void;
}

export class Connection {
  private readonly protocol = new ProtocolChoice();
  private current: Session | undefined;
  private lastVersion: ProtocolVersion | undefined;
  private connectedAt: number | null = null;
  private retryTimer: ReturnType<typeof setTimeout> | undefined;
  private failures = 0;
  private lastError: unknown;

  constructor(private readonly ctx: ConnectionContext) {}

  /** The session of the current attempt or connection, if any. */
  get session(): Session | undefined {
    return this.current;
  }

  get connected(): boolean {
    return this.current?.connected ?? false;
  }

  /** Service-clock ms of the last successful connect; null if never. */
  get lastConnectedAt(): number | null {
    return this.connectedAt;
  }

  /** The protocol of the current (or last) connection. */
  get protocolVersion(): ProtocolVersion | undefined {
    return this.current?.version ?? this.lastVersion;
  }

  /** The first attempt; later ones follow by themselves until halt(). */
  start(): void {
    this.ctx.link.set('connecting');
    this.ctx.logger.info('connecting', { url: this.ctx.logUrl });
    this.open();
  }

  /** No more retries; the session (if any) stays until the caller has ended it and calls ended(). */
  halt(): void {
    clearTimeout(this.retryTimer);
    this.retryTimer = undefined;
    this.ctx.link.set('stopped');
  }

  /** The caller ended the session after halt(). */
  ended(): void {
    this.current = undefined;
    this.ctx.logger.info('disconnected', { url: this.ctx.logUrl });
  }

  private open(): void {
    this.retryTimer = undefined;
    const version = this.protocol.version;
    let client: MqttClient;
    try {
      client = connect(this.ctx.url, this.ctx.clientOptions(version));
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
      gate: undefined,
    };
    this.current = s;
    this.ctx.attempting?.();
    client.on('connect', (connack) => this.onConnect(s, connack));
    client.on('close', () => this.onClose(s));
    client.on('error', (err) => this.onError(s, err));
    client.on('message', (topic, payload, packet) => this.ctx.message(s, topic, payload, packet));
    // The broker says why it is closing (session taken over, shutting down, ...): keep it for the warning.
    client.on('disconnect', (packet) => {
      const why = packet.properties?.reasonString ?? `reason code ${packet.reasonCode ?? 0}`;
      this.lastError = new Error(`broker disconnected us: ${why}`);
    });
  }

  private onConnect(s: Session, connack: IConnackPacket): void {
    if (s !== this.current || this.ctx.stopping()) return;
    s.connected = true;
    s.limits = brokerLimits(connack);
    this.lastVersion = s.version;
    this.connectedAt = this.ctx.clock.now();
    this.ctx.link.set('connected');
    this.ctx.logger.info('connected', {
      url: this.ctx.logUrl,
      protocol: s.version === 5 ? 'MQTT 5' : 'MQTT 3.1.1',
      failedAttempts: this.failures,
      receiveMaximum: s.limits.receiveMaximum,
    });
    this.failures = 0;
    this.ctx.connected(s);
  }

  private onError(s: Session, err: unknown): void {
    this.lastError = err;
    if (s === this.current && !s.connected && this.protocol.noteRefusal(s.version, err)) return;
    const ctx = { url: this.ctx.logUrl, ...describeError(err) };
    // While connecting, the warning comes with the state change in scheduleRetry, once.
    if (s === this.current && s.connected) this.ctx.link.warnOnce('client error', ctx);
    else this.ctx.logger.debug('client error', ctx);
  }

  private onClose(s: Session): void {
    if (s !== this.current) return;
    this.current = undefined;
    const wasConnected = s.connected;
    s.connected = false;
    this.ctx.closed(s);
    // Forced end fails the callbacks of publishes still awaiting a PUBACK: their records stay unsent.
    s.client.end(true);
    if (this.ctx.stopping()) return;
    if (this.protocol.fallBack()) {
      this.ctx.logger.warn('broker refused MQTT 5; falling back to MQTT 3.1.1 (no message expiry)', {
        url: this.ctx.logUrl,
      });
      this.retryTimer = setTimeout(() => this.open(), 0);
      return;
    }
    this.scheduleRetry(wasConnected);
  }

  private scheduleRetry(wasConnected: boolean): void {
    const { reconnectMinMs, reconnectMaxMs, logger, link } = this.ctx;
    const retryInMs = backoffDelay(this.failures, reconnectMinMs, reconnectMaxMs, this.ctx.random);
    this.failures += 1;
    const ctx = { url: this.ctx.logUrl, ...describeError(this.lastError), retryInMs };
    this.lastError = undefined;
    if (wasConnected) {
      link.set('offline');
      logger.warn('connection to broker lost; records stay in the log until it is back', ctx);
    } else if (link.current === 'connecting') {
      link.set('offline');
      logger.warn('cannot connect to broker; retrying with backoff', ctx);
    } else {
      logger.debug('reconnect attempt failed', { ...ctx, failedAttempts: this.failures });
    }
    this.retryTimer = setTimeout(() => this.open(), retryInMs);
  }
}
