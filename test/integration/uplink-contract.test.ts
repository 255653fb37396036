import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Parser } from '@asyncapi/parser';
import { Ajv } from 'ajv';
import addFormatsModule from 'ajv-formats';
import { connectAsync, type MqttClient } from 'mqtt';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildService, type Service } from '../../src/compose.js';
import { buildConfigSchema } from '../../src/config/schema.js';
import { ManualClock } from '../../src/core/clock.js';
import { MemoryLogger } from '../../src/core/logger.js';
import {
  type CollectedMessage,
  type Collector,
  collect,
  type Mosquitto,
  sleep,
  startMosquitto,
} from '../helpers/mosquitto.js';

const POINT = 'contract-point';
const BASE = `pima/v1/${POINT}`;

let broker: Mosquitto;
let dir: string;
let service: Service;
let clock: ManualClock;
let all: Collector;
let ha: Collector;
let municipality: MqttClient;

beforeAll(async () => {
  broker = await startMosquitto();
  dir = mkdtempSync(join(tmpdir(), 'kiosk-contract-'));
  const config = buildConfigSchema().parse({
    point: { id: POINT, capacity: 40 },
    storage: { path: join(dir, 'kiosk.db') },
    mqtt: {
      url: broker.url,
      reconnectMinMs: 100,
      reconnectMaxMs: 1000,
      drainStartJitterMs: 0,
      commands: { perMinute: 20 },
      homeAssistant: { enabled: true },
    },
    simulation: { scenario: 'blackout', seed: 3 },
    sign: { outputs: ['none'] },
  });
  all = await collect(broker.url, `${BASE}/#`);
  ha = await collect(broker.url, 'homeassistant/#');
  clock = new ManualClock(Date.parse('2026-12-01T06:00:00Z'));
  service = buildService({ config, clock, logger: new MemoryLogger(), pid: 999_998 });
  await service.app.start();
  await all.waitFor((m) => m.topic === `${BASE}/online`);
  for (let minute = 0; minute < 30; minute++) {
    clock.advance(60_000);
    await sleep(2);
  }
  municipality = await connectAsync(broker.url, { protocolVersion: 5, reconnectPeriod: 0, clean: true });
});

afterAll(async () => {
  await municipality?.endAsync(true);
  await service?.app.stop();
  await all?.close();
  await ha?.close();
  await broker?.stop();
  rmSync(dir, { recursive: true, force: true });
});

let sent = 0;
/** Payloads sent on purpose against the schema: not validated as commands. */
const invalid = new Set<string>();
/** Sends a command and waits for the result to the n-th command on that name. */
async function command(name: string, payload: string | object, opts: { retain?: boolean } = {}) {
  const body = typeof payload === 'string' ? payload : JSON.stringify(payload);
  const before = all.messages.filter((m) => m.topic === `${BASE}/cmd/${name}/result`).length;
  sent += 1;
  await municipality.publishAsync(`${BASE}/cmd/${name}`, body, { qos: 1, retain: opts.retain ?? false });
  let n = 0;
  const result = await all.waitFor((m) => m.topic === `${BASE}/cmd/${name}/result` && n++ >= before, 10_000);
  return JSON.parse(result.payload) as Record<string, unknown>;
}

describe('commands over MQTT, applied by the running service', () => {
  it('applies mode, capacity and announce through the operator path and answers after applying', async () => {
    const mode = await command('mode', { id: 'm1', mode: 'closed', reason: 'curfew' });
    expect(mode).toMatchObject({ ok: true, id: 'm1', result: 'mode auto → closed (curfew)' });
    expect(service.pipeline().currentMode()).toBe('closed');
    await all.waitFor((m) => m.topic === `${BASE}/status` && JSON.parse(m.payload).status === 'CLOSED');

    expect(await command('capacity.set', { id: 'c1', value: 25 })).toMatchObject({
      ok: true,
      result: 'capacity 40 → 25',
    });
    await all.waitFor((m) => m.topic === `${BASE}/status` && JSON.parse(m.payload).capacity === 25);

    const text = 'Вода є до 20:00 / Water until 20:00';
    expect(await command('announce', { id: 'a1', text, expiresInSec: 3600 })).toMatchObject({ ok: true });
    await all.waitFor(
      (m) => m.topic === `${BASE}/status` && JSON.parse(m.payload).announcement?.text === text,
    );
    expect(service.pipeline().announcement()).toMatchObject({ text, ts: '2026-12-01T06:30:00.000Z' });

    expect(await command('occupancy', { id: 'o1', set: 7 })).toMatchObject({
      ok: true,
      result: expect.stringMatching(/^occupancy \d+ → 7$/),
    });
    const logged = service.store().commandsAfter(0);
    expect(logged.map((c) => [c.name, c.source, c.actor])).toEqual([
      ['mode', 'mqtt', 'municipality'],
      ['capacity.set', 'mqtt', 'municipality'],
      ['announce', 'mqtt', 'municipality'],
      ['occupancy.set', 'mqtt', 'municipality'],
    ]);
    const events = service
      .store()
      .queryEvents({})
      .filter((e) => e.type === 'operator.mode');
    expect(events.at(-1)?.message).toContain('by municipality via mqtt');
  });

  it('answers status and log requests directly', async () => {
    const status = await command('status', { id: 's1' });
    expect(status.ok).toBe(true);
    expect(status.status).toMatchObject({ point: POINT, mode: 'closed', capacity: 25 });
    const log = await command('log', { limit: 3, id: 'l1' });
    expect(log).toMatchObject({ ok: true, id: 'l1', truncated: true });
    expect((log.events as unknown[]).length).toBe(3);
  });

  it('refuses a malformed, unknown, oversized or retained command and changes nothing', async () => {
    const commands = service.store().commandsAfter(0).length;
    const bad: Array<[string, string, boolean, RegExp]> = [
      ['mode', '{"id": "b1", "mode": "party"}', false, /^mode: /],
      ['mode', '{"mode": "open"}', false, /^id: /],
      ['mode', '{not json', false, /not JSON/],
      ['reboot', '{"id": "b2"}', false, /unknown command "reboot"/],
      ['capacity.set', JSON.stringify({ id: 'b3', value: 30, pad: 'x'.repeat(5000) }), false, /exceeds 4096/],
      ['capacity.set', '{"id": "b4", "value": 30}', true, /retained commands are refused/],
    ];
    for (const [name, payload, retain, error] of bad) {
      invalid.add(payload);
      const r = await command(name, payload, { retain });
      expect(r.ok, name).toBe(false);
      expect(String(r.error)).toMatch(error);
    }
    // Clear the retained one so it is not redelivered.
    await municipality.publishAsync(`${BASE}/cmd/capacity.set`, '', { qos: 1, retain: true });
    expect(service.store().commandsAfter(0)).toHaveLength(commands);
    expect(service.pipeline().currentMode()).toBe('closed');
    expect(service.pipeline().currentCapacity()).toBe(25);
    const rejected = service
      .store()
      .queryEvents({})
      .filter((e) => e.type === 'command.rejected');
    expect(rejected.length).toBeGreaterThanOrEqual(bad.length);
  });

  it('rate-limits a flood per command kind: the excess is answered ok false, a mode change still goes through', async () => {
    const results = [];
    for (let i = 0; i < 25; i++) results.push(await command('status', { id: `flood-${i}` }));
    const limited = results.filter((r) => r.ok === false);
    expect(limited.length).toBeGreaterThan(0);
    expect(String(limited[0]?.error)).toMatch(/rate limited: at most 20 status commands a minute/);
    expect(await command('mode', { id: 'after-flood', mode: 'closed' })).toMatchObject({ ok: true });
  });
});

describe('commands that cannot be replayed (ids, expiry) and bounds', () => {
  it('applies an id once: a redelivered or replayed command changes nothing and gets the first result', async () => {
    const first = await command('mode', { id: 'replay-1', mode: 'open', reason: 'morning' });
    expect(first).toMatchObject({ ok: true, id: 'replay-1', result: 'mode closed → open (morning)' });
    expect(await command('mode', { id: 'replay-2', mode: 'closed' })).toMatchObject({ ok: true });
    const again = await command('mode', { id: 'replay-1', mode: 'open', reason: 'morning' });
    expect(again).toMatchObject({ ok: true, id: 'replay-1', repeated: true, result: first.result });
    expect(again.commandId).toBe(first.commandId);
    expect(service.pipeline().currentMode()).toBe('closed');
    const adjust = { id: 'adj-1', adjust: 2 };
    const count = service.pipeline().currentOccupancy().count;
    await command('occupancy', adjust);
    await command('occupancy', adjust);
    expect(service.pipeline().currentOccupancy().count).toBe(count + 2);
    const logged = service
      .store()
      .commandsAfter(0)
      .filter((c) => c.key === 'cmd:replay-1' || c.key === 'cmd:adj-1');
    expect(logged).toHaveLength(2);
  });

  it('refuses an expired command, and answers its repeat with the same refusal', async () => {
    const late = { id: 'late-1', mode: 'open', expiresAt: '2026-12-01T06:00:00.000Z' };
    const r = await command('mode', late);
    expect(r).toMatchObject({ ok: false, id: 'late-1' });
    expect(String(r.error)).toMatch(/^expired at 2026-12-01T06:00:00.000Z/);
    expect(service.pipeline().currentMode()).toBe('closed');
    expect(await command('mode', late)).toMatchObject({ ok: false, repeated: true, error: r.error });
    const timely = { id: 'timely-1', mode: 'closed', reason: 'still', expiresAt: '2026-12-01T09:00:00.000Z' };
    expect(await command('mode', timely)).toMatchObject({ ok: true });
  });

  it('refuses an implausible people count unless overridden, with the same limits as the CLI', async () => {
    const capacity = service.pipeline().currentCapacity();
    const r = await command('occupancy', { id: 'big-1', set: 99_999 });
    expect(r.ok).toBe(false);
    expect(String(r.error)).toMatch(
      new RegExp(`more than is plausible for capacity ${capacity} \\(at most ${capacity * 2}\\)`),
    );
    expect(service.pipeline().currentOccupancy().count).toBeLessThan(capacity * 2);
    expect(await command('occupancy', { id: 'big-2', set: capacity * 3, override: true })).toMatchObject({
      ok: true,
    });
    expect(service.pipeline().currentOccupancy().count).toBe(capacity * 3);
    expect(await command('occupancy', { id: 'big-3', set: 7 })).toMatchObject({ ok: true });
  });

  it('applies the retained desired state once, reports it in status, and never an expired one', async () => {
    const desired = (body: object) =>
      municipality.publishAsync(`${BASE}/desired`, JSON.stringify(body), { qos: 1, retain: true });
    const statusWith = (p: (s: Record<string, unknown>) => boolean) =>
      all.waitFor((m) => m.topic === `${BASE}/status` && p(JSON.parse(m.payload)), 10_000);
    await desired({
      id: 'd1',
      issuedAt: '2026-12-01T06:20:00.000Z',
      mode: 'standby',
      capacity: 30,
      announcement: { text: 'Soup at 12' },
    });
    const s1 = await statusWith((s) => (s.desired as { id?: string } | undefined)?.id === 'd1');
    expect(JSON.parse(s1.payload).desired).toEqual({ id: 'd1', applied: true });
    expect(service.pipeline().currentMode()).toBe('standby');
    expect(service.pipeline().currentCapacity()).toBe(30);
    expect(service.pipeline().announcement()?.text).toBe('Soup at 12');

    await desired({
      id: 'd2',
      issuedAt: '2026-12-01T06:25:00.000Z',
      expiresAt: '2026-12-01T06:26:00.000Z',
      mode: 'open',
    });
    const s2 = await statusWith((s) => (s.desired as { id?: string } | undefined)?.id === 'd2');
    expect(JSON.parse(s2.payload).desired).toMatchObject({
      id: 'd2',
      applied: false,
      error: expect.stringMatching(/^expired/),
    });
    expect(service.pipeline().currentMode()).toBe('standby');
    await municipality.publishAsync(`${BASE}/desired`, '', { qos: 1, retain: true });
    expect(
      service
        .store()
        .commandsAfter(0)
        .filter((c) => c.name === 'desired'),
    ).toHaveLength(2);
    expect(await command('mode', { id: 'back-closed', mode: 'closed' })).toMatchObject({ ok: true });
  });
});

describe('docs/asyncapi.yaml', () => {
  it('is a valid AsyncAPI 3 document, and every payload the service sent matches its schema', async () => {
    // The drain runs on its own after the clock moved in beforeAll: wait for each kind checked below
    // rather than assume it has arrived by now.
    await all.waitFor((m) => m.topic === `${BASE}/telemetry`, 60_000);
    await all.waitFor((m) => m.topic === `${BASE}/events`, 60_000);
    await ha.waitFor(() => true, 60_000);
    const { document, diagnostics } = await new Parser().parse(readFileSync('docs/asyncapi.yaml', 'utf8'));
    expect(diagnostics.filter((d) => d.severity === 0)).toEqual([]);
    if (!document) throw new Error('no document');
    const ajv = new Ajv({ strict: false, allErrors: true });
    const addFormats = addFormatsModule as unknown as (a: Ajv) => void;
    addFormats(ajv);
    const channels = document
      .channels()
      .all()
      .map((ch) => {
        const pattern = (ch.address() ?? '')
          .replace(/[.]/g, '\\.')
          .replace('{prefix}', '(.+)')
          .replace(/\{[a-zA-Z]+\}/g, '([^/]+)');
        const validators = ch
          .messages()
          .all()
          .map((msg) => ajv.compile(msg.payload()?.json() ?? {}));
        return { id: ch.id(), re: new RegExp(`^${pattern}$`), validators };
      });
    const captured: CollectedMessage[] = [...all.messages, ...ha.messages].filter(
      (m) => m.payload !== '' && !invalid.has(m.payload),
    );
    const seen = new Set<string>();
    for (const m of captured) {
      const matching = channels.filter((c) => c.re.test(m.topic));
      expect(matching.length, `no channel for ${m.topic}`).toBeGreaterThan(0);
      const payload: unknown = JSON.parse(m.payload);
      const ok = matching.some((c) => c.validators.some((v) => v(payload)));
      if (!ok) {
        const errors = matching.flatMap((c) =>
          c.validators.map((v) => {
            v(payload);
            return v.errors;
          }),
        );
        throw new Error(
          `${m.topic} does not match docs/asyncapi.yaml: ${JSON.stringify(errors).slice(0, 800)}\n${m.payload.slice(0, 400)}`,
        );
      }
      for (const c of matching) seen.add(c.id);
    }
    expect([...seen].sort()).toEqual(
      [
        'command',
        'commandResult',
        'desired',
        'events',
        'homeAssistantDiscovery',
        'info',
        'online',
        'status',
        'telemetry',
      ].sort(),
    );
    expect(sent).toBeGreaterThan(10);
    // generous: the AsyncAPI parser and the waits took over 30 s at a load of 35
  }, 120_000);
});
