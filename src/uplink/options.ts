/**
 * The uplink's configuration and the store it drains. Separate so that every part of the uplink can
 * read the options it needs without importing the composition (MqttUplink) that wires them together.
 */
import type { BatchCodec } from '../contract/batch-codec.js';
import type { Clock } from '../core/clock.js';
import type { Logger } from '../core/logger.js';
import type { LogStore, OutboxSource } from '../store/types.js';
import type { CommandHost, CommandLimits } from './commands.js';
import type { PointInfo } from './info.js';
import type { UplinkSecurity } from './security.js';

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
  /** Wire encoding of backlog batches (src/contract/batch-codec.ts). Default none. */
  compression?: BatchCodec;
  /** QoS 1 messages awaiting PUBACK at once (capped by the broker's receive maximum). Default 16. */
  inFlightMax?: number;
  /** Bytes awaiting PUBACK at once: bounds memory and how long a live message queues behind history. Default 262 144. */
  inFlightMaxBytes?: number;
  /** Without a drain hint, the backlog starts a random 0..this ms after connecting (live messages at once). Default 0. */
  drainStartJitterMs?: number;
  /** The hub's drain hint may spread the start up to this, even past drainStartJitterMs. Default drainStartJitterMs. */
  drainStartMaxSpreadMs?: number;
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
  /** `cmd/{name}` and `desired` handling; without it neither is subscribed. `waitClock`: real time. */
  commands?: { host: CommandHost; limits: CommandLimits; waitClock: Clock };
  /** The retained `info` message's content (CONTRACT.md §6); without it no info is sent. */
  info?: PointInfo;
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
