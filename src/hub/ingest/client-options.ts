/**
 * mqtt.js options of the hub's connection: a persistent session (clean false, session expiry), a stable
 * client id, QoS 1 only, and our own SUBSCRIBE after every connect (resubscribe off). Pure.
 */
import type { IClientOptions } from 'mqtt';
import { securityOptions } from '../../uplink/client-options.js';
import type { UplinkSecurity } from '../../uplink/security.js';
import { hubFilters, sharedFilter } from './topics.js';

export type ProtocolVersion = 4 | 5;

export interface HubConnectionConfig {
  clientId: string;
  keepaliveSec: number;
  sessionExpirySec: number;
  receiveMaximum: number;
  reconnectMinMs: number;
  security: UplinkSecurity | undefined;
}

export function hubClientOptions(cfg: HubConnectionConfig, version: ProtocolVersion): IClientOptions {
  const options: IClientOptions = {
    protocolVersion: version,
    clientId: cfg.clientId,
    clean: false,
    keepalive: cfg.keepaliveSec,
    reconnectPeriod: cfg.reconnectMinMs,
    connectTimeout: 30_000,
    // mqtt.js resubscribes only when the broker lost the session; Mosquitto 2.0.11 keeps a shared
    // subscription on disk but delivers nothing on it until it is sent again (docs/hub.md).
    resubscribe: false,
    queueQoSZero: false,
    ...securityOptions(cfg.security),
  };
  if (version === 5) {
    options.properties = { sessionExpiryInterval: cfg.sessionExpirySec, receiveMaximum: cfg.receiveMaximum };
  }
  return options;
}

/**
 * What one hub subscribes to. On MQTT 5 the record streams, status and command results are shared by
 * the group; `online` and `info` are not, so every hub gets their retained copies at once (a broker
 * sends no retained messages on a shared subscription) and knows every point from its first minute.
 * MQTT 3.1.1 has no sharing, and `group` undefined (mqtt.shared false) asks for none: everything plain.
 */
export function hubSubscriptions(
  prefix: string,
  group: string | undefined,
  version: ProtocolVersion,
): string[] {
  const everyHub = new Set([`${prefix}/+/online`, `${prefix}/+/info`]);
  const share = (f: string) => group !== undefined && version === 5 && !everyHub.has(f);
  return hubFilters(prefix).map((f) => (share(f) && group !== undefined ? sharedFilter(group, f) : f));
}
