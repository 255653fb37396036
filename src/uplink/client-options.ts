/**
 * mqtt.js client options from the uplink's config (clean session, no reconnect of its own, the last
 * will, TLS and credentials), the broker's limits from its CONNACK, and the MQTT 5 → 3.1.1 fallback.
 * Separate because it is everything that depends on the protocol version, and all of it is pure.
 */
import type { IClientOptions, IConnackPacket } from 'mqtt';
import type { MqttUplinkOptions } from './options.js';
import type { UplinkSecurity } from './security.js';

export type ProtocolVersion = 4 | 5;

/** What the broker allows on this connection (MQTT 5 CONNACK properties; 3.1.1 has none). */
export interface BrokerLimits {
  receiveMaximum: number;
  maximumPacketSize: number;
}

const MQTT_MAX_PACKET = 268_435_455;

export function brokerLimits(connack: IConnackPacket | undefined): BrokerLimits {
  const p = connack?.properties;
  return {
    receiveMaximum: p?.receiveMaximum ?? 65_535,
    maximumPacketSize: p?.maximumPacketSize ?? MQTT_MAX_PACKET,
  };
}

/**
 * True when a CONNACK refused the protocol version: 0x01 from a 3.1.1 broker that got an MQTT 5
 * CONNECT (MQTT 3.1.1 §3.2.2.3), 0x84 from an MQTT 5 broker configured without it.
 */
export function refusedProtocol(err: unknown): boolean {
  if (!(err instanceof Error) || !('code' in err)) return false;
  return err.code === 1 || err.code === 0x84;
}

/**
 * The protocol of the next connection: MQTT 5 until a broker refuses it, then 3.1.1 for good.
 * A refusal noted while connecting takes effect when that connection closes.
 */
export class ProtocolChoice {
  private current: ProtocolVersion = 5;
  private refused = false;

  get version(): ProtocolVersion {
    return this.current;
  }

  /** An error before CONNACK on a connection of `version`: true (and noted) if it refused MQTT 5. */
  noteRefusal(version: ProtocolVersion, err: unknown): boolean {
    if (version !== 5 || !refusedProtocol(err)) return false;
    this.refused = true;
    return true;
  }

  /** On close: true once after a refusal, and from then on connections use MQTT 3.1.1. */
  fallBack(): boolean {
    if (!this.refused) return false;
    this.refused = false;
    this.current = 4;
    return true;
  }
}

export interface ClientOptionsInput {
  clientId: string;
  keepaliveSec: number;
  connectTimeoutMs: number;
  protocolVersion: ProtocolVersion;
  will: { topic: string; payload: string };
  security: UplinkSecurity | undefined;
}

/** mqtt.js options: our own reconnect (none of its own), a clean session, no QoS 0 queue. */
export function clientOptions(input: ClientOptionsInput): IClientOptions {
  return {
    protocolVersion: input.protocolVersion,
    clean: true,
    reconnectPeriod: 0,
    // mqtt-packet otherwise builds a Buffer for each of the 65,536 packet ids on first use: 6.3 MB of
    // heap, a fifth of the idle service's (heap snapshot, docs/RESULTS.md).
    writeCache: false,
    queueQoSZero: false,
    resubscribe: false,
    keepalive: input.keepaliveSec,
    connectTimeout: input.connectTimeoutMs,
    clientId: input.clientId,
    will: { topic: input.will.topic, payload: Buffer.from(input.will.payload), qos: 1, retain: true },
    ...securityOptions(input.security),
  };
}

/** Credentials and TLS as mqtt.js takes them; the point's uplink and the hub's connections share it. */
export function securityOptions(s: UplinkSecurity | undefined): IClientOptions {
  const o: IClientOptions = { rejectUnauthorized: s?.rejectUnauthorized ?? true };
  if (s?.username !== undefined) o.username = s.username;
  if (s?.password !== undefined) o.password = s.password;
  if (s?.ca) o.ca = s.ca;
  if (s?.cert) o.cert = s.cert;
  if (s?.key) o.key = s.key;
  return o;
}

export type ConnectConfig = Pick<
  MqttUplinkOptions,
  'clientId' | 'pointId' | 'keepaliveSec' | 'connectTimeoutMs' | 'security'
>;

/** The options of one connection attempt; the last will says `lost` as of `ts` (ISO time). */
export function connectOptions(
  config: ConnectConfig,
  willTopic: string,
  version: ProtocolVersion,
  ts: string,
): IClientOptions {
  return clientOptions({
    clientId: config.clientId ?? `pima-kiosk-${config.pointId}`,
    keepaliveSec: config.keepaliveSec,
    connectTimeoutMs: config.connectTimeoutMs ?? 30_000,
    protocolVersion: version,
    will: { topic: willTopic, payload: JSON.stringify({ online: false, ts, reason: 'lost' }) },
    security: config.security,
  });
}
