// The recommended broker setup (docs/broker/): a real Mosquitto with the shipped ACL template and a
// password file made by mosquitto_passwd. A point may only write its own topics and read its own cmd/*.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { connectAsync, type IPublishPacket, type MqttClient } from 'mqtt';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { SecuredBroker } from '../../bench/fleet/broker.js';
import {
  type Credential,
  newCredential,
  RECEIVER_USER,
  writeSecretsFile,
} from '../../bench/fleet/credentials.js';
import { ManualClock } from '../../src/core/clock.js';
import { MemoryLogger } from '../../src/core/logger.js';
import { openLog } from '../../src/store/sqlite-log.js';
import { MqttUplink } from '../../src/uplink/mqtt-uplink.js';
import { loadSecurity } from '../../src/uplink/security.js';
import { sleep } from '../helpers/mosquitto.js';

const A = newCredential('point-a');
const B = newCredential('point-b');
const RECEIVER = newCredential(RECEIVER_USER);
/** How long "never arrives" waits after a message that did arrive (the broker handles a client in order). */
const SETTLE_MS = 300;

interface Seen {
  topic: string;
  payload: string;
}

let broker: SecuredBroker;
const clients: MqttClient[] = [];

async function client(
  cred: Credential,
  clientId = `${cred.username}-${clients.length}`,
): Promise<MqttClient> {
  const c = await connectAsync(broker.url, {
    protocolVersion: 5,
    username: cred.username,
    password: cred.password,
    clientId,
    clean: true,
    reconnectPeriod: 0,
  });
  clients.push(c);
  return c;
}

function record(c: MqttClient): Seen[] {
  const seen: Seen[] = [];
  c.on('message', (topic: string, payload: Buffer, _p: IPublishPacket) =>
    seen.push({ topic, payload: payload.toString() }),
  );
  return seen;
}

/** The PUBACK reason code of a QoS 1 publish: 0 (or undefined) accepted, ≥ 0x80 refused. */
async function pubackCode(c: MqttClient, topic: string, payload: string): Promise<number> {
  try {
    const packet = await c.publishAsync(topic, payload, { qos: 1 });
    return packet && 'reasonCode' in packet ? (packet.reasonCode ?? 0) : 0;
  } catch (err) {
    if (err instanceof Error && 'code' in err && typeof err.code === 'number') return err.code;
    throw err;
  }
}

async function subackCode(c: MqttClient, filter: string): Promise<number> {
  const granted = await c.subscribeAsync(filter, { qos: 1 });
  const first = granted[0];
  if (!first) throw new Error(`no SUBACK entry for ${filter}`);
  return first.qos;
}

/** Waits until `seen` holds a message on `topic` (the in-order marker), or fails. */
async function arrives(seen: Seen[], topic: string, timeoutMs = 5000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!seen.some((m) => m.topic === topic)) {
    if (Date.now() > deadline)
      throw new Error(`nothing on ${topic}; saw ${seen.map((m) => m.topic).join(', ')}`);
    await sleep(10);
  }
}

beforeAll(async () => {
  broker = new SecuredBroker({ users: [A, B, RECEIVER], isRoot: process.getuid?.() === 0 });
  await broker.start();
});

afterAll(async () => {
  await Promise.all(clients.map((c) => c.endAsync(true)));
  await broker?.dispose();
});

describe('shipped ACL template (docs/broker/aclfile) on a real Mosquitto', () => {
  it('refuses a wrong password and an unknown user at CONNECT', async () => {
    const bad = { ...A, password: 'not-it' };
    await expect(client(bad)).rejects.toMatchObject({ code: 0x87 });
    await expect(client(newCredential('point-z'))).rejects.toMatchObject({ code: 0x87 });
  });

  it("refuses a point's publish to another point's topics (PUBACK 0x87) and nobody sees it", async () => {
    const receiver = await client(RECEIVER);
    const atReceiver = record(receiver);
    await receiver.subscribeAsync('pima/v1/+/#', { qos: 1 });
    const b = await client(B);
    const atB = record(b);
    await b.subscribeAsync('pima/v1/point-b/cmd/+', { qos: 1 });
    const a = await client(A);
    for (const kind of ['status', 'online', 'telemetry', 'events', 'cmd/mode/result']) {
      expect(await pubackCode(a, `pima/v1/point-b/${kind}`, '{"forged":true}'), kind).toBe(0x87);
    }
    // Commands are the municipality's: a point may not send one to another point, nor to itself.
    expect(await pubackCode(a, 'pima/v1/point-b/cmd/mode', '{"mode":"closed"}')).toBe(0x87);
    expect(await pubackCode(a, 'pima/v1/point-a/cmd/mode', '{"mode":"closed"}')).toBe(0x87);
    expect(await pubackCode(a, 'pima/v1/other-prefix', '{}')).toBe(0x87);
    // Its own topics go through (PUBACK success) and reach the receiver, after everything above.
    expect(await pubackCode(a, 'pima/v1/point-a/status', '{"status":"OPEN"}')).toBeLessThan(0x80);
    await arrives(atReceiver, 'pima/v1/point-a/status');
    await sleep(SETTLE_MS);
    expect(atReceiver.filter((m) => m.payload.includes('forged') || m.topic.includes('/cmd/'))).toEqual([]);
    expect(atReceiver.map((m) => m.topic)).toEqual(['pima/v1/point-a/status']);
    expect(atB).toEqual([]);
  });

  it("never delivers another point's telemetry to a point, whatever it subscribes", async () => {
    const a = await client(A);
    const atA = record(a);
    // Mosquitto 2.0's acl_file checks reads when a message is delivered, not at SUBSCRIBE (its SUBACK
    // grants these filters; eclipse/mosquitto#803). A refusal code is fine too: what counts is that
    // nothing of point-b ever reaches point-a. fleet-dynsec.test.ts proves the setup that refuses at SUBACK.
    const codes: number[] = [];
    for (const f of ['pima/v1/point-b/telemetry', 'pima/v1/+/status', 'pima/v1/#', '#']) {
      codes.push(await subackCode(a, f));
    }
    for (const code of codes) expect([0, 1, 0x80, 0x87]).toContain(code);
    await a.subscribeAsync('pima/v1/point-a/cmd/+', { qos: 1 });
    const b = await client(B);
    expect(await pubackCode(b, 'pima/v1/point-b/telemetry', '{"records":[]}')).toBeLessThan(0x80);
    expect(await pubackCode(b, 'pima/v1/point-b/status', '{"status":"FULL"}')).toBeLessThan(0x80);
    // The marker: a command to point-a from the receiver, published after point-b's messages.
    const receiver = await client(RECEIVER);
    expect(await pubackCode(receiver, 'pima/v1/point-a/cmd/status', '{}')).toBeLessThan(0x80);
    await arrives(atA, 'pima/v1/point-a/cmd/status');
    await sleep(SETTLE_MS);
    // One copy per matching subscription (own cmd/+, and the wide filters that the ACL narrows to it).
    expect(new Set(atA.map((m) => m.topic))).toEqual(new Set(['pima/v1/point-a/cmd/status']));
    expect(atA.filter((m) => m.topic.includes('point-b'))).toEqual([]);
  });

  it('lets the receiver read every point and command any point', async () => {
    const receiver = await client(RECEIVER);
    const seen = record(receiver);
    await receiver.subscribeAsync('pima/v1/+/#', { qos: 1 });
    const a = await client(A);
    const b = await client(B);
    const atA = record(a);
    const atB = record(b);
    await a.subscribeAsync('pima/v1/point-a/cmd/+', { qos: 1 });
    await b.subscribeAsync('pima/v1/point-b/cmd/+', { qos: 1 });
    expect(await pubackCode(receiver, 'pima/v1/point-a/cmd/mode', '{"mode":"open"}')).toBeLessThan(0x80);
    expect(await pubackCode(receiver, 'pima/v1/point-b/cmd/announce', '{"text":"hi"}')).toBeLessThan(0x80);
    await arrives(atA, 'pima/v1/point-a/cmd/mode');
    await arrives(atB, 'pima/v1/point-b/cmd/announce');
    expect(await pubackCode(a, 'pima/v1/point-a/cmd/mode/result', '{"ok":true}')).toBeLessThan(0x80);
    expect(await pubackCode(b, 'pima/v1/point-b/telemetry', '{"records":[]}')).toBeLessThan(0x80);
    await arrives(seen, 'pima/v1/point-a/cmd/mode/result');
    await arrives(seen, 'pima/v1/point-b/telemetry');
    // ...but a receiver cannot forge a point's data.
    expect(await pubackCode(receiver, 'pima/v1/point-a/status', '{"status":"CLOSED"}')).toBe(0x87);
  });

  it('a real MqttUplink with its secrets file publishes online, status and telemetry without a refusal', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'pima-fleet-acl-'));
    const receiver = await client(RECEIVER);
    const seen = record(receiver);
    await receiver.subscribeAsync('pima/v1/point-a/#', { qos: 1 });
    const secretsFile = join(dir, 'secrets.yaml');
    writeSecretsFile(secretsFile, A);
    const log = openLog(join(dir, 'kiosk.db'));
    const logger = new MemoryLogger();
    const uplink = new MqttUplink({
      url: broker.url,
      topicPrefix: 'pima/v1',
      pointId: 'point-a',
      keepaliveSec: 30,
      reconnectMinMs: 100,
      reconnectMaxMs: 1000,
      batchMaxRecords: 50,
      security: loadSecurity({ url: broker.url, secretsFile, tls: { verifyServer: true } }),
      outbox: log,
      clock: new ManualClock(Date.now()),
      logger,
    });
    try {
      log.appendReadings([{ channel: 'battery.voltage', value: 12.8, ts: Date.now() }]);
      uplink.publishStatus({ status: 'OPEN', ts: new Date().toISOString() });
      await uplink.start();
      await arrives(seen, 'pima/v1/point-a/telemetry');
      await arrives(seen, 'pima/v1/point-a/status');
      await arrives(seen, 'pima/v1/point-a/online');
      const deadline = Date.now() + 5000;
      while (log.sentPosition('telemetry') < 1 && Date.now() < deadline) await sleep(20);
      expect(log.sentPosition('telemetry')).toBe(1);
      expect(logger.lines.filter((l) => /refus|not authori/i.test(l))).toEqual([]);
    } finally {
      await uplink.stop();
      log.close();
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
