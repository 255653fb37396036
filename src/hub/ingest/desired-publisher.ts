/** Publishes a point's retained `desired` message once, QoS 1, and waits for the broker's PUBACK. */
import { connectAsync, type IClientOptions } from 'mqtt';
import { refusedProtocol, securityOptions } from '../../uplink/client-options.js';
import type { UplinkSecurity } from '../../uplink/security.js';
import { desiredTopic } from './topics.js';

export interface PublishTarget {
  url: string;
  topicPrefix: string;
  clientId: string;
  security: UplinkSecurity | undefined;
}

export async function publishDesired(target: PublishTarget, point: string, payload: string): Promise<void> {
  let version: 4 | 5 = 5;
  for (;;) {
    try {
      const client = await connectAsync(target.url, options(target, version));
      try {
        await client.publishAsync(desiredTopic(target.topicPrefix, point), payload, { qos: 1, retain: true });
      } finally {
        await client.endAsync();
      }
      return;
    } catch (err) {
      if (version === 5 && refusedProtocol(err)) {
        version = 4;
        continue;
      }
      throw err;
    }
  }
}

function options(t: PublishTarget, version: 4 | 5): IClientOptions {
  return {
    protocolVersion: version,
    clientId: t.clientId,
    clean: true,
    reconnectPeriod: 0,
    connectTimeout: 10_000,
    ...securityOptions(t.security),
  };
}
