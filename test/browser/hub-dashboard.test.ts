import { appendFile, mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Cleanups } from '../helpers/cleanups.js';
import { cli, HUB_MAIN, type RunningService } from '../helpers/cli.js';
import {
  type PointSpec,
  startHub,
  startPoint,
  writeHubConfig,
  writePointConfig,
} from '../helpers/hub-fleet.js';
import { type Mosquitto, startMosquitto, startProxy, type TcpProxy } from '../helpers/mosquitto.js';
import { type HeadlessChromium, launchChromium } from './chromium.js';
import { axeSeriousOrCritical, openPage, type Problems, saveScreenshot } from './page-checks.js';

/**
 * Issue 16: the crisis staff's dashboard in Debian Chromium, on a real fleet: point services on
 * simulated time publish through Mosquitto to a `pima-hub run`, whose page the browser opens after
 * signing in with an account made by `pima-hub user add`. One point reaches the broker through a proxy,
 * so its link can be cut and restored; every point serves its own status page.
 */

const ARTIFACTS = 'test-artifacts/hub';
const STALE_SEC = 6;
const FLEET: PointSpec[] = [
  { id: 'dash-tallinn', lat: 59.43, lon: 24.75, scenario: 'normal', seed: 1 },
  { id: 'dash-kyiv', lat: 50.45, lon: 30.52, scenario: 'blackout', seed: 2 },
  { id: 'dash-stockholm', lat: 59.33, lon: 18.07, scenario: 'crowd', seed: 3 },
];
/** The point behind the proxy. */
const CUT = 'dash-stockholm';
const OPERATOR = { name: 'olena', password: 'correct horse battery' };
const VIEWER = { name: 'viewer-jaan', password: 'another long secret' };

const cleanups = new Cleanups();
const points = new Map<string, RunningService>();
const problems: Problems = { errors: [] };
let dir = '';
let broker: Mosquitto;
let web = '';
let chromium: HeadlessChromium;
let proxy: TcpProxy;
/** Each point's own status page. */
const pointPages = new Map<string, string>();

const screenshot = (name: string, png: Buffer) => saveScreenshot(ARTIFACTS, name, png);

const row = (page: Page, id: string) => page.locator(`#rows tr[data-point="${id}"]`);

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'pima-hub-dash-'));
  cleanups.push(() => rm(dir, { recursive: true, force: true }));
  broker = await startMosquitto();
  cleanups.push(() => broker.stop());
  const hubConfig = await writeHubConfig(dir, 'hub', {
    brokerUrl: broker.url,
    databaseUrl: `sqlite:${join(dir, 'hub.db')}`,
    staleAfterSec: STALE_SEC,
  });
  const hub = await startHub(hubConfig);
  cleanups.push(async () => {
    hub.child.kill('SIGTERM');
    await hub.exited;
  });
  web = /hub:web: listening url=(\S+)/.exec(hub.stderr())?.[1] ?? '';
  for (const [who, role] of [
    [OPERATOR, 'operator'],
    [VIEWER, 'viewer'],
  ] as const) {
    const r = await cli(['user', 'add', who.name, '--role', role, '--config', hubConfig], {
      main: HUB_MAIN,
      env: { PIMA_HUB_PASSWORD: who.password },
    });
    expect(r.code, r.stderr).toBe(0);
  }
  proxy = await startProxy(broker.port);
  cleanups.push(() => proxy.close());
  for (const spec of FLEET) {
    const config = await writePointConfig(dir, spec.id === CUT ? proxy.url : broker.url, spec);
    await appendFile(config, 'web:\n  enabled: true\n  host: 127.0.0.1\n  port: 0\n  languages: [en]\n');
    const p = await startPoint(config, 20);
    points.set(spec.id, p);
    cleanups.push(async () => {
      if (p.child.exitCode === null && p.child.signalCode === null) p.child.kill('SIGTERM');
      await p.exited;
    });
    await p.waitForStderr(/status page on http:\/\/[\d.]+:\d+\//, 30_000);
    pointPages.set(spec.id, /status page on (http:\/\/[\d.]+:\d+)\//.exec(p.stderr())?.[1] ?? '');
  }
  chromium = await launchChromium();
  cleanups.push(() => chromium.close());
  // signed in as the operator from the start, so each test also runs alone (the first signs in by hand)
  const login = await fetch(`${web}/api/session`, {
    method: 'POST',
    headers: { 'Content-Type': 'application/json' },
    body: JSON.stringify(OPERATOR),
  });
  const token = /pima_staff=([^;]+)/.exec(login.headers.get('set-cookie') ?? '')?.[1] ?? '';
  await chromium.context.addCookies([{ name: 'pima_staff', value: token, url: web }]);
}, 120_000);

afterAll(async () => {
  await cleanups.run();
});

async function signIn(page: Page, who: { name: string; password: string }): Promise<void> {
  await page.locator('#signin-name').fill(who.name);
  await page.locator('#signin-password').fill(who.password);
  await page.locator('#signin button[type="submit"]').click();
}

describe('the fleet dashboard in Debian Chromium', () => {
  it('asks for a sign-in; a wrong password is refused; the API needs a session but the feeds do not', async () => {
    expect((await fetch(`${web}/api/dashboard`)).status).toBe(401);
    expect((await fetch(`${web}/api/events`)).status).toBe(401);
    expect((await fetch(`${web}/feeds/points.geojson`)).status).toBe(200);
    const forged = await fetch(`${web}/api/points/${CUT}/desired`, {
      method: 'POST',
      headers: { 'Content-Type': 'application/json' },
      body: JSON.stringify({ kind: 'mode', mode: 'closed' }),
    });
    expect(forged.status).toBe(401);
    await chromium.context.clearCookies();
    const page = await openPage(chromium, problems);
    await page.goto(`${web}/?lang=en`);
    await signIn(page, { name: OPERATOR.name, password: 'wrong password!' });
    await page.locator('#signin .error:text("Wrong name or password.")').waitFor({ timeout: 15_000 });
    expect(await axeSeriousOrCritical(page)).toEqual([]);
    screenshot('hub-signin', await page.screenshot());
    await signIn(page, OPERATOR);
    await page.locator('#signin').waitFor({ state: 'detached', timeout: 15_000 });
    expect(await page.locator('#staff').textContent()).toContain('olena (operator)');
    await page.close();
    // the 401s of the first look and the wrong password were on purpose
    problems.errors.length = 0;
  }, 60_000);

  it('shows every point of a real fleet with its state word and symbol; axe finds nothing serious', async () => {
    const page = await openPage(chromium, problems);
    await page.goto(`${web}/?lang=en`);
    for (const { id } of FLEET) {
      await row(page, id).locator('.badge:not(.unknown)').waitFor({ timeout: 60_000 });
    }
    for (const { id } of FLEET) {
      const badge = row(page, id).locator('.badge');
      const state = await badge.getAttribute('data-state');
      expect(['OPEN', 'OPEN_LIMITED', 'FULL', 'STANDBY', 'CLOSED']).toContain(state);
      // word and symbol, so it reads without colour
      expect((await badge.locator('.word').textContent())?.length).toBeGreaterThan(2);
      expect((await badge.locator('.symbol').textContent())?.length).toBeGreaterThan(0);
    }
    expect(await page.locator('#count').textContent()).toBe('3 points');
    // the map: one marker per point, from its info location, in the same state as the list
    for (const { id } of FLEET) {
      const state = await row(page, id).getAttribute('data-state');
      await page.locator(`#map a[data-point="${id}"][data-state="${state}"]`).waitFor({ timeout: 10_000 });
    }
    expect(await axeSeriousOrCritical(page)).toEqual([]);
    screenshot('hub-dashboard', await page.screenshot({ fullPage: true }));
    await page.close();
  }, 90_000);

  it('a point killed turns UNKNOWN on screen without a reload, and is listed as silent', async () => {
    const page = await openPage(chromium, problems);
    await page.goto(`${web}/?lang=uk`);
    const victim = 'dash-tallinn';
    await row(page, victim).locator('.badge:not(.unknown)').waitFor({ timeout: 60_000 });
    await page.evaluate('window.__sameDocument = true');
    points.get(victim)?.child.kill('SIGKILL');
    await row(page, victim)
      .locator('.badge.unknown')
      .waitFor({ timeout: (STALE_SEC + 30) * 1000 });
    expect(await page.evaluate('window.__sameDocument')).toBe(true);
    expect(await row(page, victim).locator('td').nth(1).textContent()).toBe('—');
    await page
      .locator(`#needs li[data-point="${victim}"][data-reason="silent"]`)
      .waitFor({ timeout: 10_000 });
    expect(await axeSeriousOrCritical(page)).toEqual([]);
    screenshot('hub-dashboard-unknown-uk', await page.screenshot({ fullPage: true }));
    await page.close();
  }, 90_000);

  it("a point's page: charts of the last 24 h from stored telemetry, events and gaps; axe-clean", async () => {
    const page = await openPage(chromium, problems);
    await page.goto(`${web}/point?id=dash-kyiv&lang=en`);
    await page.locator('#state .badge').waitFor({ timeout: 30_000 });
    // where to send people: the other open points with places (the killed one is UNKNOWN, so not listed)
    await page.locator('#nearby li[data-point]').first().waitFor({ timeout: 30_000 });
    const nearby = await page
      .locator('#nearby li[data-point]')
      .evaluateAll((lis) => lis.map((li) => li.getAttribute('data-point')));
    expect(nearby.length).toBeGreaterThan(0);
    expect(nearby).not.toContain('dash-kyiv');
    expect(nearby).not.toContain('dash-tallinn');
    // the points run 20× real time: a few 5-minute buckets of the 24 h chart fill within a minute
    const buckets = () => page.locator('figure[data-chart="battery.soc"]').getAttribute('data-points');
    const deadline = Date.now() + 60_000;
    while (Number(await buckets()) < 3 && Date.now() < deadline) {
      await new Promise((r) => setTimeout(r, 2000));
      await page.locator('button[data-range="24h"]').click();
      await page.locator('figure[data-chart="battery.soc"]').waitFor();
    }
    expect(Number(await buckets())).toBeGreaterThanOrEqual(3);
    await page.locator('button[data-range="7d"]').click();
    await page.locator('button[data-range="7d"][aria-pressed="true"]').waitFor();
    await page.locator('figure[data-chart="battery.soc"][data-points]').waitFor({ timeout: 30_000 });
    expect(await page.locator('#gaps li').count()).toBeGreaterThan(0);
    expect(await axeSeriousOrCritical(page)).toEqual([]);
    screenshot('hub-point', await page.screenshot({ fullPage: true }));
    await page.close();
    expect(problems.errors).toEqual([]);
  }, 150_000);

  it('a command to an offline point is pending, then applied when its link returns', async () => {
    const page = await openPage(chromium, problems);
    await page.goto(`${web}/point?id=${CUT}&lang=en`);
    const badge = page.locator('#state .badge');
    await page.locator('#state .badge:not(.unknown)').waitFor({ timeout: 60_000 });
    proxy.setBlocked(true);
    proxy.dropConnections();
    await page.locator('#state .badge.unknown').waitFor({ timeout: (STALE_SEC + 30) * 1000 });
    await page.locator('#mode').selectOption('closed');
    await page.locator('#reason').fill('drill: fuel delivery');
    await page.locator('#mode-send').click();
    await page.locator('#command-result:text-matches("^Sent: ")').waitFor({ timeout: 15_000 });
    // pending, with what and who: the desired message names its issuer
    await page.locator('#facts dd:text-matches("pending.*closed.*\\(olena\\)")').waitFor({ timeout: 15_000 });
    expect(await badge.getAttribute('data-state')).toBe('UNKNOWN');
    screenshot('hub-command-pending', await page.screenshot({ fullPage: true }));
    proxy.setBlocked(false);
    await page.locator('#facts dd:text-matches("applied.*closed")').waitFor({ timeout: 60_000 });
    await page.locator('#state .badge[data-state="CLOSED"]').waitFor({ timeout: 30_000 });
    expect(await axeSeriousOrCritical(page)).toEqual([]);
    await page.close();
  }, 150_000);

  it("a broadcast reaches the points' own pages, and the dashboard shows where it is displayed", async () => {
    // the main text in Ukrainian and an English version: each point's page shows its own language's
    const text = 'Water is handed out at the town hall from 14:00.';
    const main = 'Воду видають у ратуші з 14:00.';
    const page = await openPage(chromium, problems);
    await page.goto(`${web}/?lang=en`);
    await page.locator('#broadcast-text').fill(main);
    await page.locator('#broadcast-text-en').fill(text);
    await page.locator('#broadcast-send').click();
    await page.locator('#broadcast-result:text("Sent to 3 points.")').waitFor({ timeout: 30_000 });
    // the killed point cannot show it; the two live ones do, on their own status pages
    const live = FLEET.map((p) => p.id).filter((id) => id !== 'dash-tallinn');
    for (const id of live) {
      const own = await openPage(chromium, problems);
      await own.goto(`${pointPages.get(id)}/?lang=en`);
      await own
        .locator(`#announcement:not([hidden]) #announcement-text:text("${text}")`)
        .waitFor({ timeout: 60_000 });
      if (id === 'dash-kyiv') screenshot('point-announcement', await own.screenshot());
      await own.close();
    }
    await page.locator('#shown li[data-shown="2"]').waitFor({ timeout: 30_000 });
    expect(await page.locator('#shown li').first().textContent()).toContain('Shown at 2 of 3');
    expect(await page.locator('#shown li q').first().textContent()).toBe(main);
    await page.locator('#audit-rows tr td:text("desired.announce")').first().waitFor({ timeout: 30_000 });
    // English times on a 24-hour clock (en-GB), like the point's own page
    expect(await page.locator('#audit-rows tr td').first().textContent()).toMatch(
      /^(\d{1,2} \w+,? )?\d{2}:\d{2}$/,
    );
    expect(await axeSeriousOrCritical(page)).toEqual([]);
    screenshot('hub-dashboard-broadcast', await page.screenshot({ fullPage: true }));
    await page.close();
    expect(problems.errors).toEqual([]);
  }, 150_000);

  it('a viewer sees but may not send; a change without the CSRF token is refused', async () => {
    const login = await fetch(`${web}/api/session`, {
      method: 'POST',
      headers: { 'Content-Type': 'application/json' },
      body: JSON.stringify(VIEWER),
    });
    expect(login.status).toBe(200);
    const { csrf } = (await login.json()) as { csrf: string };
    const cookie = (login.headers.get('set-cookie') ?? '').split(';')[0] ?? '';
    expect(login.headers.get('set-cookie')).toMatch(/HttpOnly; SameSite=Strict/);
    expect((await fetch(`${web}/api/dashboard`, { headers: { cookie } })).status).toBe(200);
    const post = (headers: Record<string, string>) =>
      fetch(`${web}/api/points/dash-kyiv/desired`, {
        method: 'POST',
        headers: { 'Content-Type': 'application/json', cookie, ...headers },
        body: JSON.stringify({ kind: 'mode', mode: 'closed' }),
      });
    expect((await post({})).status).toBe(403);
    const asViewer = await post({ 'X-CSRF-Token': csrf });
    expect(asViewer.status).toBe(403);
    expect(((await asViewer.json()) as { error: string }).error).toMatch(/operator/);
  });
});
