// What the broker carries, measured two ways: a receiver (pima_receiver) counting every message on
// pima/v1/# per second, and the broker's own $SYS counters (sys_interval 1) read by pima_monitor.
// Both reconnect by themselves when the broker is restarted.
import { connect, type MqttClient } from 'mqtt';
import { ReconnectWindow } from '../../src/hub/ingest/reconnect-window.js';
import { DRAIN_HINT_LEVEL } from '../../src/uplink/drain-hint.js';
import type { Credential } from './credentials.js';
import { wallMs } from './point.js';
import { CounterSeries, SecondBins } from './stats.js';

/** What the receiver saw of one point's backlog batches (MQTT 5 key-range properties). */
export interface WatchedPoint {
  /** When its first backlog batch arrived (wallMs). */
  firstBatchAt: number | null;
  /** Highest lastSeq received per stream, and when. */
  lastSeq: { telemetry: number; events: number };
  lastAt: number | null;
}

export const SYS_TOPICS = {
  /** Every MQTT packet the broker received (PUBLISH, PUBACK, PINGREQ, CONNECT, ...). */
  packetsReceived: '$SYS/broker/messages/received',
  bytesReceived: '$SYS/broker/bytes/received',
  packetsSent: '$SYS/broker/messages/sent',
} as const;
const CONNECTED = '$SYS/broker/clients/connected';

type SysKey = keyof typeof SYS_TOPICS;

export class Meter {
  /** Application messages (topic + payload bytes) at the receiver, per second. */
  readonly received = new SecondBins();
  readonly sys: Record<SysKey, CounterSeries> = {
    packetsReceived: new CounterSeries(),
    bytesReceived: new CounterSeries(),
    packetsSent: new CounterSeries(),
  };
  /** Clients connected, as the broker last said (a gauge, once a second). */
  connected = 0;
  commandResults = 0;
  /** Wall time of the first `status` of each point since the last `resetStatus()`. */
  readonly statusAt = new Map<string, number>();
  private readonly clients: MqttClient[] = [];
  /** The hub's own count of points coming online (src/hub/ingest), for the drain hint it would publish. */
  private readonly reconnects = new ReconnectWindow();
  private readonly watched = new Map<string, WatchedPoint>();

  constructor(
    private readonly url: string,
    private readonly receiver: Credential,
    private readonly monitor: Credential,
  ) {}

  async start(): Promise<void> {
    const rx = this.client(this.receiver, 'fleet-receiver');
    rx.on('message', (topic, payload, packet) => {
      const now = Date.now();
      this.received.add(now, Buffer.byteLength(topic) + payload.length);
      if (topic.endsWith('/result')) this.commandResults += 1;
      const status = /^pima\/v1\/([^/]+)\/status$/.exec(topic);
      if (status?.[1] && !this.statusAt.has(status[1])) this.statusAt.set(status[1], now);
      if (!packet.retain && topic.endsWith('/online') && payload.includes('"online":true')) {
        this.reconnects.add(now);
      }
      const batch = /^pima\/v1\/([^/]+)\/(telemetry|events)$/.exec(topic);
      const w = batch?.[1] ? this.watched.get(batch[1]) : undefined;
      const last = packet.properties?.userProperties?.lastSeq;
      if (w && batch?.[2] && typeof last === 'string') {
        const at = wallMs();
        w.firstBatchAt ??= at;
        const stream = batch[2] as keyof WatchedPoint['lastSeq'];
        w.lastSeq[stream] = Math.max(w.lastSeq[stream], Number(last));
        w.lastAt = at;
      }
    });
    const mon = this.client(this.monitor, 'fleet-monitor');
    mon.on('message', (topic, payload) => {
      if (topic === CONNECTED) {
        this.connected = Number(payload.toString());
        return;
      }
      const key = (Object.keys(SYS_TOPICS) as SysKey[]).find((k) => SYS_TOPICS[k] === topic);
      const value = Number(payload.toString());
      if (!key || !Number.isFinite(value)) return;
      this.sys[key].add(Date.now(), value);
    });
    await Promise.all([
      subscribed(rx, 'pima/v1/#'),
      ...[...Object.values(SYS_TOPICS), CONNECTED].map((t) => subscribed(mon, t)),
    ]);
  }

  /** The receiver sends one command to a point (the ACL lets pima_receiver command any point). */
  command(pointId: string, name: string, body: Record<string, unknown>): void {
    this.clients[0]?.publish(`pima/v1/${pointId}/cmd/${name}`, JSON.stringify(body), { qos: 1 });
  }

  /** From now on, keep what arrives of `pointId`'s backlog batches. */
  watch(pointId: string): WatchedPoint {
    const w: WatchedPoint = { firstBatchAt: null, lastSeq: { telemetry: 0, events: 0 }, lastAt: null };
    this.watched.set(pointId, w);
    return w;
  }

  /** The spread the hub would publish now: from the points that came online in its last minute. */
  hubSpreadMs(): number {
    return this.reconnects.spreadMs(Date.now());
  }

  /**
   * Publishes the fleet's drain hint as the hub does (retained, as pima_receiver, which the shipped
   * ACL lets write it); undefined clears it (an empty retained message).
   */
  publishHint(spreadMs: number | undefined): Promise<void> {
    const payload = spreadMs === undefined ? '' : JSON.stringify({ spreadMs, ts: new Date().toISOString() });
    return new Promise((resolve, reject) => {
      this.clients[0]?.publish(`pima/v1/${DRAIN_HINT_LEVEL}`, payload, { qos: 1, retain: true }, (err) =>
        err ? reject(err) : resolve(),
      );
    });
  }

  /** Before a broker restart: forget the status times and the last connected count. */
  resetRound(): void {
    this.statusAt.clear();
    this.connected = 0;
  }

  async stop(): Promise<void> {
    await Promise.all(this.clients.map((c) => c.endAsync(true)));
  }

  private client(cred: Credential, clientId: string): MqttClient {
    // QoS 1 and a large receive maximum: the counting must never drop what the points sent.
    const c = connect(this.url, {
      protocolVersion: 5,
      clientId,
      username: cred.username,
      password: cred.password,
      clean: true,
      reconnectPeriod: 200,
      properties: { receiveMaximum: 65_535 },
    });
    c.on('error', () => undefined);
    this.clients.push(c);
    return c;
  }
}

/** Subscribes now if connected, else on connect; mqtt.js resubscribes after every reconnect. */
function subscribed(c: MqttClient, filter: string): Promise<void> {
  return new Promise((resolve, reject) => {
    const go = (): void => {
      c.subscribe(filter, { qos: 1 }, (err) => (err ? reject(err) : resolve()));
    };
    if (c.connected) go();
    else c.once('connect', go);
  });
}
