import { mkdtemp, rm } from 'node:fs/promises';
import { request } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { brotliDecompressSync, gunzipSync } from 'node:zlib';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { SqliteHubStorage } from '../../../src/hub/storage/sqlite.js';
import { emptyWork } from '../../../src/hub/storage/types.js';
import { pointHistory } from '../../../src/hub/web/point-history.js';
import type { HubWebServer } from '../../../src/hub/web/server.js';
import { eventually } from '../../helpers/hub-fleet.js';
import { seedFleet, seedPointId } from '../../helpers/hub-seed.js';
import { startSignedInHub } from '../../helpers/hub-web.js';
import { sampleStatus } from '../../helpers/status.js';
import { until } from '../../helpers/until.js';

/**
 * Issue 16, scale: the dashboard's API on 300 points in real SQLite. Pages, filters and counts come
 * from the hub's memory; a commit the ingest reports shows within a tick and goes out as a delta on
 * the live stream; a status that ages turns UNKNOWN with no message; a write by another process (not
 * reported) shows after the slow full read; answers carry an ETag (304) and come gzip or br encoded.
 */

const N = 300;
const STALE_SEC = 120;
let dir = '';
let storage: SqliteHubStorage;
let web: HubWebServer;
let base = '';
let cookie = '';
let clock = Date.now();
const seededAt = clock;

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'hub-dash-api-'));
  storage = new SqliteHubStorage(join(dir, 'hub.db'));
  await storage.start();
  await seedFleet(storage, N, { now: seededAt, telemetryFor: [5], telemetryHours: 2 });
  const hub = await startSignedInHub(storage, {
    staleAfterSec: STALE_SEC,
    now: () => clock,
    reconcileMs: 1000,
    role: 'viewer',
  });
  web = hub.web;
  base = hub.url;
  cookie = hub.cookie;
}, 60_000);

afterAll(async () => {
  await web?.stop();
  await storage?.stop();
  await rm(dir, { recursive: true, force: true });
});

interface Page {
  rev: number;
  total: number;
  page: number;
  pages: number;
  size: number;
  reasons: Record<string, string[]>;
  rows: Array<{ id: string; name: string; state: string; unknownBecause: string | null }>;
}

async function get<T>(path: string): Promise<T> {
  const res = await fetch(`${base}${path}`, { headers: { cookie } });
  expect(res.status, `${path}: ${await res.clone().text()}`).toBe(200);
  return (await res.json()) as T;
}

/** A raw GET, so the encodings and validators are what the server sent (fetch would undo them). */
function raw(
  path: string,
  headers: Record<string, string>,
): Promise<{ status: number; headers: Record<string, unknown>; body: Buffer }> {
  return new Promise((resolve, reject) => {
    const req = request(`${base}${path}`, { headers: { cookie, ...headers } }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('end', () =>
        resolve({ status: res.statusCode ?? 0, headers: res.headers, body: Buffer.concat(chunks) }),
      );
    });
    req.on('error', reject);
    req.end();
  });
}

/** The live stream's `fleet` events, as they come, once it is open (a delta sent before is not seen). */
async function stream(): Promise<{
  events: Array<{ rev: number; changed: Array<{ id: string; state: string }>; resync?: boolean }>;
  close: () => void;
}> {
  const events: Array<{ rev: number; changed: Array<{ id: string; state: string }> }> = [];
  const controller = new AbortController();
  const res = await fetch(`${base}/api/events`, { headers: { cookie }, signal: controller.signal });
  expect(res.status).toBe(200);
  void (async () => {
    const decoder = new TextDecoder();
    let buffer = '';
    for await (const chunk of res.body as unknown as AsyncIterable<Uint8Array>) {
      buffer += decoder.decode(chunk, { stream: true });
      let end = buffer.indexOf('\n\n');
      while (end >= 0) {
        const frame = buffer.slice(0, end);
        buffer = buffer.slice(end + 2);
        if (frame.startsWith('event: fleet\n'))
          events.push(JSON.parse(frame.slice(frame.indexOf('data: ') + 6)));
        end = buffer.indexOf('\n\n');
      }
    }
  })().catch(() => undefined);
  return { events, close: () => controller.abort() };
}

async function commitStatus(i: number, over: Parameters<typeof sampleStatus>[0], at: number): Promise<void> {
  const point = seedPointId(i);
  const status = sampleStatus({
    point,
    name: `Point ${i}`,
    epoch: 'e',
    ts: new Date(at).toISOString(),
    ...over,
  });
  const work = emptyWork();
  work.statuses.push({
    point,
    epoch: 'e',
    ts: at,
    receivedAt: at,
    state: status.status,
    body: JSON.stringify(status),
  });
  await storage.commit(work);
}

describe('the dashboard API at scale', () => {
  it('answers a page with its place in the whole, the counts, and the map, never the fleet', async () => {
    const page = await get<Page>('/api/fleet?size=50&sort=name');
    expect(page.total).toBe(N);
    expect(page.pages).toBe(6);
    expect(page.rows).toHaveLength(50);
    expect(page.rows[0]?.name).toBe('Point 0');
    expect(page.rows[1]?.name).toBe('Point 1');
    const last = await get<Page>('/api/fleet?size=50&sort=name&page=5');
    expect(last.rows.at(-1)?.name).toBe('Point 299');
    const summary = await get<{ total: number; states: Record<string, number>; needsAction: number }>(
      '/api/fleet/summary',
    );
    expect(summary.total).toBe(N);
    expect(summary.states.OPEN).toBe(N / 5);
    const needs = await get<Page>('/api/fleet?state=needs&size=25');
    expect(needs.total).toBe(summary.needsAction);
    expect(needs.total).toBeGreaterThan(25);
    for (const r of needs.rows) expect(needs.reasons[r.id]?.length).toBeGreaterThan(0);
    const search = await get<Page>('/api/fleet?q=district%2011&sort=name');
    expect(search.total).toBe(N / 12);
    const map = await get<{ points: Array<{ id: string; location: unknown }>; missing: number }>(
      '/api/fleet/map',
    );
    expect(map.points).toHaveLength(N);
    expect(map.missing).toBe(0);
    const bad = await fetch(`${base}/api/fleet?size=1000`, { headers: { cookie } });
    expect(bad.status).toBe(400);
    expect(((await bad.json()) as { error: string }).error).toMatch(
      /size must be a whole number from 1 to 200/,
    );
    expect((await fetch(`${base}/api/fleet`)).status).toBe(401);
  });

  it('sends each body compressed if asked, and a 304 to a page that holds the same version', async () => {
    const plain = await raw('/api/dashboard', {});
    expect(plain.status).toBe(200);
    expect(plain.headers['cache-control']).toBe('no-cache');
    const etag = String(plain.headers.etag);
    expect(etag).toMatch(/^W\/"/);
    const gz = await raw('/api/dashboard', { 'Accept-Encoding': 'gzip' });
    expect(gz.headers['content-encoding']).toBe('gzip');
    expect(gunzipSync(gz.body).equals(plain.body)).toBe(true);
    const br = await raw('/api/dashboard', { 'Accept-Encoding': 'gzip, deflate, br' });
    expect(br.headers['content-encoding']).toBe('br');
    expect(brotliDecompressSync(br.body).equals(plain.body)).toBe(true);
    expect(br.body.length).toBeLessThan(plain.body.length / 4);
    const refused = await raw('/api/dashboard', { 'Accept-Encoding': 'br;q=0, gzip;q=0' });
    expect(refused.headers['content-encoding']).toBeUndefined();
    const again = await raw('/api/dashboard', { 'If-None-Match': etag });
    // unless the fleet changed in between (a tick of the clock can), the page gets no body
    if (String(again.headers.etag) === etag) {
      expect(again.status).toBe(304);
      expect(again.body.length).toBe(0);
    }
  });

  it('a commit the ingest reports shows within a tick and goes out as one delta on the stream', async () => {
    const live = await stream();
    try {
      const before = await get<Page>(`/api/fleet?ids=${seedPointId(7)}`);
      expect(before.rows[0]?.state).not.toBe('CLOSED');
      await commitStatus(7, { status: 'CLOSED' }, clock + 1000);
      web.touch([seedPointId(7)]);
      const delta = await until(
        () => live.events.find((e) => e.changed.some((r) => r.id === seedPointId(7) && r.state === 'CLOSED')),
        'a delta with the closed point',
        10_000,
      );
      expect(delta.rev).toBeGreaterThan(before.rev);
      expect(delta.changed.length).toBeLessThan(10);
      const after = await get<Page>(`/api/fleet?ids=${seedPointId(7)}`);
      expect(after.rows[0]?.state).toBe('CLOSED');
    } finally {
      live.close();
    }
  });

  it('a status that ages past staleAfterSec turns UNKNOWN with no message; so many at once make a resync, not a delta', async () => {
    const live = await stream();
    try {
      await commitStatus(9, { status: 'STANDBY' }, clock + 1000);
      web.touch([seedPointId(9)]);
      await until(
        () => live.events.find((e) => e.changed.some((r) => r.id === seedPointId(9))),
        'a delta',
        10_000,
      );
      clock = seededAt + (STALE_SEC + 30) * 1000;
      const { value: page } = await eventually(
        'the fleet to turn UNKNOWN',
        () => get<Page>('/api/fleet?state=UNKNOWN&size=1'),
        (p) => p.total >= N - 1,
        10_000,
      );
      expect(page.rows[0]?.unknownBecause).toBe('stale');
      const resync = await until(() => live.events.find((e) => e.resync), 'a resync event', 10_000);
      expect(resync.changed).toEqual([]);
    } finally {
      live.close();
      clock = seededAt;
    }
  });

  it('a write by another process, not reported, shows after the slow full read', async () => {
    const at = Date.now();
    clock = at;
    await commitStatus(11, { status: 'FULL', placesLeft: 0 }, at);
    const { value: seen } = await eventually(
      'the full read to find the FULL point',
      () => get<Page>(`/api/fleet?ids=${seedPointId(11)}`),
      (p) => p.rows[0]?.state === 'FULL',
      15_000,
    );
    expect(seen.rows[0]?.id).toBe(seedPointId(11));
  });

  it("a point's charts are made once per change of its data: the same answer (or a 304) until a record arrives", async () => {
    const path = `/api/points/${seedPointId(5)}/history?range=24h`;
    const first = await raw(path, {});
    expect(first.status).toBe(200);
    const etag = String(first.headers.etag);
    const before = JSON.parse(first.body.toString()) as { series: Record<string, { values: unknown[] }> };
    expect(before.series['battery.soc']?.values.length).toBeGreaterThan(10);
    expect((await raw(path, { 'If-None-Match': etag })).status).toBe(304);
    expect((await raw(`${path}&extra=1`, {})).status).toBe(400);
    // one more reading: the lane moves, so the charts are made again
    const work = emptyWork();
    work.batches.push({
      point: seedPointId(5),
      epoch: 'e',
      stream: 'telemetry',
      records: [{ seq: 2 * 60 * 4 + 1, ts: seededAt, channel: 'battery.soc', value: 99 }],
    });
    await storage.commit(work);
    const after = await raw(path, { 'If-None-Match': etag });
    expect(after.status).toBe(200);
    expect(String(after.headers.etag)).not.toBe(etag);
  });

  it('charts brought up to date from the new readings equal charts made from scratch, holes and all', async () => {
    const id = seedPointId(5);
    const url = new URL(`${base}/api/points/${id}/history?range=24h`);
    const served = async () =>
      JSON.parse((await raw(url.pathname + url.search, {})).body.toString()) as unknown;
    const scratch = async () =>
      JSON.parse(JSON.stringify(await pointHistory(storage, id, url, clock))) as unknown;
    expect(await served()).toEqual(await scratch());
    const top = async () => (await storage.lanes(id)).find((l) => l.stream === 'telemetry')?.maxSeq ?? 0;
    let t = seededAt;
    const readings = async (seqs: number[]) => {
      const work = emptyWork();
      work.batches.push({
        point: id,
        epoch: 'e',
        stream: 'telemetry',
        records: seqs.map((seq, k) => ({
          seq,
          ts: t + k * 1000,
          channel: 'battery.soc',
          value: 40 + (seq % 9),
        })),
      });
      await storage.commit(work);
    };
    // in order, with the status (the range's end) moving on: read from the old top only
    for (let round = 0; round < 3; round++) {
      const from = (await top()) + 1;
      t += 60_000;
      await readings([from, from + 1, from + 2]);
      await commitStatus(5, {}, t + 2000);
      expect(await served()).toEqual(await scratch());
    }
    // a hole, then the record that fills it: made from scratch, and equal again
    const from = (await top()) + 1;
    t += 60_000;
    await readings([from, from + 2]);
    expect(await served()).toEqual(await scratch());
    await readings([from + 1]);
    await commitStatus(5, {}, t + 5000);
    expect(await served()).toEqual(await scratch());
  });
});
