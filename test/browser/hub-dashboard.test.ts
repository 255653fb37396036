import { mkdirSync, writeFileSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Cleanups } from '../helpers/cleanups.js';
import type { RunningService } from '../helpers/cli.js';
import {
  type PointSpec,
  startHub,
  startPoint,
  writeHubConfig,
  writePointConfig,
} from '../helpers/hub-fleet.js';
import { type Mosquitto, startMosquitto } from '../helpers/mosquitto.js';
import { type HeadlessChromium, launchChromium } from './chromium.js';
import { axeSeriousOrCritical, openPage, type Problems } from './page-checks.js';

/**
 * Issue 16: the crisis staff's dashboard in Debian Chromium, on a real fleet: point services on
 * simulated time publish through Mosquitto to a `pima-hub run`, whose page the browser opens.
 */

const ARTIFACTS = 'test-artifacts/hub';
const STALE_SEC = 6;
const FLEET: PointSpec[] = [
  { id: 'dash-tallinn', lat: 59.43, lon: 24.75, scenario: 'normal', seed: 1 },
  { id: 'dash-kyiv', lat: 50.45, lon: 30.52, scenario: 'blackout', seed: 2 },
  { id: 'dash-stockholm', lat: 59.33, lon: 18.07, scenario: 'crowd', seed: 3 },
];

const cleanups = new Cleanups();
const points = new Map<string, RunningService>();
const problems: Problems = { errors: [] };
let dir = '';
let broker: Mosquitto;
let web = '';
let chromium: HeadlessChromium;

function screenshot(name: string, png: Buffer): void {
  mkdirSync(ARTIFACTS, { recursive: true });
  writeFileSync(join(ARTIFACTS, `${name}.png`), png);
  if (process.env.UPDATE_SCREENSHOTS === '1') {
    mkdirSync('docs/screenshots', { recursive: true });
    writeFileSync(`docs/screenshots/${name}.png`, png);
  }
}

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
  for (const spec of FLEET) {
    const p = await startPoint(await writePointConfig(dir, broker.url, spec), 20);
    points.set(spec.id, p);
    cleanups.push(async () => {
      if (p.child.exitCode === null && p.child.signalCode === null) p.child.kill('SIGTERM');
      await p.exited;
    });
  }
  chromium = await launchChromium();
  cleanups.push(() => chromium.close());
}, 120_000);

afterAll(async () => {
  await cleanups.run();
});

describe('the fleet dashboard in Debian Chromium', () => {
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
});
