// The second recommended broker setup (docs/broker/README.md, "Dynamic security"): a real Mosquitto with
// mosquitto_dynamic_security.so and the config written by scripts/broker-dynsec.mjs, one client and one
// role per point. What it adds over the acl_file setup (fleet-acl.test.ts) is the SUBSCRIBE check.
//
// The acl_file setup, measured on Mosquitto 2.0.11: point-a's SUBSCRIBE to `pima/v1/point-b/cmd/#` and
// to `#` is granted, SUBACK 0x01 (QoS 1) with MQTT 5 and with 3.1.1 alike; the ACL then only filters
// what is delivered. Here the same SUBSCRIBE gets 0x87 (MQTT 5) or 0x80 (3.1.1).
// In 2.0.11 the plugin takes %u and %c in an ACL topic literally (they arrive in 2.1), hence one role
// per point rather than one pattern role.
import { execFileSync } from 'node:child_process';
import {
  accessSync,
  chmodSync,
  constants,
  mkdtempSync,
  readFileSync,
  rmSync,
  statSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { connectAsync } from 'mqtt';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { handToBroker, newCredential, RECEIVER_USER, repoRoot } from '../../bench/fleet/credentials.js';
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
import { type Mosquitto, sleep, startMosquitto } from '../helpers/mosquitto.js';

const A = newCredential('point-a');
const B = newCredential('point-b');
const RECEIVER = newCredential(RECEIVER_USER);
const SCRIPT = join(repoRoot(), 'scripts', 'broker-dynsec.mjs');

/** Where Debian/Ubuntu (per architecture), other Linux builds and Homebrew put the plugin. */
function findDynsecPlugin(): string {
  const candidates = [
    '/usr/lib/x86_64-linux-gnu/mosquitto_dynamic_security.so',
    '/usr/lib/aarch64-linux-gnu/mosquitto_dynamic_security.so',
    '/usr/lib/arm-linux-gnueabihf/mosquitto_dynamic_security.so',
    '/usr/lib/mosquitto_dynamic_security.so',
    '/usr/local/lib/mosquitto_dynamic_security.so',
    '/opt/homebrew/lib/mosquitto_dynamic_security.so',
  ];
  for (const c of candidates) {
    try {
      accessSync(c, constants.R_OK);
      return c;
    } catch {
      // not here
    }
  }
  throw new Error('mosquitto_dynamic_security.so not found (Debian: it ships in the mosquitto package)');
}

let dir: string;
let configFile: string;
let passwordsFile: string;
let broker: Mosquitto;
// A point's client is bound to its uplink's id (pima-kiosk-{point.id}); the service users choose theirs.
const clients = new BrokerClients(
  () => broker.url,
  (cred, n) => (cred.username.startsWith('pima_') ? `${cred.username}-${n}` : `pima-kiosk-${cred.username}`),
);
const client = clients.connect.bind(clients);

function runScript(config = configFile, passwords = passwordsFile): string {
  return execFileSync(process.execPath, [SCRIPT, '--config', config, '--passwords', passwords], {
    encoding: 'utf8',
  });
}

interface DynsecFile {
  clients: { username: string; password: string; roles: { rolename: string }[] }[];
  roles: { rolename: string }[];
}

function readDynsec(file: string): DynsecFile {
  return JSON.parse(readFileSync(file, 'utf8')) as DynsecFile;
}

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'pima-fleet-dynsec-'));
  // Traversable by the broker's own user (it drops root before the plugin reads and rewrites the file).
  chmodSync(dir, 0o711);
  configFile = join(dir, 'dynamic-security.json');
  passwordsFile = join(dir, 'users.txt');
  writeFileSync(passwordsFile, [A, B, RECEIVER].map((u) => `${u.username}:${u.password}\n`).join(''), {
    mode: 0o600,
  });
  runScript();
  handToBroker([configFile], process.getuid?.() === 0);
  broker = await startMosquitto({
    config: [
      // Later lines win over the helper's `allow_anonymous true`.
      'allow_anonymous false',
      `plugin ${findDynsecPlugin()}`,
      `plugin_opt_config_file ${configFile}`,
    ].join('\n'),
  });
});

afterAll(async () => {
  await clients.endAll();
  await broker?.stop();
  if (dir) rmSync(dir, { recursive: true, force: true });
});

describe('scripts/broker-dynsec.mjs', () => {
  it('writes a 0600 file with hashes only, and the same bytes when run again', () => {
    const first = readFileSync(configFile, 'utf8');
    expect(statSync(configFile).mode & 0o777).toBe(0o600);
    for (const u of [A, B, RECEIVER]) expect(first).not.toContain(u.password);
    expect(runScript()).toMatch(/unchanged \(3 users\)/);
    expect(readFileSync(configFile, 'utf8')).toBe(first);
  });

  it("revokes a point left out of the list, keeps others' hashes and users it did not make, and the owner", () => {
    const copy = join(dir, 'copy.json');
    const withAdmin = readDynsec(configFile);
    // As `mosquitto_ctrl dynsec init` leaves it: an admin user with a role of its own.
    withAdmin.clients.push({ username: 'pima_admin', password: 'x', roles: [{ rolename: 'admin' }] });
    withAdmin.roles.push({ rolename: 'admin' });
    writeFileSync(copy, JSON.stringify(withAdmin), { mode: 0o600 });
    handToBroker([copy], process.getuid?.() === 0);
    const owner = statSync(copy);
    const list = join(dir, 'users-2.txt');
    const C = newCredential('point-c');
    // point-a by name alone (its password stays), point-b left out, point-c new.
    writeFileSync(list, `point-a\n${RECEIVER.username}\n${C.username}:${C.password}\n`, { mode: 0o600 });
    expect(runScript(copy, list)).toMatch(/removed point-b/);
    const after = readDynsec(copy);
    expect(after.clients.map((c) => c.username).sort()).toEqual([
      'pima_admin',
      'pima_receiver',
      'point-a',
      'point-c',
    ]);
    expect(after.roles.map((r) => r.rolename)).not.toContain('pima-point-point-b');
    expect(after.roles.map((r) => r.rolename)).toContain('admin');
    const hashOf = (f: DynsecFile, u: string): string | undefined =>
      f.clients.find((c) => c.username === u)?.password;
    expect(hashOf(after, 'point-a')).toBe(hashOf(withAdmin, 'point-a'));
    // Still readable by the broker's own user after the rewrite (a root-owned file would lock all out).
    expect([statSync(copy).uid, statSync(copy).gid]).toEqual([owner.uid, owner.gid]);
  });
});

describe('dynamic security setup (docs/broker/README.md) on a real Mosquitto', () => {
  it('refuses a wrong password, an unknown user and an anonymous client at CONNECT', async () => {
    await expect(client({ ...A, password: 'not-it' })).rejects.toMatchObject({ code: 0x87 });
    await expect(client(newCredential('point-z'))).rejects.toMatchObject({ code: 0x87 });
    const anonymous = connectAsync(broker.url, { protocolVersion: 5, reconnectPeriod: 0 });
    await expect(anonymous).rejects.toMatchObject({ code: 0x87 });
  });

  it("refuses a point's SUBSCRIBE to another point's topics and to # in the SUBACK, MQTT 5 and 3.1.1", async () => {
    const others = [
      'pima/v1/point-b/cmd/#',
      'pima/v1/point-b/telemetry',
      'pima/v1/+/status',
      'pima/v1/#',
      '#',
    ];
    // One session per point (its client id is bound): MQTT 5 first, then 3.1.1.
    for (const [version, refusal] of [
      [5, 0x87],
      [4, 0x80],
    ] as const) {
      const a = await client(A, { protocolVersion: version });
      for (const f of others) expect(await subackCode(a, f), `MQTT ${version} ${f}`).toBe(refusal);
      // As narrow as the acl_file: even its own data is not its to read back, only its commands.
      if (version === 5) expect(await subackCode(a, 'pima/v1/point-a/#')).toBe(0x87);
      expect(await subackCode(a, 'pima/v1/point-a/cmd/+')).toBe(1);
      // And nothing of point-b reaches it: point-b's data, then the in-order marker (a command to point-a).
      const atA = record(a);
      const b = await client(B);
      expect(await pubackCode(b, 'pima/v1/point-b/telemetry', '{"records":[]}')).toBeLessThan(0x80);
      const receiver = await client(RECEIVER);
      expect(await pubackCode(receiver, 'pima/v1/point-b/cmd/status', '{}')).toBeLessThan(0x80);
      expect(await pubackCode(receiver, 'pima/v1/point-a/cmd/status', '{}')).toBeLessThan(0x80);
      await arrives(atA, 'pima/v1/point-a/cmd/status');
      await sleep(SETTLE_MS);
      expect(atA.map((m) => m.topic)).toEqual(['pima/v1/point-a/cmd/status']);
      await a.endAsync(true);
    }
  });

  it("refuses a point's PUBLISH to another point's topics (PUBACK 0x87) and nobody sees it", async () => {
    const receiver = await client(RECEIVER);
    const atReceiver = record(receiver);
    expect(await subackCode(receiver, 'pima/v1/+/#')).toBe(1);
    const b = await client(B);
    const atB = record(b);
    expect(await subackCode(b, 'pima/v1/point-b/cmd/+')).toBe(1);
    // A last will naming point-b's topic is accepted at CONNECT but checked when sent: dropped.
    const forger = await client(A, {
      will: {
        topic: 'pima/v1/point-b/online',
        payload: Buffer.from('{"forged":true}'),
        qos: 1,
        retain: true,
      },
    });
    forger.stream.destroy();
    await sleep(SETTLE_MS);
    const a = await client(A);
    for (const kind of ['status', 'online', 'telemetry', 'events', 'cmd/mode/result', 'cmd/mode']) {
      expect(await pubackCode(a, `pima/v1/point-b/${kind}`, '{"forged":true}'), kind).toBe(0x87);
    }
    // Commands are the municipality's, not even to itself; nothing outside pima/v1/point-a either.
    expect(await pubackCode(a, 'pima/v1/point-a/cmd/mode', '{"forged":true}')).toBe(0x87);
    expect(await pubackCode(a, 'elsewhere', '{"forged":true}')).toBe(0x87);
    expect(await pubackCode(a, 'pima/v1/point-a/status', '{"status":"OPEN"}')).toBeLessThan(0x80);
    await arrives(atReceiver, 'pima/v1/point-a/status');
    await sleep(SETTLE_MS);
    expect(atReceiver.filter((m) => m.payload.includes('forged'))).toEqual([]);
    expect(atB).toEqual([]);
  });

  it('lets a point use its own topics both ways, and the municipality read it and command it', async () => {
    const receiver = await client(RECEIVER);
    const atReceiver = record(receiver);
    expect(await subackCode(receiver, 'pima/v1/+/#')).toBe(1);
    // Shared subscriptions (README: several receivers) pass too; `#` is beyond the receiver's role.
    expect(await subackCode(receiver, '$share/ingest/pima/v1/+/telemetry')).toBe(1);
    expect(await subackCode(receiver, '#')).toBe(0x87);
    const a = await client(A);
    const atA = record(a);
    expect(await subackCode(a, 'pima/v1/point-a/cmd/+')).toBe(1);
    for (const kind of ['online', 'status', 'telemetry', 'events']) {
      expect(await pubackCode(a, `pima/v1/point-a/${kind}`, `{"${kind}":1}`), kind).toBeLessThan(0x80);
      await arrives(atReceiver, `pima/v1/point-a/${kind}`);
    }
    expect(await pubackCode(receiver, 'pima/v1/point-a/cmd/mode', '{"mode":"open"}')).toBeLessThan(0x80);
    await arrives(atA, 'pima/v1/point-a/cmd/mode');
    expect(atA.find((m) => m.topic === 'pima/v1/point-a/cmd/mode')?.payload).toBe('{"mode":"open"}');
    expect(await pubackCode(a, 'pima/v1/point-a/cmd/mode/result', '{"ok":true}')).toBeLessThan(0x80);
    await arrives(atReceiver, 'pima/v1/point-a/cmd/mode/result');
    // ...but the municipality cannot forge a point's data.
    expect(await pubackCode(receiver, 'pima/v1/point-a/status', '{"status":"CLOSED"}')).toBe(0x87);
  });

  it("lets the municipality set a point's desired state, which only that point may read, and a point publish its info", async () => {
    const a = await client(A);
    const atA = record(a);
    expect(await subackCode(a, 'pima/v1/point-a/desired')).toBe(1);
    const b = await client(B);
    expect(await subackCode(b, 'pima/v1/point-a/desired')).toBe(0x87);
    expect(await pubackCode(a, 'pima/v1/point-a/desired', '{"forged":true}')).toBe(0x87);
    expect(await pubackCode(b, 'pima/v1/point-a/info', '{"forged":true}')).toBe(0x87);
    expect(await pubackCode(a, 'pima/v1/point-a/info', '{"ts":"2026-12-01T08:00:00Z"}')).toBeLessThan(0x80);
    const receiver = await client(RECEIVER);
    const desired = '{"id":"d1","issuedAt":"2026-12-01T08:00:00Z","mode":"closed"}';
    expect(await pubackCode(receiver, 'pima/v1/point-a/desired', desired)).toBeLessThan(0x80);
    await arrives(atA, 'pima/v1/point-a/desired');
    await sleep(SETTLE_MS);
    expect(atA.map((m) => m.payload)).toEqual([desired]);
  });

  it("a point's credentials cannot connect as another point or end its session (a client id per client)", async () => {
    // point-a's credentials under point-b's client id are refused at CONNECT: point-b keeps its session
    const { refused } = await expectNoTakeover(
      broker.url,
      clients,
      A,
      B,
      'pima-kiosk-point-b',
      await client(RECEIVER),
    );
    expect(refused).toBe(10);
    // nor can point-a use any id but its own
    await expect(client(A, { clientId: 'point-a-2' })).rejects.toMatchObject({ code: expect.any(Number) });
  });

  it('a real MqttUplink with its secrets file publishes online, status and telemetry without a refusal', async () => {
    await expectUplinkAccepted(broker.url, await client(RECEIVER), A);
  });
});
