import { execFileSync } from 'node:child_process';
import { chmodSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ManualClock } from '../../src/core/clock.js';
import { MemoryLogger } from '../../src/core/logger.js';
import { MqttUplink } from '../../src/uplink/mqtt-uplink.js';
import { cli } from '../helpers/cli.js';
import { FakeOutbox } from '../helpers/fake-outbox.js';
import { type Mosquitto, sleep, startMosquitto } from '../helpers/mosquitto.js';

let dir: string;

beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), 'pima-tls-'));
});

afterAll(() => rmSync(dir, { recursive: true, force: true }));

function openssl(args: string[]): void {
  execFileSync('openssl', args, { cwd: dir, stdio: 'ignore' });
}

/** A throwaway CA and a broker certificate for localhost/127.0.0.1 signed by it. */
function makeCertificates(): void {
  openssl([
    'req',
    '-x509',
    '-newkey',
    'rsa:2048',
    '-nodes',
    '-keyout',
    'ca.key',
    '-out',
    'ca.pem',
    '-days',
    '2',
    '-subj',
    '/CN=pima-test-ca',
  ]);
  openssl([
    'req',
    '-newkey',
    'rsa:2048',
    '-nodes',
    '-keyout',
    'server.key',
    '-out',
    'server.csr',
    '-subj',
    '/CN=localhost',
  ]);
  writeFileSync(join(dir, 'san.ext'), 'subjectAltName=DNS:localhost,IP:127.0.0.1\n');
  openssl([
    'x509',
    '-req',
    '-in',
    'server.csr',
    '-CA',
    'ca.pem',
    '-CAkey',
    'ca.key',
    '-CAcreateserial',
    '-out',
    'server.pem',
    '-days',
    '2',
    '-extfile',
    'san.ext',
  ]);
  // mosquitto run as root drops to its own user: it must be able to read these test-only files.
  chmodSync(dir, 0o755);
  for (const f of ['ca.pem', 'server.pem', 'server.key']) chmodSync(join(dir, f), 0o644);
}

async function until(cond: () => boolean, timeoutMs = 10_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!cond()) {
    if (Date.now() > deadline) throw new Error('timed out');
    await sleep(10);
  }
}

describe('uplink security', () => {
  it('verifies the broker certificate by default over mqtts, and connects with the right CA', async () => {
    makeCertificates();
    // The helper picks the port (a free one found first could be taken before mosquitto binds it).
    const broker: Mosquitto = await startMosquitto({
      config: [
        `cafile ${join(dir, 'ca.pem')}`,
        `certfile ${join(dir, 'server.pem')}`,
        `keyfile ${join(dir, 'server.key')}`,
      ].join('\n'),
    });
    const base = {
      url: `mqtts://localhost:${broker.port}`,
      topicPrefix: 'pima/tls',
      pointId: 'tls-point',
      keepaliveSec: 10,
      reconnectMinMs: 50,
      reconnectMaxMs: 200,
      batchMaxRecords: 10,
      clock: new ManualClock(0),
    };
    const untrusted = new MemoryLogger();
    const u1 = new MqttUplink({ ...base, outbox: new FakeOutbox(), logger: untrusted });
    const trusted = new MemoryLogger();
    const outbox = new FakeOutbox();
    outbox.addReadings([{ channel: 'battery.soc', value: 80, ts: 0 }]);
    const u2 = new MqttUplink({
      ...base,
      clientId: 'pima-kiosk-tls-2',
      outbox,
      logger: trusted,
      security: { rejectUnauthorized: true, ca: readFileSync(join(dir, 'ca.pem')) },
    });
    try {
      await u1.start();
      await u2.start();
      await until(() => outbox.sentPosition('telemetry') === 1).catch((e) => {
        throw new Error(`${e}: ${trusted.lines.join('\n')}`);
      });
      await until(() => untrusted.lines.some((l) => l.startsWith('WARN') && l.includes('cannot connect')));
      expect(u1.state().connected).toBe(false);
      expect(untrusted.lines.find((l) => l.includes('cannot connect'))).toMatch(/certificate/i);
    } finally {
      await u1.stop();
      await u2.stop();
      await broker.stop();
    }
  });

  /** `pima-kiosk run` with a secrets file of this mode, on a plain mqtt:// URL. */
  async function runWithSecrets(name: string, mode: number) {
    const secrets = join(dir, `${name}-secrets.yaml`);
    writeFileSync(secrets, 'username: point\npassword: do-not-print-me\n');
    chmodSync(secrets, mode);
    const config = join(dir, `${name}.yaml`);
    writeFileSync(
      config,
      [
        `point: { id: ${name}-point }`,
        `storage: { path: ${join(dir, `${name}.db`)} }`,
        'mqtt:',
        '  url: mqtt://127.0.0.1:1',
        `  secretsFile: ${secrets}`,
        'sign: { outputs: [none] }',
        '',
      ].join('\n'),
    );
    const refused = await cli(['run', '--config', config]);
    expect(refused.code).toBe(78);
    expect(refused.stderr).not.toContain('do-not-print-me');
    expect(refused.stderr).not.toMatch(/\n\s+at /);
    return { secrets, stderr: refused.stderr };
  }

  it('refuses to start with a secrets file other users can read: clear message, exit 78', async () => {
    const { secrets, stderr } = await runWithSecrets('open', 0o644);
    expect(stderr).toContain(
      `mqtt.secretsFile ${secrets} is accessible to every user on this machine (mode 0644)`,
    );
    expect(stderr).toContain(`chmod 600 ${secrets}`);
  });

  it('refuses to send a password over plain mqtt:// unless the config says so: clear message, exit 78', async () => {
    const { stderr } = await runWithSecrets('plain', 0o600);
    expect(stderr).toMatch(/holds a password but mqtt.url mqtt:\/\/127.0.0.1:1 is not encrypted/);
    expect(stderr).toContain('allowPlaintextPassword: true');
  });
});
