import { execFileSync } from 'node:child_process';
import { chmodSync, mkdtempSync, rmSync } from 'node:fs';
import { request } from 'node:http';
import { networkInterfaces, tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { cli } from '../helpers/cli.js';
import { login, startWebService, tryPin, type WebService } from '../helpers/web-service.js';

const PIN = '730461';

function getWithHost(port: number, host: string): Promise<number> {
  return new Promise((resolveStatus, reject) => {
    const req = request({ host: '127.0.0.1', port, path: '/api/status', headers: { Host: host } }, (res) => {
      res.resume();
      res.on('end', () => resolveStatus(res.statusCode ?? 0));
    });
    req.on('error', reject);
    req.end();
  });
}

/** Issue 13's web attacks, light, against the built service: DNS rebinding and PIN guessing. */
describe('attacks on the status page (light)', () => {
  let svc: WebService;

  beforeAll(async () => {
    svc = await startWebService({ pin: PIN, web: { allowedHosts: ['kiosk.example.org'] } });
  }, 30_000);

  afterAll(async () => {
    await svc?.stop();
  });

  it('DNS rebinding: a Host that is not this point is refused; its own names and addresses are served', async () => {
    expect(await getWithHost(svc.port, 'attacker.example:8080')).toBe(421);
    expect(await getWithHost(svc.port, 'evil.example.org.')).toBe(421);
    const own = Object.values(networkInterfaces())
      .flat()
      .map((i) => i?.address)
      .filter((a): a is string => a !== undefined && !a.includes('%'));
    for (const host of [
      `127.0.0.1:${svc.port}`,
      `localhost:${svc.port}`,
      `[::1]:${svc.port}`,
      'kiosk.example.org',
      ...own.map((a) => (a.includes(':') ? `[${a}]` : a)),
    ]) {
      expect(await getWithHost(svc.port, host), host).toBe(200);
    }
  });

  it('rotating 300 source addresses over 60 networks gets at most the global budget of guesses', async () => {
    const statuses: number[] = [];
    for (let i = 0; i < 300; i++) {
      const address = `127.${10 + (i % 60)}.${i >> 2}.${1 + (i % 250)}`;
      statuses.push(await tryPin(svc.port, address, String(100000 + i)));
    }
    const checked = statuses.filter((s) => s === 401).length;
    const refused = statuses.filter((s) => s === 429).length;
    // 20 wrong PINs from everywhere together, then everyone waits (a minute, doubling each time)
    expect(checked).toBe(20);
    expect(refused).toBe(280);
    // even the right PIN from a visitor's network waits...
    expect(await tryPin(svc.port, '127.200.0.1', PIN)).toBe(429);
    // ...while the technician at the kiosk's own screen still gets in
    expect(await tryPin(svc.port, '127.0.0.1', PIN)).toBe(200);

    // every wrong PIN and the lockout are in the point log; the PINs are not
    const log = await cli(['log', '--json', '--config', `${svc.dir}/config.yaml`]);
    const events = log.stdout
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l) as { type: string; message: string });
    expect(events.filter((e) => e.type === 'tech.signin.failed')).toHaveLength(20);
    expect(events.filter((e) => e.type === 'tech.signin.locked').map((e) => e.message)).toEqual([
      'technician sign-in locked for 60 s for every network after repeated wrong PINs',
    ]);
    expect(events.filter((e) => e.type === 'tech.signin')).toHaveLength(1);
    expect(log.stdout).not.toMatch(/1000\d\d|730461/);
  });
});

/** A self-signed certificate as scripts/install.sh makes it. */
function makeCert(dir: string): { cert: string; key: string; fingerprint: string } {
  const cert = join(dir, 'tech-tls.crt');
  const key = join(dir, 'tech-tls.key');
  execFileSync(
    'openssl',
    [
      'req',
      '-x509',
      '-newkey',
      'ec',
      '-pkeyopt',
      'ec_paramgen_curve:P-256',
      '-nodes',
      '-days',
      '30',
      '-subj',
      '/CN=pima-test',
      '-addext',
      'subjectAltName=DNS:localhost,IP:127.0.0.1',
      '-keyout',
      key,
      '-out',
      cert,
    ],
    { stdio: 'ignore' },
  );
  chmodSync(key, 0o600);
  const out = execFileSync('openssl', ['x509', '-noout', '-fingerprint', '-sha256', '-in', cert], {
    encoding: 'utf8',
  });
  return { cert, key, fingerprint: out.trim().split('=')[1] ?? '' };
}

describe('/tech over HTTPS keeps the PIN off the open Wi-Fi', () => {
  let svc: WebService;
  let dir: string;
  let tls: ReturnType<typeof makeCert>;

  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'kiosk-tls-'));
    tls = makeCert(dir);
    svc = await startWebService({ pin: PIN, web: { https: { port: 0, cert: tls.cert, key: tls.key } } });
  }, 30_000);

  afterAll(async () => {
    await svc?.stop();
    rmSync(dir, { recursive: true, force: true });
  });

  it('a visitor cannot send the PIN over http; over https it works, with a Secure cookie and the fingerprint `tech-cert` shows', async () => {
    const httpsPort = Number(
      /technician view on https:\/\/[^:]+:(\d+)\/tech/.exec(svc.service.stderr())?.[1],
    );
    expect(httpsPort).toBeGreaterThan(0);
    expect(svc.service.stderr()).toContain(`certificate SHA-256 ${tls.fingerprint}`);

    // plain http from a visitor's address: refused before the PIN is even looked at, naming the way
    expect(await tryPin(svc.port, '127.0.0.9', PIN)).toBe(403);
    // the kiosk's own screen (loopback on the device) may still sign in over http
    expect(await tryPin(svc.port, '127.0.0.1', PIN)).toBe(200);

    const ok = await login(httpsPort, '127.0.0.9', PIN, true);
    expect(ok.status).toBe(200);
    expect(ok.cookie).toMatch(/HttpOnly; SameSite=Strict; Max-Age=\d+; Secure/);
    expect(ok.fingerprint).toBe(tls.fingerprint);

    const shown = await cli(['tech-cert', '--config', join(svc.dir, 'config.yaml')]);
    expect(shown.code).toBe(0);
    expect(shown.stdout).toContain(`SHA-256 ${tls.fingerprint}`);
  });
});
