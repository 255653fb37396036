import { chmodSync, chownSync, existsSync, renameSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { SystemClock } from '../../src/core/clock.js';
import { MemoryLogger } from '../../src/core/logger.js';
import { webSources } from '../../src/web/providers.js';
import { WebServer } from '../../src/web/server.js';
import type { ActiveAlarm } from '../../src/web/types.js';
import { type RunningKiosk, startKiosk } from '../browser/kiosk-service.js';
import { RecordingAlarms } from '../browser/recording-alarms.js';

const PIN = '482916';

interface Tech {
  server: WebServer;
  url: string;
  alarms: RecordingAlarms;
  logger: MemoryLogger;
}

async function techServer(k: RunningKiosk, pinFile: string | undefined, realAlarms = false): Promise<Tech> {
  const alarms = new RecordingAlarms();
  const logger = new MemoryLogger();
  const { config, clock } = k;
  const sources = webSources({
    config,
    clock,
    waitClock: new SystemClock(),
    pipeline: k.service.pipeline(),
    store: k.service.store(),
  });
  const server = new WebServer({
    web: { ...config.web, port: 0, pinFile },
    point: config.point,
    sources: realAlarms ? sources : { ...sources, alarms },
    clock,
    logger,
  });
  await server.start();
  return { server, url: `http://127.0.0.1:${server.address()?.port}`, alarms, logger };
}

const post = (url: string, body: unknown, headers: Record<string, string> = {}) =>
  fetch(url, {
    method: 'POST',
    headers: { 'Content-Type': 'application/json', ...headers },
    body: JSON.stringify(body),
  });

describe('the technician view: PIN, sessions and the one state-changing action', () => {
  let k: RunningKiosk;
  let pinFile: string;

  beforeAll(async () => {
    k = await startKiosk();
    await k.advanceMinutes(5);
    pinFile = join(k.dir, 'tech-pin');
    writeFileSync(pinFile, `${PIN}\n`, { mode: 0o600 });
  });

  afterAll(async () => {
    await k?.stop();
  });

  it('without a PIN /tech is readable but acknowledging is refused', async () => {
    const t = await techServer(k, undefined);
    try {
      const session = await (await fetch(`${t.url}/api/tech/session`)).json();
      expect(session).toEqual({ access: 'open', signedIn: false, canView: true, canAcknowledge: false });
      const overview = (await (await fetch(`${t.url}/api/tech/overview`)).json()) as {
        sensors: Array<{ channel: string; health: string }>;
        devices: Array<{ driver: string; health: string; message: string }>;
        alarms: ActiveAlarm[];
      };
      expect(overview.sensors.map((s) => s.channel)).toContain('battery.soc');
      // each driver's own last word, as the log holds it (the simulated ones say "simulated")
      expect(overview.devices.length).toBeGreaterThan(0);
      expect(overview.devices.every((d) => d.health === 'ok' && d.message === 'simulated')).toBe(true);
      expect(overview.sensors.every((s) => s.health === 'ok')).toBe(true);
      expect(overview.alarms.map((a) => a.id)).toEqual(['FUEL_LOW']);
      const ack = await post(`${t.url}/api/tech/alarms/ack`, { id: 'FUEL_LOW' });
      expect(ack.status).toBe(403);
      expect(((await ack.json()) as { error: string }).error).toMatch(/needs a technician PIN/);
      expect(t.alarms.acks).toEqual([]);
    } finally {
      await t.server.stop();
    }
  });

  it('with a PIN: nothing without signing in; the ack needs the cookie, the CSRF token and this origin', async () => {
    const t = await techServer(k, pinFile);
    try {
      expect((await fetch(`${t.url}/api/tech/overview`)).status).toBe(401);
      const wrong = await post(`${t.url}/api/tech/login`, { pin: '000000' });
      expect(wrong.status).toBe(401);
      expect(wrong.headers.get('set-cookie')).toBeNull();

      const login = await post(`${t.url}/api/tech/login`, { pin: PIN });
      expect(login.status).toBe(200);
      const setCookie = login.headers.get('set-cookie') ?? '';
      expect(setCookie).toMatch(/^pima_tech=[\w-]{40,}; Path=\/; HttpOnly; SameSite=Strict/);
      const { csrf } = (await login.json()) as { csrf: string };
      const cookie = setCookie.split(';')[0] ?? '';

      const overview = await fetch(`${t.url}/api/tech/overview`, { headers: { cookie } });
      expect(overview.status).toBe(200);
      const session = await (await fetch(`${t.url}/api/tech/session`, { headers: { cookie } })).json();
      expect(session).toEqual({ access: 'pin', signedIn: true, canView: true, canAcknowledge: true, csrf });

      const ack = `${t.url}/api/tech/alarms/ack`;
      const refused: Array<[Response, number, RegExp]> = [
        [await post(ack, { id: 'FUEL_LOW' }, { 'X-CSRF-Token': csrf }), 401, /sign in/],
        [await post(ack, { id: 'FUEL_LOW' }, { cookie }), 403, /CSRF/],
        [await post(ack, { id: 'FUEL_LOW' }, { cookie, 'X-CSRF-Token': 'x'.repeat(43) }), 403, /CSRF/],
        [
          await post(
            ack,
            { id: 'FUEL_LOW' },
            { cookie, 'X-CSRF-Token': csrf, Origin: 'http://evil.example' },
          ),
          403,
          /cross-origin/,
        ],
        [
          await fetch(ack, {
            method: 'POST',
            headers: { cookie, 'X-CSRF-Token': csrf, 'Content-Type': 'text/plain' },
            body: '{"id":"FUEL_LOW"}',
          }),
          415,
          /application\/json/,
        ],
        [await post(ack, { id: 'NO_SUCH' }, { cookie, 'X-CSRF-Token': csrf }), 404, /no active alarm/],
        [await post(ack, { id: '../../x y' }, { cookie, 'X-CSRF-Token': csrf }), 400, /id must be/],
      ];
      for (const [res, status, message] of refused) {
        expect(res.status).toBe(status);
        expect(((await res.json()) as { error: string }).error).toMatch(message);
      }
      expect(t.alarms.acks).toEqual([]);

      const ok = await post(ack, { id: 'FUEL_LOW' }, { cookie, 'X-CSRF-Token': csrf });
      expect(ok.status).toBe(200);
      expect(await ok.json()).toEqual({ ok: true, id: 'FUEL_LOW', result: 'alarm FUEL_LOW acknowledged' });
      expect(t.alarms.acks).toEqual([{ id: 'FUEL_LOW', actor: 'tech page 127.0.0.1' }]);

      await post(`${t.url}/api/tech/logout`, {}, { cookie });
      expect((await fetch(`${t.url}/api/tech/overview`, { headers: { cookie } })).status).toBe(401);
    } finally {
      await t.server.stop();
    }
  });

  it('acknowledging a real alarm goes through the logged operator-command path', async () => {
    const t = await techServer(k, pinFile, true);
    try {
      k.service.pipeline().command({ name: 'occupancy.set', args: { value: 76 }, by: 'test' });
      await k.advanceMinutes(3);
      const login = await post(`${t.url}/api/tech/login`, { pin: PIN });
      const { csrf } = (await login.json()) as { csrf: string };
      const cookie = (login.headers.get('set-cookie') ?? '').split(';')[0] ?? '';
      const overview = (await (
        await fetch(`${t.url}/api/tech/overview`, { headers: { cookie } })
      ).json()) as {
        alarms: ActiveAlarm[];
      };
      const near = overview.alarms.find((a) => a.id === 'occupancy.nearFull');
      expect(near).toMatchObject({ level: 'alarm', acknowledged: false });

      const ack = await post(
        `${t.url}/api/tech/alarms/ack`,
        { id: 'occupancy.nearFull' },
        { cookie, 'X-CSRF-Token': csrf },
      );
      const body = (await ack.json()) as { ok: boolean; result: string };
      expect(ack.status, `${JSON.stringify(body)} ${t.logger.lines.join('\n')}`).toBe(200);
      const cmd = k.service.store().commandsAfter(0).at(-1);
      expect(cmd).toMatchObject({ name: 'alarm.ack', args: { alarm: 'occupancy.nearFull' }, source: 'web' });
      expect(cmd?.actor).toBe('tech page 127.0.0.1');
      expect(cmd?.outcome?.ok).toBe(true);
      const logged = k.service
        .store()
        .queryEvents({})
        .filter((e) => e.type === 'operator.alarm.ack');
      expect(logged.at(-1)?.message).toContain('tech page 127.0.0.1 via web');
      await k.advanceMinutes(1);
      const after = (await (await fetch(`${t.url}/api/tech/overview`, { headers: { cookie } })).json()) as {
        alarms: ActiveAlarm[];
      };
      expect(after.alarms.find((a) => a.id === 'occupancy.nearFull')?.acknowledged).toBe(true);
    } finally {
      k.service.pipeline().command({ name: 'occupancy.set', args: { value: 0 }, by: 'test' });
      await t.server.stop();
    }
  });

  it('five wrong PINs lock sign-in for a minute, even for the right PIN', async () => {
    const t = await techServer(k, pinFile);
    try {
      for (let i = 0; i < 5; i++)
        expect((await post(`${t.url}/api/tech/login`, { pin: '1111' })).status).toBe(401);
      const locked = await post(`${t.url}/api/tech/login`, { pin: PIN });
      expect(locked.status).toBe(429);
      expect(Number(locked.headers.get('retry-after'))).toBeGreaterThan(0);
    } finally {
      await t.server.stop();
    }
  });

  it('an unusable PIN file locks /tech and says why; fixing the file opens it without a restart', async () => {
    const file = join(k.dir, 'changing-pin');
    writeFileSync(file, PIN);
    chmodSync(file, 0o644);
    const t = await techServer(k, file);
    const session = async () =>
      (await (await fetch(`${t.url}/api/tech/session`)).json()) as { access: string; lockedReason?: string };
    try {
      expect(t.logger.lines.join('\n')).toMatch(
        /PIN unusable, \/tech is locked: .*accessible to every user .*mode 0644.*chmod 600/,
      );
      expect(await session()).toMatchObject({
        access: 'locked',
        lockedReason: expect.stringMatching(/0644/),
      });
      // the right PIN is not answered "wrong PIN": the technician is told the page is locked, and why
      const refused = await post(`${t.url}/api/tech/login`, { pin: PIN });
      expect(refused.status).toBe(503);
      expect(((await refused.json()) as { error: string }).error).toMatch(/sign-in is locked: .*chmod 600/);
      expect((await fetch(`${t.url}/api/tech/overview`)).status).toBe(401);

      const cases: Array<[string, () => void, RegExp]> = [
        ['group-readable', () => chmodSync(file, 0o640), /accessible to its group \(mode 0640\)/],
        ['group-writable', () => chmodSync(file, 0o620), /accessible to its group \(mode 0620\)/],
        ['world-writable', () => chmodSync(file, 0o602), /every user .*0602/],
        ['owned by another user', () => chownSync(file, 65534, 65534), /belongs to uid 65534/],
        ['missing', () => renameSync(file, `${file}.away`), /cannot read it \(ENOENT\)/],
      ];
      for (const [what, make, reason] of cases) {
        chmodSync(existsSync(file) ? file : `${file}.away`, 0o600);
        make();
        expect((await session()).lockedReason, what).toMatch(reason);
        expect((await post(`${t.url}/api/tech/login`, { pin: PIN })).status, what).toBe(503);
        if (!existsSync(file)) renameSync(`${file}.away`, file);
        chownSync(file, 0, 0);
      }
      writeFileSync(file, '4829');
      chmodSync(file, 0o600);
      expect((await session()).lockedReason).toMatch(/PIN of 6 to 12 digits/);

      // fixed: open at once, no restart
      writeFileSync(file, PIN);
      expect(await session()).toEqual({
        access: 'pin',
        signedIn: false,
        canView: false,
        canAcknowledge: false,
      });
      expect((await post(`${t.url}/api/tech/login`, { pin: PIN })).status).toBe(200);
      expect(t.logger.lines.join('\n')).toMatch(/PIN file usable again/);
    } finally {
      await t.server.stop();
    }
  });

  it('sign-ins and wrong PINs are logged as point events, without the PIN', async () => {
    const t = await techServer(k, pinFile);
    try {
      const before = k.service.store().queryEvents({}).length;
      expect((await post(`${t.url}/api/tech/login`, { pin: '987654' })).status).toBe(401);
      expect((await post(`${t.url}/api/tech/login`, { pin: PIN })).status).toBe(200);
      await k.advanceMinutes(1);
      const events = k.service
        .store()
        .queryEvents({})
        .slice(before)
        .filter((e) => e.type.startsWith('tech.signin'));
      expect(events.map((e) => [e.type, e.level])).toEqual([
        ['tech.signin.failed', 'warning'],
        ['tech.signin', 'info'],
      ]);
      expect(events[0]?.message).toBe('wrong technician PIN from 127.0.0.1');
      const text = JSON.stringify(events);
      expect(text).not.toContain('987654');
      expect(text).not.toContain(PIN);
    } finally {
      await t.server.stop();
    }
  });
});
