import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { SERVICES, WEB_LANGUAGES } from '../../src/config/schema.js';
import { MESSAGES } from '../../src/web/i18n/index.js';
import { ORPHAN_AFTER_MS } from '../../src/web/liveness.js';
import { type RunningService, startService } from '../helpers/cli.js';
import { freePort } from '../helpers/mosquitto.js';
import { type HeadlessChromium, launchChromium } from './chromium.js';
import { HEADLINE, type Headline, LAYOUT_PROBLEMS } from './layout-probe.js';

/**
 * The page looks once a second and a loaded machine runs its timers late: the change may come this
 * much after the bound. Logged, so a slow change shows in the output even when it passes.
 */
const LOOK_AND_LOAD_MS = 3000;

/** Records, in the page, the wall-clock time the headline first turned to "no current information". */
const WATCH_FOR_NO_INFO = `(() => {
  window.__noInfoAt = undefined;
  const box = document.getElementById('state');
  new MutationObserver(() => {
    if (box.dataset.state === 'NO_INFO' && window.__noInfoAt === undefined) window.__noInfoAt = Date.now();
  }).observe(box, { attributes: true, attributeFilter: ['data-state'] });
})()`;

describe('the door screen of a controller that died or froze says it has no current information', () => {
  let dir: string;
  let cfg: string;
  let url: string;
  let service: RunningService | undefined;
  let chromium: HeadlessChromium;
  /** One page per language, all at the official 7" display's 800×480. */
  const pages = new Map<string, Page>();

  const start = async () => {
    service = await startService(['--config', cfg]);
  };

  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'kiosk-orphan-'));
    cfg = join(dir, 'config.yaml');
    const port = await freePort();
    url = `http://127.0.0.1:${port}`;
    // YAML is a superset of JSON
    writeFileSync(
      cfg,
      JSON.stringify({
        point: { id: 'orphan-test', name: 'Punkt Rosengård', capacity: 60, services: [...SERVICES] },
        storage: { path: join(dir, 'kiosk.db') },
        sign: { outputs: ['none'] },
        web: {
          enabled: true,
          host: '127.0.0.1',
          port,
          languages: [...WEB_LANGUAGES],
          rotateSec: 0,
          // five screens on one device, each with its own live stream (the default reserve is 4)
          limits: { liveStreams: { screen: 8 } },
        },
      }),
    );
    await start();
    chromium = await launchChromium();
    for (const lang of WEB_LANGUAGES) {
      const page = await chromium.context.newPage();
      await page.setViewportSize({ width: 800, height: 480 });
      pages.set(lang, page);
    }
  }, 120_000);

  afterAll(async () => {
    await chromium?.close();
    if (service && service.child.exitCode === null) {
      service.child.kill('SIGKILL');
      await service.exited;
    }
    rmSync(dir, { recursive: true, force: true });
  });

  /** Waits until every page shows `state`, then returns each page's headline. */
  async function allShow(state: string, timeoutMs: number): Promise<Map<string, Headline>> {
    const out = new Map<string, Headline>();
    for (const [lang, page] of pages) {
      await page.locator(`#state[data-state="${state}"]`).waitFor({ timeout: timeoutMs });
      out.set(lang, (await page.evaluate(HEADLINE)) as Headline);
    }
    return out;
  }

  /** Every page: the headline changed to "no current information" within the bound of `since`. */
  async function expectNoInfoWithinBound(since: number, what: string): Promise<void> {
    await allShow('NO_INFO', ORPHAN_AFTER_MS + 30_000);
    for (const [lang, page] of pages) {
      const t = MESSAGES[lang as keyof typeof MESSAGES];
      const at = (await page.evaluate('window.__noInfoAt')) as number;
      console.log(`door screen (${what}, ${lang}): "no current information" ${at - since} ms after`);
      expect(at - since).toBeLessThanOrEqual(ORPHAN_AFTER_MS + LOOK_AND_LOAD_MS);
      const h = (await page.evaluate(HEADLINE)) as Headline;
      expect(h.text).toBe(t.noInfo);
      // on the first screen, big, and the page still fits
      expect(h.bottom).toBeLessThanOrEqual(480);
      expect(h.fontPx).toBeGreaterThanOrEqual(28);
      expect(await page.evaluate(LAYOUT_PROBLEMS)).toEqual([]);
      expect(await page.evaluate('document.title')).toContain(t.noInfo);
      // nothing left that invites people in: no places, no services, no state word
      expect(await page.locator('#places').isHidden()).toBe(true);
      expect(await page.locator('#services-box').isHidden()).toBe(true);
      const text = (await page.evaluate('document.body.innerText')) as string;
      for (const word of [t.state.OPEN, t.stateHint.OPEN]) expect(text).not.toContain(word);
    }
  }

  it('killed (SIGKILL): every language turns to "no current information" within the bound; a restart brings the state back', async () => {
    for (const [lang, page] of pages) await page.goto(`${url}/?lang=${lang}`);
    await allShow('OPEN', 30_000);
    for (const page of pages.values()) await page.evaluate(WATCH_FOR_NO_INFO);
    const killedAt = Date.now();
    service?.child.kill('SIGKILL');
    await service?.exited;
    // The seconds before the bound: the last state with the "no connection" banner, on the first screen.
    for (const [lang, page] of pages) {
      await page.locator('#connection').waitFor({ state: 'visible', timeout: 15_000 });
      const state = (await page.evaluate(HEADLINE)) as Headline;
      if (state.state === 'NO_INFO') continue; // a loaded machine may already be past the bound
      expect(await page.evaluate(LAYOUT_PROBLEMS), lang).toEqual([]);
      const bottom = (await page.evaluate(
        "document.getElementById('connection').getBoundingClientRect().bottom",
      )) as number;
      expect(bottom, lang).toBeLessThanOrEqual(480);
    }
    await expectNoInfoWithinBound(killedAt, 'SIGKILL');
    for (const page of pages.values()) {
      await page.screenshot({
        path: `test-artifacts/web/screens/orphan-${await page.evaluate('document.documentElement.lang')}-800x480.png`,
      });
    }
    // systemd restarts the service: the pages come back by themselves
    await start();
    await allShow('OPEN', 60_000);
  }, 180_000);

  it('frozen (SIGSTOP: connections open, nothing answers): the same, and it recovers on SIGCONT', async () => {
    await allShow('OPEN', 30_000);
    for (const page of pages.values()) await page.evaluate(WATCH_FOR_NO_INFO);
    const stoppedAt = Date.now();
    service?.child.kill('SIGSTOP');
    try {
      await expectNoInfoWithinBound(stoppedAt, 'SIGSTOP');
    } finally {
      service?.child.kill('SIGCONT');
    }
    await allShow('OPEN', 60_000);
  }, 180_000);
});
