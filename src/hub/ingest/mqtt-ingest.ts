/**
 * The hub's MQTT ingest: one persistent session, every message committed before its PUBACK. mqtt.js
 * hands messages over one at a time and sends the PUBACK when `handleMessage` calls back, so the
 * callback waits for the storage commit; a failed commit drops the connection unacknowledged and the
 * broker delivers the message again.
 */
import { connect, type IPublishPacket, type MqttClient } from 'mqtt';
import type { Logger } from '../../core/logger.js';
import { refusedProtocol } from '../../uplink/client-options.js';
import { describeError, redactUrl } from '../../uplink/log-fields.js';
import type { HubStorage } from '../storage/types.js';
import {
  type HubConnectionConfig,
  hubClientOptions,
  hubSubscriptions,
  type ProtocolVersion,
} from './client-options.js';
import { decodeMessage } from './decode.js';
import { parseHubTopic } from './topics.js';

export interface IngestOptions extends HubConnectionConfig {
  url: string;
  topicPrefix: string;
  shareGroup: string;
  storage: HubStorage;
  logger: Logger;
  /** Hub clock: when a message arrived (staleness is judged on it). */
  now: () => number;
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
  private readonly counts = { messages: 0, stored: 0, duplicates: 0, refused: 0 };

  constructor(private readonly opts: IngestOptions) {}

  async start(): Promise<void> {
    if (this.client || this.stopped) return;
    this.open();
  }

  async stop(): Promise<void> {
    this.stopped = true;
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
    const { opts } = this;
    const topic = parseHubTopic(opts.topicPrefix, packet.topic);
    if (!topic) return;
    this.counts.messages += 1;
    const payload = typeof packet.payload === 'string' ? Buffer.from(packet.payload) : packet.payload;
    const decoded = decodeMessage(topic, payload, packet.properties?.contentType, opts.now());
    if (!decoded.ok) {
      // Acknowledged all the same: a malformed message never becomes valid by being delivered again.
      this.counts.refused += 1;
      opts.logger.warn('message refused', { topic: packet.topic, error: decoded.error });
      return;
    }
    const outcome = await opts.storage.commit(decoded.work);
    this.counts.stored += outcome.inserted;
    this.counts.duplicates += outcome.duplicates;
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
