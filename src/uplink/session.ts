/**
 * One mqtt.js client = one network connection: its per-connection state, the QoS 1 publish, and a
 * bounded clean end on stop (offline message, then DISCONNECT). A reconnect builds a fresh session so
 * no stale queue replays. Separate from the reconnect loop, which only decides when sessions come and go.
 */
import type { IClientPublishOptions, MqttClient } from 'mqtt';
import type { Logger } from '../core/logger.js';
import type { BacklogGate } from './backlog-gate.js';
import type { BrokerLimits, ProtocolVersion } from './client-options.js';
import { describeError } from './log-fields.js';
import type { Outgoing, Sender } from './sender.js';

export interface Session {
  readonly client: MqttClient;
  readonly version: ProtocolVersion;
  connected: boolean;
  limits: BrokerLimits;
  /** The in-flight window, from CONNACK on. */
  sender: Sender | undefined;
  /** When the backlog may go, from CONNACK on. */
  gate: BacklogGate | undefined;
}

/** Everything goes at QoS 1; MQTT 5 properties are dropped on a 3.1.1 connection. */
export function publishOn(s: Session, m: Outgoing, settled: (err?: Error) => void): void {
  const options: IClientPublishOptions = { qos: 1, retain: m.retain ?? false };
  if (s.version === 5 && m.properties) options.properties = m.properties;
  s.client.publish(m.topic, m.payload, options, (err) => settled(err));
}

/** The retained offline message of a deliberate stop, waiting at most `timeoutMs` for its PUBACK. */
export async function sayGoodbye(
  s: Session,
  topic: string,
  ts: string,
  timeoutMs: number,
  logger: Logger,
): Promise<void> {
  const payload = JSON.stringify({ online: false, ts, reason: 'stopped' });
  const acked = new Promise<void>((resolve) => {
    s.client.publish(topic, payload, { qos: 1, retain: true }, (err) => {
      if (err) logger.debug('offline message not acknowledged', describeError(err));
      resolve();
    });
  });
  if (!(await withTimeout(acked, timeoutMs))) {
    logger.warn('broker did not acknowledge the offline message in time');
  }
}

/** A clean DISCONNECT (the broker then drops the last will); the socket is destroyed if that stalls. */
export async function endClient(s: Session, timeoutMs: number, logger: Logger): Promise<void> {
  const ended = new Promise<void>((resolve) => s.client.end(!s.connected, {}, () => resolve()));
  if (await withTimeout(ended, timeoutMs)) return;
  logger.warn('broker did not confirm the disconnect in time; closing the socket');
  // mqtt.js may never call back now (it waits for PUBACKs that cannot come): do not wait again.
  s.client.stream.destroy();
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
