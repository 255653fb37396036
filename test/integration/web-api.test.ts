import { mkdtempSync, rmSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildService } from '../../src/compose.js';
import { buildConfigSchema } from '../../src/config/schema.js';
import { ManualClock } from '../../src/core/clock.js';
import { MemoryLogger } from '../../src/core/logger.js';
import { type RunningKiosk, START, startKiosk, waitFor } from '../browser/kiosk-service.js';

const get = async (k: RunningKiosk, path: string) => {
  const res = await fetch(`${k.url}${path}`);
  return {
    status: res.status,
    type: res.headers.get('content-type') ?? '',
    body: (await res.json()) as Record<string, unknown>,
  };
};

describe('the status page API, served by the real service', () => {
  let k: RunningKiosk;

  beforeAll(async () => {
    k = await startKiosk();
    await k.advanceMinutes(90);
  });

  afterAll(async () => {
    await k?.stop();
  });

  it('GET /api/status is the status message the pipeline published (the MQTT status)', async () => {
    const r = await get(k, '/api/status');
    expect(r.status).toBe(200);
    expect(r.type).toContain('application/json');
    expect(r.body).toEqual(JSON.parse(JSON.stringify(k.service.pipeline().latestStatus())));
    // a status whose values only moved past their deadbands rides on the next group commit (200 ms of
    // clock here, short of the next evaluation): then the log's snapshot is the same object
    k.clock.advance(200);
    expect(r.body).toEqual(k.service.store().loadStatus()?.status);
    expect(r.body).toMatchObject({ point: 'web-test-01', capacity: 80, status: 'OPEN' });
  });

  it('GET /api/history gives the logged readings of a channel, averaged into buckets', async () => {
    const r = await get(k, '/api/history?channel=battery.soc&since=1h&points=60');
    expect(r.status).toBe(200);
    const { ts, values, bucketMs, since, until } = r.body as {
      ts: number[];
      values: Array<number | null>;
      bucketMs: number;
      since: string;
      until: string;
    };
    expect(bucketMs).toBe(60_000);
    expect(Date.parse(until)).toBe(k.clock.now());
    expect(Date.parse(since)).toBe(k.clock.now() - 3_600_000);
    expect(ts.length).toBeGreaterThan(50);
    expect(ts.length).toBeLessThanOrEqual(60);
    expect(ts).toEqual([...ts].sort((a, b) => a - b));
    const logged = k.service
      .store()
      .queryReadings({ channel: 'battery.soc', sinceMs: ts[0], untilMs: (ts[0] ?? 0) + bucketMs - 1 });
    const mean = logged.reduce((s, x) => s + (x.value ?? 0), 0) / logged.length;
    expect(values[0]).toBeCloseTo(mean, 2);
  });

  it.each([
    ['/api/history', 400, /channel is required/],
    ['/api/history?channel=', 400, /channel is required/],
    ['/api/history?channel=DROP%20TABLE', 400, /not a channel name/],
    ['/api/history?channel=battery.soc&since=yesterday', 400, /since: not a time/],
    ['/api/history?channel=battery.soc&since=1h&until=2h', 400, /since must be before until/],
    ['/api/history?channel=battery.soc&since=30d', 400, /at most 7 days/],
    ['/api/history?channel=battery.soc&points=1', 400, /points must be/],
    ['/api/history?channel=battery.soc&points=abc', 400, /points must be/],
    ['/api/history?channel=battery.soc&chanel=x', 400, /unknown parameter "chanel"/],
    ['/api/history?channel=battery.soc&channel=mains.present', 400, /given twice/],
    ['/api/status?x=1', 400, /unknown parameter "x"/],
    ['/api/nothing', 404, /nothing at \/api\/nothing/],
  ])('GET %s is rejected with %i and a JSON error', async (path, status, message) => {
    const r = await get(k, path);
    expect(r.status).toBe(status);
    expect(r.type).toContain('application/json');
    expect(r.body.status).toBe(status);
    expect(String(r.body.error)).toMatch(message);
  });

  it('GET /api/announcement follows the pipeline: set, lapsed, cleared', async () => {
    const p = k.service.pipeline();
    const now = k.clock.now();
    p.command({ name: 'announce', args: { text: 'Hot soup at 13:00' }, by: 'test' });
    expect((await get(k, '/api/announcement')).body).toEqual({
      announcement: { text: 'Hot soup at 13:00', ts: new Date(now).toISOString() },
    });
    p.command({ name: 'announce', args: { text: 'Bus at 14:00', expiresInSec: 60 }, by: 'test' });
    expect(((await get(k, '/api/announcement')).body.announcement as { text: string }).text).toBe(
      'Bus at 14:00',
    );
    await k.advanceMinutes(2);
    expect((await get(k, '/api/announcement')).body).toEqual({ announcement: null });
    p.command({ name: 'announce', args: { text: '' }, by: 'test' });
    expect((await get(k, '/api/announcement')).body).toEqual({ announcement: null });
  });

  it('the public side is read-only: writing methods are refused and change nothing', async () => {
    const before = k.service.pipeline().latestStatus();
    for (const [method, path] of [
      ['POST', '/'],
      ['PUT', '/api/status'],
      ['DELETE', '/api/status'],
      ['POST', '/api/history'],
      ['POST', '/api/events'],
    ] as const) {
      const res = await fetch(`${k.url}${path}`, { method });
      expect(res.status, `${method} ${path}`).toBe(405);
      expect(res.headers.get('allow')).toBe('GET');
      expect(((await res.json()) as { error: string }).error).toMatch(/not allowed/);
    }
    expect(k.service.pipeline().latestStatus()).toBe(before);
    expect(k.service.store().commandsAfter(0)).toEqual([]);
  });

  it('serves every asset locally with security headers and revalidation', async () => {
    for (const path of ['/', '/tech', '/assets/public.js', '/assets/vendor/uPlot.iife.min.js']) {
      const res = await fetch(`${k.url}${path}`);
      expect(res.status, path).toBe(200);
      expect(res.headers.get('content-security-policy')).toContain("default-src 'self'");
      expect(res.headers.get('x-content-type-options')).toBe('nosniff');
      const etag = res.headers.get('etag') ?? '';
      await res.arrayBuffer();
      const again = await fetch(`${k.url}${path}`, { headers: { 'If-None-Match': etag } });
      expect(again.status, path).toBe(304);
    }
  });

  it('Server-Sent Events: the current status at once, then each change within a second', async () => {
    const controller = new AbortController();
    const res = await fetch(`${k.url}/api/events`, { signal: controller.signal });
    expect(res.headers.get('content-type')).toContain('text/event-stream');
    const reader = res.body?.getReader();
    if (!reader) throw new Error('no body');
    const decoder = new TextDecoder();
    let text = '';
    const statuses = () =>
      [...text.matchAll(/event: status\ndata: (.*)\n/g)].map(
        (m) => (JSON.parse(m[1] ?? 'null') as { status: string }).status,
      );
    const pump = (async () => {
      for (;;) {
        const { value, done } = await reader.read();
        if (done) return;
        text += decoder.decode(value);
      }
    })().catch(() => undefined);
    // generous: set-up time under load is not what this test measures
    await waitFor(() => statuses().length >= 1, 15_000, 'the first status event');
    expect(statuses()[0]).toBe('OPEN');
    expect(text).toContain('event: announcement\ndata: null');
    const t0 = Date.now();
    k.service.pipeline().command({ name: 'mode', args: { mode: 'closed' }, by: 'test' });
    await waitFor(() => statuses().includes('CLOSED'), 2000, 'CLOSED on the stream');
    expect(Date.now() - t0).toBeLessThan(2000);
    k.service.pipeline().command({ name: 'mode', args: { mode: 'auto' }, by: 'test' });
    await waitFor(() => statuses().at(-1) === 'OPEN', 15_000, 'OPEN again');
    controller.abort();
    await pump;
  });
});

describe('the web server as a component of the service', () => {
  it('is off unless web.enabled; a busy port is logged and the point goes on without its page', async () => {
    const blocker = createServer();
    await new Promise<void>((r) => blocker.listen(0, '127.0.0.1', () => r()));
    const port = (blocker.address() as { port: number }).port;
    const dir = mkdtempSync(join(tmpdir(), 'kiosk-web-port-'));
    try {
      for (const web of [
        { enabled: false, port },
        { enabled: true, port },
      ]) {
        const logger = new MemoryLogger();
        const config = buildConfigSchema().parse({
          point: { id: 'web-port-test' },
          storage: {
            path: join(dir, `kiosk-${web.enabled}.db`),
          },
          sign: { outputs: ['none'] },
          web,
        });
        const service = buildService({ config, clock: new ManualClock(START), logger, pid: 999_998 });
        await service.app.start();
        expect(service.web()).toBeUndefined();
        expect(service.pipeline().latestStatus()).toBeDefined();
        const complaint = logger.lines.find((l) => l.includes('cannot serve the status page'));
        if (web.enabled) expect(complaint).toContain(`127.0.0.1:${port}: EADDRINUSE`);
        else expect(complaint).toBeUndefined();
        expect(await service.app.stop()).toBe(true);
      }
    } finally {
      blocker.close();
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('stop() closes open event streams and is safe twice', async () => {
    const k = await startKiosk();
    const res = await fetch(`${k.url}/api/events`);
    const reader = res.body?.getReader();
    await reader?.read();
    const web = k.service.web();
    await k.stop();
    await web?.stop();
    const rest = await reader?.read().catch(() => ({ done: true }));
    expect(rest?.done).toBe(true);
    await expect(fetch(`${k.url}/api/status`)).rejects.toThrow();
  });
});
