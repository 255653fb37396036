// The recommended broker setup (docs/broker/): a real Mosquitto with the shipped ACL template and a
// password file made by mosquitto_passwd. A point may only write its own topics and read its own cmd/*.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { SecuredBroker } from '../../bench/fleet/broker.js';
import { newCredential, RECEIVER_USER } from '../../bench/fleet/credentials.js';
import {
  arrives,
  BrokerClients,
  expectNoTakeover,
  expectUplinkAccepted,
  pubackCode,
  record,
  SETTLE_MS,
  subackCode,
} from '../helpers/broker-probe.js';
import { sleep } from '../helpers/mosquitto.js';

const A = newCredential('point-a');
const B = newCredential('point-b');
const RECEIVER = newCredential(RECEIVER_USER);
let broker: SecuredBroker;
const clients = new BrokerClients(() => broker.url);
const client = clients.connect.bind(clients);

beforeAll(async () => {
  broker = new SecuredBroker({ users: [A, B, RECEIVER], isRoot: process.getuid?.() === 0 });
  await broker.start();
});

afterAll(async () => {
  await clients.endAll();
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

  it("lets the hub set a point's desired state, which only that point reads, and a point publish only its own info", async () => {
    const a = await client(A);
    const atA = record(a);
    await a.subscribeAsync('pima/v1/point-a/desired', { qos: 1 });
    const b = await client(B);
    const atB = record(b);
    await b.subscribeAsync('pima/v1/point-a/desired', { qos: 1 });
    // a point can neither set a desired state (its own or another's) nor publish another point's info
    expect(await pubackCode(a, 'pima/v1/point-a/desired', '{"forged":true}')).toBe(0x87);
    expect(await pubackCode(b, 'pima/v1/point-a/desired', '{"forged":true}')).toBe(0x87);
    expect(await pubackCode(b, 'pima/v1/point-a/info', '{"forged":true}')).toBe(0x87);
    expect(await pubackCode(a, 'pima/v1/point-a/info', '{"ts":"2026-12-01T08:00:00Z"}')).toBeLessThan(0x80);
    const receiver = await client(RECEIVER);
    const desired = '{"id":"d1","issuedAt":"2026-12-01T08:00:00Z","mode":"closed"}';
    expect(await pubackCode(receiver, 'pima/v1/point-a/desired', desired)).toBeLessThan(0x80);
    await arrives(atA, 'pima/v1/point-a/desired');
    await sleep(SETTLE_MS);
    expect(atA.map((m) => m.payload)).toEqual([desired]);
    expect(atB).toEqual([]);
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

  it("a point's credentials cannot connect as another point or end its session (use_username_as_clientid)", async () => {
    // point-b connected as its uplink does; point-a's credentials under that id and under point-b's
    // username: the broker makes both "point-a", so point-b keeps its session and no "lost" will goes out
    for (const id of ['pima-kiosk-point-b', 'point-b']) {
      const { accepted } = await expectNoTakeover(broker.url, clients, A, B, id, await client(RECEIVER));
      expect(accepted).toBe(10);
    }
  });

  it('a real MqttUplink with its secrets file publishes online, status and telemetry without a refusal', async () => {
    await expectUplinkAccepted(broker.url, await client(RECEIVER), A);
  });
});
