import { execFileSync } from 'node:child_process';
import { copyFileSync, mkdirSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { crc32, deflateSync } from 'node:zlib';
import type { Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { StatusMessage } from '../../src/contract/status.js';
import { MemoryLogger } from '../../src/core/logger.js';
import { SqliteHubStorage } from '../../src/hub/storage/sqlite.js';
import { emptyWork, type HubStorage } from '../../src/hub/storage/types.js';
import { hashPassword } from '../../src/hub/web/password.js';
import { HubWebServer } from '../../src/hub/web/server.js';
import { Cleanups } from '../helpers/cleanups.js';
import { sampleStatus } from '../helpers/status.js';
import { type HeadlessChromium, launchChromium } from './chromium.js';
import { axeSeriousOrCritical, openPage, type Problems, saveScreenshot } from './page-checks.js';

/**
 * Issue 16, the parts of the dashboard beyond the live fleet: the refuelling run sheet (ordered, litres
 * by tank size and trend, printed to an A4 PDF by Chromium and read back with pdftotext), basemap tiles
 * from a configured URL (a tile server started here: there is no internet) with a Content-Security-Policy
 * that lets in that origin alone, and map labels that never overlap in a dense cluster. The hub's web
 * server runs on a real SQLite database holding the points' latest messages, as its ingest stores them.
 */

const ARTIFACTS = 'test-artifacts/hub';
const STAFF = { name: 'olena', password: 'correct horse battery' };
const KYIV = { lat: 50.45, lon: 30.52 };
const TANK = 200;

interface Spec {
  id: string;
  name: string;
  lat: number;
  lon: number;
  power?: StatusMessage['power']['source'];
  generator?: Partial<StatusMessage['generator']>;
  people?: number;
  indoor?: number;
  tank?: number | null;
}

/** Points the fuel truck must visit, in the order the sheet must list them (docs/hub.md). */
const RUN_POINTS: Spec[] = [
  { id: 'rs-dark', name: 'SchoolDark', lat: 50.52, lon: 30.41, power: 'none', people: 12 },
  {
    id: 'rs-dry',
    name: 'LibraryDry',
    lat: 50.38,
    lon: 30.6,
    generator: { fuelLevel: 1, fuelPercentPerHour: 8 },
    people: 25,
  },
  {
    id: 'rs-2h',
    name: 'GymTwoHours',
    lat: 50.5,
    lon: 30.65,
    generator: { fuelLevel: 20, fuelPercentPerHour: 10 },
    people: 5,
  },
  {
    id: 'rs-5h-cold',
    name: 'ClinicCold',
    lat: 50.4,
    lon: 30.42,
    generator: { fuelLevel: 50, fuelPercentPerHour: 10 },
    people: 30,
    indoor: 16,
  },
  {
    id: 'rs-5h-warm',
    name: 'HallWarm',
    lat: 50.47,
    lon: 30.7,
    generator: { fuelLevel: 52, fuelPercentPerHour: 10 },
    people: 50,
  },
  {
    id: 'rs-unsized',
    name: 'DepotUnsized',
    lat: 50.55,
    lon: 30.55,
    generator: { fuelLevel: 25, fuelPercentPerHour: 5 },
    people: 0,
    tank: null,
  },
  {
    id: 'rs-low',
    name: 'ChurchLow',
    lat: 50.36,
    lon: 30.5,
    generator: { running: false, fuelLevel: 30 },
    tank: 400,
  },
];
/** Full and burning slowly, or on the grid: not on the sheet. */
const NOT_ON_SHEET: Spec[] = [
  {
    id: 'rs-full',
    name: 'MuseumFull',
    lat: 50.43,
    lon: 30.36,
    generator: { fuelLevel: 90, fuelPercentPerHour: 2 },
  },
];
/** 30 points within a few hundred metres: their labels cannot all fit. */
const CLUSTER: Spec[] = Array.from({ length: 30 }, (_, i) => ({
  id: `cl-${String(i).padStart(2, '0')}`,
  name: `Cluster point ${i}`,
  lat: KYIV.lat + Math.sin(i * 2.4) * 0.003 * ((i % 5) + 1) * 0.3,
  lon: KYIV.lon + Math.cos(i * 2.4) * 0.004 * ((i % 5) + 1) * 0.3,
  power: 'grid',
}));

const cleanups = new Cleanups();
const problems: Problems = { errors: [] };
let dir = '';
let storage: HubStorage;
let chromium: HeadlessChromium;
let tiles: { server: Server; origin: string; requests: string[] };
let other: { server: Server; origin: string; requests: string[] };
let withTiles = '';
let plain = '';

const screenshot = (name: string, png: Buffer) => saveScreenshot(ARTIFACTS, name, png);

/** A 256 × 256 PNG in one colour with a darker border, so tile edges show in screenshots. */
function tilePng(r: number, g: number, b: number): Buffer {
  const size = 256;
  const raw = Buffer.alloc((size * 3 + 1) * size);
  for (let y = 0; y < size; y++) {
    const row = y * (size * 3 + 1);
    for (let x = 0; x < size; x++) {
      const edge = x === 0 || y === 0;
      raw[row + 1 + x * 3] = edge ? r - 40 : r;
      raw[row + 2 + x * 3] = edge ? g - 40 : g;
      raw[row + 3 + x * 3] = edge ? b - 40 : b;
    }
  }
  const chunk = (type: string, data: Buffer) => {
    const len = Buffer.alloc(4);
    len.writeUInt32BE(data.length);
    const body = Buffer.concat([Buffer.from(type, 'ascii'), data]);
    const crc = Buffer.alloc(4);
    crc.writeUInt32BE(crc32(body));
    return Buffer.concat([len, body, crc]);
  };
  const ihdr = Buffer.alloc(13);
  ihdr.writeUInt32BE(size, 0);
  ihdr.writeUInt32BE(size, 4);
  ihdr.set([8, 2, 0, 0, 0], 8);
  return Buffer.concat([
    Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]),
    chunk('IHDR', ihdr),
    chunk('IDAT', deflateSync(raw)),
    chunk('IEND', Buffer.alloc(0)),
  ]);
}

/** A slippy-map tile server on a free loopback port: /tiles/{z}/{x}/{y}.png, each request recorded. */
async function startTileServer(): Promise<{ server: Server; origin: string; requests: string[] }> {
  const light = tilePng(214, 232, 206);
  const dark = tilePng(190, 214, 230);
  const requests: string[] = [];
  const server = createServer((req, res) => {
    const m = /^\/tiles\/(\d+)\/(\d+)\/(\d+)\.png$/.exec(req.url ?? '');
    requests.push(req.url ?? '');
    if (!m) {
      res.writeHead(404).end();
      return;
    }
    const body = (Number(m[2]) + Number(m[3])) % 2 ? dark : light;
    res.writeHead(200, { 'Content-Type': 'image/png', 'Content-Length': body.length });
    res.end(body);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return { server, origin: `http://127.0.0.1:${port}`, requests };
}

async function seed(s: HubStorage, specs: Spec[]): Promise<void> {
  const now = Date.now();
  const work = emptyWork();
  for (const [i, p] of specs.entries()) {
    const status = sampleStatus({
      point: p.id,
      name: p.name,
      status: p.power === 'none' ? 'CLOSED' : 'OPEN',
      power: { source: p.power ?? 'generator', mainsPresent: p.power === 'grid' },
      generator:
        p.power === 'grid'
          ? { running: false, fuelLevel: null, load: null, runHours: null }
          : {
              running: true,
              fuelLevel: 30,
              load: 40,
              runHours: 100,
              ...(p.power === 'none' ? { running: false } : {}),
              ...p.generator,
            },
      temperatures: { indoor: p.indoor ?? 20 },
      occupancy: { count: p.people ?? 0, entries: 0, exits: 0, percent: 0 },
      capacity: 80,
      placesLeft: 80 - (p.people ?? 0),
      ts: new Date(now - 5000).toISOString(),
    });
    const tank = p.tank === undefined ? TANK : p.tank;
    work.statuses.push({
      point: p.id,
      epoch: 'e1',
      ts: now - 5000,
      receivedAt: now,
      state: status.status,
      body: JSON.stringify(status),
    });
    work.infos.push({
      point: p.id,
      ts: now - 60_000,
      receivedAt: now,
      body: JSON.stringify({
        point: p.id,
        name: p.name,
        location: { lat: p.lat, lon: p.lon },
        address: `Street no. ${i + 1}, Kyiv`,
        ...(tank === null ? {} : { fuelTankLitres: tank }),
        ts: new Date(now - 60_000).toISOString(),
      }),
    });
    work.onlines.push({
      point: p.id,
      online: true,
      ts: now - 60_000,
      receivedAt: now,
      reason: null,
      epoch: 'e1',
    });
  }
  await s.commit(work);
}

async function startWeb(basemap?: {
  tileUrl: string;
  attribution: string;
  maxZoom: number;
}): Promise<string> {
  const web = new HubWebServer({
    host: '127.0.0.1',
    port: 0,
    storage,
    staleAfterSec: 3600,
    now: Date.now,
    logger: new MemoryLogger([], 'warn'),
    languages: ['en', 'uk', 'et', 'sv', 'ru'],
    basemap,
    refuel: {
      truckLitres: 500,
      firstStopHours: 1,
      hoursPerStop: 0.5,
      refillBelowPercent: 50,
      horizonHours: 24,
    },
  });
  await web.start();
  cleanups.push(() => web.stop());
  return web.url();
}

const tokens = new Map<string, string>();

/** Signs in to the hub at `url`; its session cookie is set by `visit`. */
async function signIn(url: string): Promise<void> {
  const login = await fetch(`${url}/api/session`, {
    method: 'POST',
    headers: { 'Content-Type': 'application/json' },
    body: JSON.stringify(STAFF),
  });
  expect(login.status).toBe(200);
  tokens.set(url, /pima_staff=([^;]+)/.exec(login.headers.get('set-cookie') ?? '')?.[1] ?? '');
}

/**
 * Opens `path` of one of the two hubs with its own session: cookies ignore the port, so both hubs on
 * 127.0.0.1 share one cookie jar slot and each visit sets the cookie of the hub it goes to.
 */
async function visit(page: Page, url: string, path: string): Promise<void> {
  await chromium.context.addCookies([{ name: 'pima_staff', value: tokens.get(url) ?? '', url }]);
  await page.goto(`${url}${path}`);
}

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'pima-hub-map-'));
  cleanups.push(() => rm(dir, { recursive: true, force: true }));
  storage = new SqliteHubStorage(join(dir, 'hub.db'));
  await storage.start();
  cleanups.push(() => storage.stop());
  await storage.saveUser({
    name: STAFF.name,
    role: 'operator',
    passwordHash: await hashPassword(STAFF.password),
    createdAt: Date.now(),
  });
  await seed(storage, [...RUN_POINTS, ...NOT_ON_SHEET, ...CLUSTER]);
  tiles = await startTileServer();
  other = await startTileServer();
  for (const t of [tiles, other]) cleanups.push(() => new Promise<void>((r) => t.server.close(() => r())));
  withTiles = await startWeb({
    tileUrl: `${tiles.origin}/tiles/{z}/{x}/{y}.png`,
    attribution: '© Test tiles',
    maxZoom: 18,
  });
  plain = await startWeb();
  chromium = await launchChromium();
  cleanups.push(() => chromium.close());
  await signIn(withTiles);
  await signIn(plain);
}, 120_000);

afterAll(async () => {
  await cleanups.run();
});

async function mapReady(page: Page, url: string): Promise<void> {
  await visit(page, url, '/?lang=en');
  await page.locator('#map a[data-point="rs-dark"]').waitFor({ timeout: 30_000 });
}

describe('the dashboard map and the refuelling run sheet in Debian Chromium', () => {
  it('draws basemap tiles from the configured server; the CSP lets in that origin and no other', async () => {
    const csp = (await fetch(`${withTiles}/`)).headers.get('content-security-policy') ?? '';
    expect(csp).toContain(`img-src 'self' data: ${tiles.origin};`);
    expect(csp).not.toContain(other.origin);
    const page = await openPage(chromium, problems);
    await mapReady(page, withTiles);
    await page.locator('#map g.tiles image[data-loaded]').first().waitFor({ timeout: 30_000 });
    const shown = await page.locator('#map g.tiles image').count();
    expect(shown).toBeGreaterThan(0);
    expect(shown).toBeLessThanOrEqual(48);
    // the tiles asked for are the ones at the zoom the map chose, around Kyiv (x ≈ 0.585, y ≈ 0.345 of the world)
    const zoom = Number(await page.locator('#map').getAttribute('data-zoom'));
    expect(zoom).toBeGreaterThanOrEqual(8);
    const tileRequests = () =>
      tiles.requests.map((u) => /^\/tiles\/(\d+)\/(\d+)\/(\d+)\.png$/.exec(u)).filter((m) => m !== null);
    // Chromium fetches at most 6 at a time from one host: wait until every drawn tile was asked for.
    await expect
      .poll(() => tileRequests().length, { timeout: 30_000, interval: 100 })
      .toBeGreaterThanOrEqual(shown);
    const asked = tileRequests();
    for (const m of asked) {
      const n = 2 ** Number(m[1]);
      expect(Number(m[1])).toBe(zoom);
      expect(Math.abs(Number(m[2]) / n - 0.5848)).toBeLessThan(0.01);
      expect(Math.abs(Number(m[3]) / n - 0.3454)).toBeLessThan(0.01);
    }
    expect(await page.locator('#map-attribution').textContent()).toBe('© Test tiles');
    // an image from any other origin is refused by the page's policy
    expect(await axeSeriousOrCritical(page)).toEqual([]);
    const refused = await page.evaluate(`new Promise((resolve) => {
      document.addEventListener('securitypolicyviolation', (e) => resolve(e.violatedDirective), { once: true });
      const img = new Image();
      img.src = ${JSON.stringify(`${other.origin}/tiles/1/1/1.png`)};
      document.body.append(img);
      setTimeout(() => resolve('no violation'), 5000);
    })`);
    expect(refused).toBe('img-src');
    expect(other.requests).toEqual([]);
    screenshot('hub-map-tiles', await page.locator('section.map').screenshot());
    await page.close();
    problems.errors = problems.errors.filter((e) => !e.includes(other.origin));
    expect(problems.errors).toEqual([]);
  }, 90_000);

  it('without a tile URL the map is the points alone, every marker a link, and images stay local-only', async () => {
    const csp = (await fetch(`${plain}/`)).headers.get('content-security-policy') ?? '';
    expect(csp).toContain("img-src 'self' data:;");
    const page = await openPage(chromium, problems);
    await mapReady(page, plain);
    expect(await page.locator('#map image').count()).toBe(0);
    expect(await page.locator('#map a[data-point]').count()).toBe(
      RUN_POINTS.length + NOT_ON_SHEET.length + CLUSTER.length,
    );
    expect(await page.locator('#map-attribution').textContent()).toBe('');
    await page.locator('#map a[data-point="rs-dry"]').click();
    await page.waitForURL(/\/point\?id=rs-dry/);
    await page.close();
    expect(problems.errors).toEqual([]);
  }, 60_000);

  it('no two visible labels overlap in a dense cluster; a hidden one shows on hover and on focus', async () => {
    const page = await openPage(chromium, problems);
    await mapReady(page, withTiles);
    const boxes = (await page.evaluate(`[...document.querySelectorAll('#map .marker-label')].map((l) => {
      const r = l.getBoundingClientRect();
      const visible = getComputedStyle(l).display !== 'none' && r.width > 0;
      return { id: l.closest('a').getAttribute('data-point'), visible, x0: r.left, y0: r.top, x1: r.right, y1: r.bottom };
    })`)) as Array<{ id: string; visible: boolean; x0: number; y0: number; x1: number; y1: number }>;
    const visible = boxes.filter((b) => b.visible);
    const hidden = boxes.filter((b) => !b.visible);
    expect(visible.length).toBeGreaterThan(RUN_POINTS.length);
    expect(hidden.length).toBeGreaterThan(0);
    const clashes: string[] = [];
    for (let i = 0; i < visible.length; i++) {
      for (let j = i + 1; j < visible.length; j++) {
        const a = visible[i];
        const b = visible[j];
        if (a && b && a.x0 < b.x1 && b.x0 < a.x1 && a.y0 < b.y1 && b.y0 < a.y1)
          clashes.push(`${a.id} × ${b.id}`);
      }
    }
    expect(clashes).toEqual([]);
    // the spread-out points all keep their labels
    for (const p of RUN_POINTS) expect(visible.map((b) => b.id)).toContain(p.id);
    // a hidden label whose marker is not under another one, so the pointer really is on it
    const target = (await page.evaluate(`${JSON.stringify(hidden.map((b) => b.id))}.map((id) => {
      const link = document.querySelector('#map a[data-point="' + id + '"]');
      const r = link.querySelector('circle').getBoundingClientRect();
      const x = r.left + r.width / 2;
      const y = r.top + r.height / 2;
      return { id, x, y, top: document.elementFromPoint(x, y)?.closest('a') === link };
    }).find((c) => c.top)`)) as { id: string; x: number; y: number } | undefined;
    expect(target).toBeDefined();
    const quiet = target?.id ?? '';
    const label = page.locator(`#map a[data-point="${quiet}"] .marker-label`);
    expect(await label.isVisible()).toBe(false);
    await page.mouse.move(target?.x ?? 0, target?.y ?? 0);
    await expect.poll(() => label.isVisible()).toBe(true);
    await page.mouse.move(0, 0);
    await expect.poll(() => label.isVisible()).toBe(false);
    await page.locator(`#map a[data-point="${quiet}"]`).focus();
    await expect.poll(() => label.isVisible()).toBe(true);
    screenshot('hub-map-labels', await page.locator('section.map').screenshot());
    await page.close();
    expect(problems.errors).toEqual([]);
  }, 60_000);

  it('the run sheet lists the points in order with litres by tank and trend, one table per run', async () => {
    const page = await openPage(chromium, problems);
    await visit(page, plain, '/runsheet?lang=en');
    await page.locator('section.run').first().waitFor({ timeout: 30_000 });
    const runs = await page.locator('section.run').evaluateAll((sections) =>
      sections.map((s) => ({
        caption: s.querySelector('caption')?.textContent ?? '',
        stops: [...s.querySelectorAll('tbody tr')].map((tr) => ({
          id: tr.getAttribute('data-point'),
          bring: tr.querySelector('.bring')?.textContent,
        })),
      })),
    );
    // truck 500 L, first stop in 1 h, 0.5 h per stop; every tank 200 L but rs-low's 400 L:
    // dark 60 L left → 140; dry 2 L burns out → 200 | 2 h: 40 L − 2 h × 20 L/h → 200; cold 100 − 2.5 × 20 → 150 |
    // warm 104 − 3 × 20 → 156; unsized: unknown; low 120 L, idle → 280
    expect(runs.map((r) => r.stops)).toEqual([
      [
        { id: 'rs-dark', bring: '140 l' },
        { id: 'rs-dry', bring: '200 l' },
      ],
      [
        { id: 'rs-2h', bring: '200 l' },
        { id: 'rs-5h-cold', bring: '150 l' },
      ],
      [
        { id: 'rs-5h-warm', bring: '156 l' },
        { id: 'rs-unsized', bring: 'tank size unknown' },
        { id: 'rs-low', bring: '280 l' },
      ],
    ]);
    expect(runs[0]?.caption).toMatch(/^Run 1 · 2 stops · 340 l · made \d{2}:\d{2}$/);
    expect(runs[2]?.caption).toMatch(/^Run 3 · 3 stops · 436 l · made \d{2}:\d{2}$/);
    // the English page keeps a 24-hour clock (en-GB), like the point's own page
    expect(runs.map((r) => r.caption).join(' ')).not.toMatch(/\b(AM|PM)\b/i);
    expect(await page.locator('.unknown-litres').textContent()).toContain('1 without a known tank size');
    expect(await axeSeriousOrCritical(page)).toEqual([]);
    screenshot('hub-runsheet', await page.screenshot({ fullPage: true }));
    // a bigger truck: one run
    await page.locator('#truck').fill('2000');
    await page.locator('#update').click();
    await expect.poll(() => page.locator('section.run').count()).toBe(1);
    await expect.poll(() => page.url()).toContain('truckLitres=2000');
    // a bad figure is refused with a clear message, and the sheet shown stays
    const bad = await fetch(`${plain}/api/runsheet?truckLitres=-5`, {
      headers: {
        cookie: `pima_staff=${tokens.get(plain)}`,
      },
    });
    expect(bad.status).toBe(400);
    expect(((await bad.json()) as { error: string }).error).toMatch(/truckLitres/);
    await page.close();
    expect(problems.errors).toEqual([]);
  }, 90_000);

  it('prints to an A4 PDF: one page per run, each a clean table with the rows in order', async () => {
    const page = await openPage(chromium, problems);
    await visit(page, plain, '/runsheet?lang=en');
    await page.locator('section.run').first().waitFor({ timeout: 30_000 });
    const file = join(dir, 'runsheet.pdf');
    await page.pdf({ path: file, format: 'A4', printBackground: true });
    mkdirSync(ARTIFACTS, { recursive: true });
    copyFileSync(file, join(ARTIFACTS, 'hub-runsheet.pdf'));
    const info = execFileSync('pdfinfo', [file], { encoding: 'utf8' });
    expect(info).toMatch(/Pages:\s+3\n/);
    // A4: 595 × 842 points
    expect(info).toMatch(/Page size:\s+59[56](\.\d+)? x 84[12](\.\d+)? pts \(A4\)/);
    const pages = execFileSync('pdftotext', ['-layout', file, '-'], { encoding: 'utf8' }).split('\f');
    const order = (text: string) =>
      [
        ...text.matchAll(
          /\b(SchoolDark|LibraryDry|GymTwoHours|ClinicCold|HallWarm|DepotUnsized|ChurchLow)\b/g,
        ),
      ].map((m) => m[0]);
    expect(pages.slice(0, 3).map(order)).toEqual([
      ['SchoolDark', 'LibraryDry'],
      ['GymTwoHours', 'ClinicCold'],
      ['HallWarm', 'DepotUnsized', 'ChurchLow'],
    ]);
    expect(pages[0]).toMatch(/Run 1 · 2 stops · 340 l/);
    expect(pages[0]).toMatch(/140 l/);
    expect(pages[2]).toMatch(/280 l/);
    // the screen-only parts stay off the paper
    const all = pages.join('\n');
    expect(all).not.toContain('Truck load');
    expect(all).not.toContain('MuseumFull');
    expect(all).not.toContain('Sign out');
    await page.close();
  }, 90_000);

  it('the run sheet in every language: no text missing, plurals and numbers of the language', async () => {
    const page = await openPage(chromium, problems);
    const seen = new Map<string, string>();
    for (const lang of ['uk', 'et', 'sv', 'en', 'ru']) {
      await visit(page, plain, `/runsheet?lang=${lang}`);
      await page.locator('section.run caption').first().waitFor({ timeout: 30_000 });
      const text = (await page.locator('body').textContent()) ?? '';
      expect(text).not.toMatch(/undefined|\{n\}|\{time\}|NaN/);
      expect(await page.locator('html').getAttribute('lang')).toBe(lang);
      seen.set(lang, (await page.locator('section.run caption').first().textContent()) ?? '');
      expect(await axeSeriousOrCritical(page)).toEqual([]);
      if (lang === 'uk') screenshot('hub-runsheet-uk', await page.screenshot({ fullPage: true }));
    }
    expect(seen.get('uk')).toMatch(/^Рейс 1 · 2 зупинки · 340 л · складено \d{2}:\d{2}$/);
    expect(seen.get('ru')).toMatch(/^Рейс 1 · 2 остановки · 340 л/);
    expect(seen.get('sv')).toMatch(/^Tur 1 · 2 stopp · 340 l/);
    expect(seen.get('et')).toMatch(/^Sõit 1 · 2 peatust · 340 l/);
    await page.close();
    expect(problems.errors).toEqual([]);
  }, 120_000);
});
