// Probes for the broker access-control tests (fleet-acl, fleet-dynsec): clients with a point's
// credentials, the reason codes of PUBACK and SUBACK, and a real MqttUplink run against the setup.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { connectAsync, type IClientOptions, type MqttClient } from 'mqtt';
import { expect } from 'vitest';
import { type Credential, writeSecretsFile } from '../../bench/fleet/credentials.js';
import { ManualClock } from '../../src/core/clock.js';
import { MemoryLogger } from '../../src/core/logger.js';
import { openLog } from '../../src/store/sqlite-log.js';
import { MqttUplink } from '../../src/uplink/mqtt-uplink.js';
import { loadSecurity } from '../../src/uplink/security.js';
import { sleep } from './mosquitto.js';
import { sampleStatus } from './status.js';

/** How long "never arrives" waits after a message that did arrive (the broker handles a client in order). */
export const SETTLE_MS = 300;

export interface Seen {
  topic: string;
  payload: string;
}

/** The clients a test file opened, each with a distinct id, all ended by `endAll`. */
export class BrokerClients {
  private readonly clients: MqttClient[] = [];

  /** `clientId`: the id a credential connects with (dynamic security binds a point to its uplink's). */
  constructor(
    private readonly url: () => string,
    private readonly clientId: (cred: Credential, n: number) => string = (cred, n) => `${cred.username}-${n}`,
  ) {}

  async connect(cred: Credential, opts: IClientOptions = {}): Promise<MqttClient> {
    const c = await connectAsync(this.url(), {
      protocolVersion: 5,
      username: cred.username,
      password: cred.password,
      clientId: this.clientId(cred, this.clients.length),
      clean: true,
      reconnectPeriod: 0,
      ...opts,
    });
    this.clients.push(c);
    return c;
  }

  async endAll(): Promise<void> {
    await Promise.all(this.clients.splice(0).map((c) => c.endAsync(true)));
  }
}

export function record(c: MqttClient): Seen[] {
  const seen: Seen[] = [];
  c.on('message', (topic: string, payload: Buffer) => seen.push({ topic, payload: payload.toString() }));
  return seen;
}

/** The PUBACK reason code of a QoS 1 publish: 0 (or undefined) accepted, ≥ 0x80 refused. */
export async function pubackCode(c: MqttClient, topic: string, payload: string): Promise<number> {
  try {
    const packet = await c.publishAsync(topic, payload, { qos: 1 });
    return packet && 'reasonCode' in packet ? (packet.reasonCode ?? 0) : 0;
  } catch (err) {
    if (err instanceof Error && 'code' in err && typeof err.code === 'number') return err.code;
    throw err;
  }
}

/**
 * The SUBACK's code for one filter, read from the packet itself: mqtt.js rejects subscribeAsync on a
 * refusal without the code, but hands the SUBACK to the callback.
 */
export function subackCode(c: MqttClient, filter: string): Promise<number> {
  return new Promise((resolve, reject) => {
    c.subscribe(filter, { qos: 1 }, (err, _granted, packet) => {
      const code = packet?.granted[0];
      if (typeof code === 'number') resolve(code);
      else reject(err ?? new Error(`no SUBACK code for ${filter}`));
    });
  });
}

/** Waits until `seen` holds a message on `topic` (the in-order marker), or fails. */
export async function arrives(seen: Seen[], topic: string, timeoutMs = 5000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!seen.some((m) => m.topic === topic)) {
    if (Date.now() > deadline)
      throw new Error(`nothing on ${topic}; saw ${seen.map((m) => m.topic).join(', ')}`);
    await sleep(10);
  }
}

/**
 * The service's own uplink, with `point`'s secrets file, against the broker at `url`: online, status
 * and telemetry reach `receiver` (subscribed to the point's topics here), the reading is acknowledged,
 * and nothing in the uplink's log speaks of a refusal.
 */
export async function expectUplinkAccepted(
  url: string,
  receiver: MqttClient,
  point: Credential,
): Promise<void> {
  const work = mkdtempSync(join(tmpdir(), 'pima-broker-uplink-'));
  const seen = record(receiver);
  await receiver.subscribeAsync(`pima/v1/${point.username}/#`, { qos: 1 });
  const secretsFile = join(work, 'secrets.yaml');
  writeSecretsFile(secretsFile, point);
  const log = openLog(join(work, 'kiosk.db'));
  const logger = new MemoryLogger();
  const uplink = new MqttUplink({
    url,
    topicPrefix: 'pima/v1',
    pointId: point.username,
    keepaliveSec: 30,
    reconnectMinMs: 100,
    reconnectMaxMs: 1000,
    batchMaxRecords: 50,
    // the test broker listens on plain mqtt:// on loopback
    security: loadSecurity({ url, secretsFile, allowPlaintextPassword: true, tls: { verifyServer: true } }),
    outbox: log,
    clock: new ManualClock(Date.now()),
    logger,
  });
  try {
    log.appendReadings([{ channel: 'battery.voltage', value: 12.8, ts: Date.now() }]);
    uplink.publishStatus(sampleStatus({ status: 'OPEN', ts: new Date().toISOString() }));
    await uplink.start();
    for (const kind of ['telemetry', 'status', 'online'])
      await arrives(seen, `pima/v1/${point.username}/${kind}`);
    const deadline = Date.now() + 5000;
    while (log.sentPosition('telemetry') < 1 && Date.now() < deadline) await sleep(20);
    expect(log.sentPosition('telemetry')).toBe(1);
    expect(logger.lines.filter((l) => /refus|not authori/i.test(l))).toEqual([]);
  } finally {
    await uplink.stop();
    log.close();
    rmSync(work, { recursive: true, force: true });
  }
}

/**
 * Issue 13's client-id takeover: with `attacker`'s credentials, connect again and again under the client
 * id the `victim` point is connected with. The broker must either refuse those connections or give them
 * another id: the victim stays connected and its last will ("lost") is never published. Then, as the
 * check that the probe would notice: the victim's own credentials under that id do end its session.
 */
export async function expectNoTakeover(
  url: string,
  clients: BrokerClients,
  attacker: Credential,
  victim: Credential,
  victimClientId: string,
  receiver: MqttClient,
): Promise<{ refused: number; accepted: number }> {
  const online = `pima/v1/${victim.username}/online`;
  const seen = record(receiver);
  expect(await subackCode(receiver, online)).toBeLessThan(0x80);
  const will = {
    topic: online,
    payload: Buffer.from('{"online":false,"reason":"lost"}'),
    qos: 1 as const,
    retain: false,
  };
  const target = await clients.connect(victim, { clientId: victimClientId, will });
  let closes = 0;
  target.on('close', () => {
    closes += 1;
  });
  let refused = 0;
  let accepted = 0;
  for (let i = 0; i < 10; i++) {
    try {
      const c = await connectAsync(url, {
        protocolVersion: i % 2 === 0 ? 5 : 4,
        username: attacker.username,
        password: attacker.password,
        clientId: victimClientId,
        clean: true,
        reconnectPeriod: 0,
        connectTimeout: 5000,
      });
      accepted += 1;
      await c.endAsync(true);
    } catch {
      refused += 1;
    }
  }
  await sleep(SETTLE_MS);
  expect(closes).toBe(0);
  expect(target.connected).toBe(true);
  expect(await pubackCode(target, online, '{"online":true}')).toBeLessThan(0x80);
  await arrives(seen, online);
  expect(seen.filter((m) => m.payload.includes('lost'))).toEqual([]);

  // The same id with the victim's own credentials does replace the session: the probe can see a takeover.
  const again = await clients.connect(victim, { clientId: victimClientId });
  const deadline = Date.now() + 5000;
  while (closes === 0 && Date.now() < deadline) await sleep(20);
  expect(closes).toBeGreaterThan(0);
  await again.endAsync(true);
  return { refused, accepted };
}
