import type { IClientOptions, IConnackPacket } from 'mqtt';
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
  const { security } = input;
  const options: IClientOptions = {
    protocolVersion: input.protocolVersion,
    clean: true,
    reconnectPeriod: 0,
    queueQoSZero: false,
    resubscribe: false,
    keepalive: input.keepaliveSec,
    connectTimeout: input.connectTimeoutMs,
    clientId: input.clientId,
    will: { topic: input.will.topic, payload: Buffer.from(input.will.payload), qos: 1, retain: true },
    rejectUnauthorized: security?.rejectUnauthorized ?? true,
  };
  if (security?.username !== undefined) options.username = security.username;
  if (security?.password !== undefined) options.password = security.password;
  if (security?.ca) options.ca = security.ca;
  if (security?.cert) options.cert = security.cert;
  if (security?.key) options.key = security.key;
  return options;
}

export function redactUrl(url: string): string {
  try {
    const parsed = new URL(url);
    if (parsed.password) parsed.password = '***';
    return parsed.toString();
  } catch {
    return url;
  }
}

export function describeError(err: unknown): { error?: string; code?: string } {
  if (err === undefined) return {};
  if (!(err instanceof Error)) return { error: String(err) };
  const raw: unknown = 'code' in err ? err.code : undefined;
  const code = typeof raw === 'string' || typeof raw === 'number' ? String(raw) : undefined;
  // Node's AggregateError for ECONNREFUSED on a dual-stack host has an empty message.
  return { error: err.message || code || err.name, code };
}

/** Resolves true if `promise` settled in time; the timer never outlives the wait. */
export async function withTimeout(promise: Promise<void>, ms: number): Promise<boolean> {
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
