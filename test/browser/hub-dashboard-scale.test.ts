import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { SqliteHubStorage } from '../../src/hub/storage/sqlite.js';
import { emptyWork } from '../../src/hub/storage/types.js';
import type { HubWebServer } from '../../src/hub/web/server.js';
import { Cleanups } from '../helpers/cleanups.js';
import { seedFleet, seedPointId } from '../helpers/hub-seed.js';
import { startSignedInHub } from '../helpers/hub-web.js';
import { sampleStatus } from '../helpers/status.js';
import { type HeadlessChromium, launchChromium } from './chromium.js';
import { axeSeriousOrCritical, openPage, type Problems, saveScreenshot } from './page-checks.js';

/**
 * Issue 16, scale: the dashboard in Debian Chromium with 1,000 points in the hub's SQLite storage. The
 * page holds one page of the list (50 rows), the first 25 that need action and the map; it pages,
 * filters, searches and re-orders through the hub, and a point's change arrives live on the open page.
 * No timing is asserted (that is bench/hub-dashboard.ts); the page's size is, since it is what keeps it
 * usable: the DOM does not grow with the fleet except by one map marker per point.
 */

const N = 1000;
const cleanups = new Cleanups();
const problems: Problems = { errors: [] };
let storage: SqliteHubStorage;
let web: HubWebServer;
let chromium: HeadlessChromium;
let base = '';

beforeAll(async () => {
  const dir = await mkdtemp(join(tmpdir(), 'hub-dash-scale-'));
  cleanups.push(() => rm(dir, { recursive: true, force: true }));
  storage = new SqliteHubStorage(join(dir, 'hub.db'));
  await storage.start();
  cleanups.push(() => storage.stop());
  const now = Date.now();
  await seedFleet(storage, N, { now });
  const hub = await startSignedInHub(storage, { languages: ['en', 'uk'] });
  web = hub.web;
  cleanups.push(() => web.stop());
  base = hub.url;
  chromium = await launchChromium();
  cleanups.push(() => chromium.close());
  await chromium.context.addCookies([{ name: 'pima_staff', value: hub.token, url: base }]);
}, 120_000);

afterAll(async () => {
  await cleanups.run();
});

const rowIds = (page: Page) =>
  page.locator('#rows tr').evaluateAll((trs) => trs.map((tr) => tr.getAttribute('data-point')));

describe('the dashboard with 1,000 points', () => {
  it('shows a page of 50, the counts, 25 that need action and every point on the map', async () => {
    const page = await openPage(chromium, problems);
    await page.goto(`${base}/?lang=en`);
    await page.locator('#count:text("1,000 points")').waitFor({ timeout: 60_000 });
    expect(await page.locator('#rows tr').count()).toBe(50);
    expect(await page.locator('#page').textContent()).toBe('Page 1 of 20');
    expect(await page.locator('#needs li[data-point]').count()).toBe(25);
    expect(await page.locator('#needs li.more').textContent()).toMatch(/^\+ [\d,]+ points$/);
    await page
      .locator('#map a[data-point]')
      .nth(N - 1)
      .waitFor({ timeout: 30_000 });
    expect(await page.locator('#map a[data-point]').count()).toBe(N);
    expect(await page.locator('#filters button[data-filter="FULL"]').textContent()).toBe('FULL 200');
    // what keeps the page usable: its size does not follow the fleet but for one marker per point
    const nodes = Number(await page.evaluate("document.getElementsByTagName('*').length"));
    const markers = Number(await page.evaluate("document.querySelectorAll('#map *').length"));
    expect(nodes - markers).toBeLessThan(2500);
    expect(await axeSeriousOrCritical(page)).toEqual([]);
    // the list with its counts as filters and the pager (the whole page is mostly one table)
    const box = await page.locator('section.fleet').boundingBox();
    if (box) {
      const clip = { x: box.x, y: box.y, width: box.width, height: Math.min(box.height, 700) };
      saveScreenshot(
        'test-artifacts/hub',
        'hub-dashboard-1000',
        await page.screenshot({ clip, fullPage: true }),
      );
    }
    await page.close();
    expect(problems.errors).toEqual([]);
  }, 120_000);

  it('pages, filters, searches and orders through the hub', async () => {
    const page = await openPage(chromium, problems);
    await page.goto(`${base}/?lang=en`);
    await page.locator('#count:text("1,000 points")').waitFor({ timeout: 60_000 });
    const first = await rowIds(page);
    await page.locator('#next').click();
    await page.locator('#page:text("Page 2 of 20")').waitFor({ timeout: 15_000 });
    const second = await rowIds(page);
    expect(second).toHaveLength(50);
    expect(second.filter((id) => first.includes(id))).toEqual([]);
    await page.locator('#prev').click();
    await page.locator('#page:text("Page 1 of 20")').waitFor({ timeout: 15_000 });
    expect(await rowIds(page)).toEqual(first);
    // the needs-action order comes first by default: the top rows are the ones listed as needing action
    const needs = await page
      .locator('#needs li[data-point]')
      .evaluateAll((lis) => lis.map((li) => li.getAttribute('data-point')));
    expect(first.slice(0, 25)).toEqual(needs);

    await page.locator('#filters button[data-filter="FULL"]').click();
    await page.locator('#count:text("200 points")').waitFor({ timeout: 15_000 });
    expect(await page.locator('#filters button[data-filter="FULL"]').getAttribute('aria-pressed')).toBe(
      'true',
    );
    const states = await page
      .locator('#rows tr')
      .evaluateAll((trs) => trs.map((tr) => tr.getAttribute('data-state')));
    expect(new Set(states)).toEqual(new Set(['FULL']));

    await page.locator('#filters button[data-filter=""]').click();
    await page.locator('#count:text("1,000 points")').waitFor({ timeout: 15_000 });
    await page.locator('#search').fill('point 99');
    // Point 99 and Point 990–999
    await page.locator('#count:text("11 points")').waitFor({ timeout: 15_000 });
    expect(await page.locator('#pager').isHidden()).toBe(true);
    await page.locator('#search').fill('');
    await page.locator('#count:text("1,000 points")').waitFor({ timeout: 15_000 });

    await page.locator('#sort').selectOption('name');
    await page.locator('#rows tr:first-child th a:text-is("Point 0")').waitFor({ timeout: 15_000 });
    expect(await page.locator('#rows tr:nth-child(2) th a').textContent()).toBe('Point 1');
    expect(await axeSeriousOrCritical(page)).toEqual([]);
    await page.close();
    expect(problems.errors).toEqual([]);
  }, 120_000);

  it("a point's change arrives on the open page without a reload, in the row and on the map", async () => {
    const page = await openPage(chromium, problems);
    await page.goto(`${base}/?lang=en`);
    await page.locator('#count:text("1,000 points")').waitFor({ timeout: 60_000 });
    await page.locator('#sort').selectOption('name');
    await page.locator('#rows tr:first-child th a:text-is("Point 0")').waitFor({ timeout: 15_000 });
    await page.evaluate('window.__sameDocument = true');
    // a change of figures only (places left) updates the row but leaves the map's markers as drawn
    const quiet = seedPointId(2);
    await page.evaluate(`document.querySelector('#map a[data-point="${quiet}"]').dataset.kept = 'yes'`);
    const now = Date.now();
    const figures = sampleStatus({
      point: quiet,
      name: 'Point 2',
      status: 'FULL',
      placesLeft: 3,
      epoch: 'e',
      ts: new Date(now).toISOString(),
    });
    const update = emptyWork();
    update.statuses.push({
      point: quiet,
      epoch: 'e',
      ts: now,
      receivedAt: now,
      state: 'FULL',
      body: JSON.stringify(figures),
    });
    await storage.commit(update);
    web.touch([quiet]);
    await page.locator(`#rows tr[data-point="${quiet}"] td:text-is("3 / 40")`).waitFor({ timeout: 15_000 });
    expect(await page.locator(`#map a[data-point="${quiet}"][data-kept="yes"]`).count()).toBe(1);
    const id = seedPointId(1);
    expect(await page.locator(`#rows tr[data-point="${id}"]`).getAttribute('data-state')).not.toBe('CLOSED');
    const at = Date.now();
    const status = sampleStatus({
      point: id,
      name: 'Point 1',
      status: 'CLOSED',
      epoch: 'e',
      ts: new Date(at).toISOString(),
    });
    const work = emptyWork();
    work.statuses.push({
      point: id,
      epoch: 'e',
      ts: at,
      receivedAt: at,
      state: 'CLOSED',
      body: JSON.stringify(status),
    });
    await storage.commit(work);
    // as the ingest does after its commit
    web.touch([id]);
    await page.locator(`#rows tr[data-point="${id}"][data-state="CLOSED"]`).waitFor({ timeout: 15_000 });
    await page.locator(`#map a[data-point="${id}"][data-state="CLOSED"]`).waitFor({ timeout: 15_000 });
    expect(await page.evaluate('window.__sameDocument')).toBe(true);
    await page.close();
    expect(problems.errors).toEqual([]);
  }, 120_000);
});
