import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { SERVICES, WEB_LANGUAGES } from '../../src/config/schema.js';
import { MESSAGES } from '../../src/web/i18n/index.js';
import { type HeadlessChromium, launchChromium } from './chromium.js';
import { type RunningKiosk, startKiosk, waitFor } from './kiosk-service.js';
import { HEADLINE, type Headline, LAYOUT_PROBLEMS } from './layout-probe.js';
import { axeSeriousOrCritical } from './page-checks.js';

const ARTIFACTS = 'test-artifacts/web/screens';
/** The kiosk screens the page is laid out for: the official 7" Pi display, 7–10" panels, HD, Full HD. */
const KIOSK_SIZES = [
  { width: 800, height: 480 },
  { width: 1024, height: 600 },
  { width: 1280, height: 720 },
  { width: 1920, height: 1080 },
] as const;
const PHONES = [
  { width: 360, height: 640 },
  { width: 390, height: 844 },
] as const;
const CONTACT = '+372 600 1234 (valvetelefon)';
const ELSEWHERE = 'Lasnamäe Gümnaasium, Ümera 3 · 600 m';
/** The longest announcement the point accepts is 280 characters; this one is a realistic 2–3 lines. */
const ANNOUNCEMENT =
  'Kuum toit kell 13.00. Buss haiglasse iga tund peaukse eest. Гаряча їжа о 13:00. Автобус до лікарні щогодини.';

/** The shots docs/web.md shows, refreshed with UPDATE_SCREENSHOTS=1. */
const DOC_SHOTS: Record<string, string> = {
  'limited-uk-800x480': 'docs/screenshots/public-800x480.png',
  'full-et-1024x600': 'docs/screenshots/public-full.png',
  'closed-en-1280x720': 'docs/screenshots/public-closed.png',
  'noinfo-uk-800x480': 'docs/screenshots/public-no-info.png',
  'limited-uk-phone-390x844': 'docs/screenshots/public-phone.png',
};

function screenshotTo(name: string, png: Buffer): void {
  mkdirSync(ARTIFACTS, { recursive: true });
  writeFileSync(join(ARTIFACTS, `${name}.png`), png);
  const doc = DOC_SHOTS[name];
  if (doc && process.env.UPDATE_SCREENSHOTS === '1') writeFileSync(doc, png);
}

async function showLanguage(page: Page, lang: string): Promise<void> {
  await page.click(`#langs button[data-lang="${lang}"]`);
  await waitFor(async () => (await page.evaluate('document.documentElement.lang')) === lang, 10_000, lang);
}

describe('the public view fits every kiosk screen, in every language, with all nine services', () => {
  let k: RunningKiosk;
  let chromium: HeadlessChromium;
  let page: Page;

  beforeAll(async () => {
    // 10 min into the blackout: the grid failed at 5 min, the battery carries the point (OPEN · LIMITED).
    k = await startKiosk({
      scenario: 'blackout',
      startSec: 600,
      point: { services: [...SERVICES], contact: CONTACT },
      web: { languages: [...WEB_LANGUAGES], rotateSec: 0, elsewhere: ELSEWHERE },
    });
    await k.advanceMinutes(1);
    chromium = await launchChromium();
    page = await chromium.context.newPage();
  }, 120_000);

  afterAll(async () => {
    await chromium?.close();
    await k?.stop();
  });

  /** Each test may run alone (`-t`): the page is opened by whichever comes first. */
  async function pageOpen(): Promise<void> {
    if (!page.url().startsWith(k.url)) await page.goto(`${k.url}/?lang=uk`);
  }

  /** Every kiosk size and language for the state the page shows now; returns the problems found. */
  async function checkEverySize(state: string, label: string): Promise<string[]> {
    const problems: string[] = [];
    for (const size of KIOSK_SIZES) {
      await page.setViewportSize(size);
      for (const lang of WEB_LANGUAGES) {
        await showLanguage(page, lang);
        const where = `${label} ${lang} ${size.width}×${size.height}`;
        const headline = (await page.evaluate(HEADLINE)) as Headline;
        if (headline.state !== state) problems.push(`${where}: shows ${headline.state}, not ${state}`);
        // big enough to read from a few metres on the smallest screen
        if (headline.fontPx < 28) problems.push(`${where}: headline only ${headline.fontPx} px`);
        for (const p of (await page.evaluate(LAYOUT_PROBLEMS)) as string[]) problems.push(`${where}: ${p}`);
        screenshotTo(`${label}-${lang}-${size.width}x${size.height}`, await page.screenshot());
      }
    }
    return problems;
  }

  async function checkPhones(label: string): Promise<string[]> {
    const problems: string[] = [];
    for (const size of PHONES) {
      await page.setViewportSize(size);
      for (const lang of ['uk', 'et']) {
        await showLanguage(page, lang);
        const where = `${label} ${lang} phone ${size.width}×${size.height}`;
        // The state and the places (while shown) on the first screen; the rest may scroll.
        const firstScreen = (await page.evaluate(`(() => {
          const boxes = ['state', 'places'].map((id) => document.getElementById(id)).filter((n) => n && !n.hidden);
          return Math.max(...boxes.map((n) => n.getBoundingClientRect().bottom));
        })()`)) as number;
        if (firstScreen > size.height) problems.push(`${where}: state and places end at ${firstScreen} px`);
        screenshotTo(`${label}-${lang}-phone-${size.width}x${size.height}`, await page.screenshot());
        // Then the whole page as one tall window: nothing may stick out of anything.
        const height = (await page.evaluate('document.documentElement.scrollHeight')) as number;
        await page.setViewportSize({ width: size.width, height });
        for (const p of (await page.evaluate(LAYOUT_PROBLEMS)) as string[]) problems.push(`${where}: ${p}`);
        await page.setViewportSize(size);
      }
    }
    return problems;
  }

  it('OPEN · LIMITED with an announcement: no overflow at 800×480 … 1920×1080, phones scroll below the places', async () => {
    await page.goto(`${k.url}/?lang=uk`);
    await page.locator('#state[data-state="OPEN_LIMITED"]').waitFor({ timeout: 15_000 });
    k.service.pipeline().command({ name: 'announce', args: { text: ANNOUNCEMENT }, by: 'test' });
    await page.locator('#announcement-text', { hasText: 'Kuum toit' }).waitFor({ timeout: 15_000 });
    expect(await page.locator('.service').count()).toBe(SERVICES.length);
    const problems = [
      ...(await checkEverySize('OPEN_LIMITED', 'limited')),
      ...(await checkPhones('limited')),
    ];
    expect(problems).toEqual([]);
  }, 180_000);

  it('FULL shows no free places, even in the hysteresis band, and where to go instead', async () => {
    await pageOpen();
    const p = k.service.pipeline();
    p.command({ name: 'announce', args: { text: '' }, by: 'test' });
    p.command({ name: 'occupancy.set', args: { value: k.config.point.capacity }, by: 'test' });
    await page.setViewportSize(KIOSK_SIZES[0]);
    await page.locator('#state[data-state="FULL"]').waitFor({ timeout: 15_000 });
    // Two people leave: still FULL (it reopens below 90 %), although the status counts 2 places left.
    // The page's own status poll shows when it has that status in hand.
    const seen = page.waitForResponse(
      async (r) => r.url().endsWith('/api/status') && (await r.text()).includes('"placesLeft":2'),
      { timeout: 30_000 },
    );
    p.command({ name: 'occupancy.set', args: { value: k.config.point.capacity - 2 }, by: 'test' });
    // A count change is published at most every 5 s of the service clock: move it on.
    await waitFor(
      () => {
        k.clock.advance(1000);
        return p.latestStatus()?.placesLeft === 2;
      },
      10_000,
      'the status to count two places left',
    );
    await seen;
    expect(p.latestStatus()?.status).toBe('FULL');
    expect(await page.locator('#state').getAttribute('data-state')).toBe('FULL');
    expect(await page.locator('#places').isHidden()).toBe(true);
    expect(await page.locator('#help-list').textContent()).toContain(ELSEWHERE);
    expect(await page.locator('#help-list').textContent()).toContain(CONTACT);
    for (const lang of WEB_LANGUAGES) {
      await showLanguage(page, lang);
      const lines = ((await page.evaluate('document.body.innerText')) as string).split('\n');
      expect(lines).not.toContain('2');
      expect(lines).not.toContain(
        MESSAGES[lang].placesOf.replace('{capacity}', String(k.config.point.capacity)),
      );
      expect(lines).toContain(MESSAGES[lang].stateHint.FULL);
    }
    expect(await checkEverySize('FULL', 'full')).toEqual([]);
    p.command({ name: 'occupancy.set', args: { value: 0 }, by: 'test' });
  }, 180_000);

  for (const mode of ['closed', 'standby'] as const) {
    const state = mode === 'closed' ? 'CLOSED' : 'STANDBY';
    it(`${state}: no places, no services shown as available, where to go instead and whom to call`, async () => {
      await pageOpen();
      k.service.pipeline().command({ name: 'occupancy.set', args: { value: 0 }, by: 'test' });
      k.service.pipeline().command({ name: 'mode', args: { mode: mode }, by: 'test' });
      await page.setViewportSize(KIOSK_SIZES[0]);
      await page.locator(`#state[data-state="${state}"]`).waitFor({ timeout: 15_000 });
      for (const lang of WEB_LANGUAGES) {
        await showLanguage(page, lang);
        const t = MESSAGES[lang];
        expect(await page.locator('#state-word').textContent()).toBe(t.state[state]);
        expect(await page.locator('#places').isHidden()).toBe(true);
        expect(await page.locator('#services-box').isHidden()).toBe(true);
        expect(await page.locator('#help-title').textContent()).toBe(t.helpTitle);
        const help = await page.locator('#help-list').textContent();
        expect(help).toContain(ELSEWHERE);
        expect(help).toContain(CONTACT);
        if (lang === 'uk' || lang === 'et') expect(await axeSeriousOrCritical(page)).toEqual([]);
      }
      expect(await checkEverySize(state, mode)).toEqual([]);
      k.service.pipeline().command({ name: 'mode', args: { mode: 'auto' }, by: 'test' });
    }, 180_000);
  }

  it('a stale status (the service answers but has stopped deciding) turns the headline to "no current information"', async () => {
    await pageOpen();
    const p = k.service.pipeline();
    p.command({ name: 'mode', args: { mode: 'auto' }, by: 'test' });
    p.command({ name: 'occupancy.set', args: { value: 0 }, by: 'test' });
    await page.setViewportSize(KIOSK_SIZES[0]);
    await showLanguage(page, 'en');
    await page.locator('#state[data-state="OPEN_LIMITED"]').waitFor({ timeout: 15_000 });
    // The pipeline stops; the web server goes on answering with its last status while time passes.
    p.stop();
    const frozenTs = p.latestStatus()?.ts as string;
    k.clock.advance(5 * 60_000);
    await page.locator('#state[data-state="NO_INFO"]').waitFor({ timeout: 30_000 });
    for (const lang of WEB_LANGUAGES) {
      await showLanguage(page, lang);
      const t = MESSAGES[lang];
      expect(await page.locator('#state-word').textContent()).toBe(t.noInfo);
      expect(await page.locator('#places').isHidden()).toBe(true);
      expect(await page.locator('#services-box').isHidden()).toBe(true);
      expect(await page.evaluate('document.title')).toContain(t.noInfo);
      // since when: the time of the frozen status, in the point's time zone and the page's language
      const time = new Intl.DateTimeFormat(t.locale, {
        hour: '2-digit',
        minute: '2-digit',
        timeZone: k.config.point.timezone,
      }).format(new Date(frozenTs));
      expect(await page.locator('#state .state-hint').textContent()).toContain(time);
      if (lang === 'uk' || lang === 'et') expect(await axeSeriousOrCritical(page)).toEqual([]);
    }
    expect([...(await checkEverySize('NO_INFO', 'noinfo')), ...(await checkPhones('noinfo'))]).toEqual([]);
    // The service decides again: the page shows the state again.
    p.start();
    await page.locator('#state[data-state="OPEN_LIMITED"]').waitFor({ timeout: 30_000 });
  }, 180_000);
});
