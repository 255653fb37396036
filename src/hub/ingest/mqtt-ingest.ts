/**
 * The hub's MQTT ingest: one persistent session, every message committed before its PUBACK. mqtt.js
 * hands messages over one at a time and sends the PUBACK when `handleMessage` calls back, so the
 * callback waits for the storage commit; a failed commit drops the connection unacknowledged and the
 * broker delivers the message again.
 */
import { connect, type IPublishPacket, type MqttClient } from 'mqtt';
import type { Logger } from '../../core/logger.js';
import { refusedProtocol } from '../../uplink/client-options.js';
import { DRAIN_HINT_LEVEL } from '../../uplink/drain-hint.js';
import { describeError, redactUrl } from '../../uplink/log-fields.js';
import { type HubStorage, pointsUpdated } from '../storage/types.js';
import {
  type HubConnectionConfig,
  hubClientOptions,
  hubSubscriptions,
  type ProtocolVersion,
} from './client-options.js';
import { ingestMessage } from './handle.js';
import { ReconnectWindow } from './reconnect-window.js';

/** How often the drain hint is recomputed (it is published only when it changes). */
const HINT_CHECK_MS = 1000;

export interface IngestOptions extends HubConnectionConfig {
  url: string;
  topicPrefix: string;
  /** Undefined: plain subscriptions (mqtt.shared false). */
  shareGroup: string | undefined;
  storage: HubStorage;
  logger: Logger;
  /** Hub clock: when a message arrived (staleness is judged on it). */
  now: () => number;
  /** After each commit that changed what is latest of points (status, online, info, command result). */
  onPointsChanged?: ((points: Set<string>) => void) | undefined;
  /** Backlog bytes/s the fleet may bring comfortably: sizes the drain hint; undefined, by count only. */
  drainHintBytesPerSec?: number | undefined;
}

export interface IngestStats {
  connected: boolean;
  protocol: 'mqtt5' | 'mqtt3.1.1' | null;
  messages: number;
  stored: number;
  duplicates: number;
  refused: number;
}

export class MqttIngest {
  private client: MqttClient | undefined;
  private version: ProtocolVersion = 5;
  private stopped = false;
  private readonly reconnects: ReconnectWindow;
  private lastHint: number | undefined;
  private hintTimer: ReturnType<typeof setInterval> | undefined;
  private readonly counts = { messages: 0, stored: 0, duplicates: 0, refused: 0 };

  constructor(private readonly opts: IngestOptions) {
    this.reconnects = new ReconnectWindow({ comfortableBytesPerSec: opts.drainHintBytesPerSec });
  }

  async start(): Promise<void> {
    if (this.client || this.stopped) return;
    this.open();
    this.hintTimer = setInterval(() => this.publishHint(false), HINT_CHECK_MS);
  }

  async stop(): Promise<void> {
    this.stopped = true;
    clearInterval(this.hintTimer);
    const client = this.client;
    this.client = undefined;
    if (client) await client.endAsync(true).catch(() => undefined);
  }

  stats(): IngestStats {
    const connected = this.client?.connected ?? false;
    return {
      connected,
      protocol: connected ? (this.version === 5 ? 'mqtt5' : 'mqtt3.1.1') : null,
      ...this.counts,
    };
  }

  private open(): void {
    const { opts } = this;
    const version = this.version;
    const client = connect(opts.url, hubClientOptions(opts, version));
    this.client = client;
    client.handleMessage = (packet, done) => {
      this.handle(packet).then(
        () => done(),
        (err: unknown) => this.commitFailed(client, err),
      );
    };
    client.on('connect', (connack) => {
      opts.logger.info('connected', {
        url: redactUrl(opts.url),
        clientId: opts.clientId,
        protocol: version === 5 ? 'MQTT 5' : 'MQTT 3.1.1',
        sessionPresent: connack.sessionPresent,
      });
      this.subscribe(client, version);
      this.publishHint(true);
    });
    client.on('error', (err) => {
      if (version === 5 && !client.connected && refusedProtocol(err)) {
        opts.logger.warn('broker refused MQTT 5; falling back to MQTT 3.1.1 (no shared subscriptions)');
        this.version = 4;
        client.end(true);
        if (!this.stopped) this.open();
        return;
      }
      opts.logger.debug('client error', describeError(err));
    });
    client.on('offline', () =>
      opts.logger.warn('broker unreachable; retrying', { url: redactUrl(opts.url) }),
    );
  }

  /** After every connect, also with a session present (see client-options.ts). */
  private subscribe(client: MqttClient, version: ProtocolVersion): void {
    const { topicPrefix, shareGroup, logger } = this.opts;
    const filters = hubSubscriptions(topicPrefix, shareGroup, version);
    client.subscribe(filters, { qos: 1 }, (err, granted) => {
      if (err) {
        logger.warn('subscribe failed', describeError(err));
        return;
      }
      const refused = (granted ?? []).filter((g) => g.qos > 2).map((g) => g.topic);
      if (refused.length > 0) logger.warn('broker refused subscriptions', { topics: refused.join(' ') });
      else logger.info('subscribed', { filters: filters.length });
    });
  }

  private async handle(packet: IPublishPacket): Promise<void> {
    const payload = typeof packet.payload === 'string' ? Buffer.from(packet.payload) : packet.payload;
    const handled = await ingestMessage(this.opts, packet.topic, payload, packet.properties?.contentType);
    if (handled.kind === 'ignored') return;
    this.counts.messages += 1;
    if (handled.kind === 'refused') {
      // Acknowledged all the same: a malformed message never becomes valid by being delivered again.
      this.counts.refused += 1;
      this.opts.logger.warn('message refused', { topic: packet.topic, error: handled.error });
      return;
    }
    this.counts.stored += handled.outcome.inserted;
    const touched = pointsUpdated(handled.work);
    if (touched.size > 0) this.opts.onPointsChanged?.(touched);
    this.counts.duplicates += handled.outcome.duplicates;
    if (!packet.retain) {
      // A message queued while this hub was away counts from when the point connected, not from now.
      for (const o of handled.work.onlines) {
        if (o.online) this.reconnects.add(Math.min(o.receivedAt, o.ts), o.point);
      }
      for (const st of handled.work.statuses) {
        if (st.backlogRecords !== undefined) this.reconnects.backlog(st.point, st.backlogRecords);
      }
    }
  }

  /**
   * Publishes the drain hint when it changes (and once per connect): every hub sees every `online`, so
   * hubs of one group publish the same value.
   */
  private publishHint(force: boolean): void {
    const client = this.client;
    if (!client?.connected) return;
    const spreadMs = this.reconnects.spreadMs(this.opts.now());
    if (!force && spreadMs === this.lastHint) return;
    this.lastHint = spreadMs;
    const payload = JSON.stringify({ spreadMs, ts: new Date(this.opts.now()).toISOString() });
    client.publish(
      `${this.opts.topicPrefix}/${DRAIN_HINT_LEVEL}`,
      payload,
      { qos: 1, retain: true },
      (err) => {
        if (err) this.opts.logger.debug('drain hint not published', describeError(err));
      },
    );
  }

  /** Not acknowledged: drop the link so the broker redelivers once the database is back. */
  private commitFailed(client: MqttClient, err: unknown): void {
    this.opts.logger.error(
      'cannot store a message; reconnecting without acknowledging it',
      describeError(err),
    );
    client.stream?.destroy();
  }
}
