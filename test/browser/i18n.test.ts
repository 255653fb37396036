import type { Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { MESSAGES } from '../../src/web/i18n/index.js';
import { type HeadlessChromium, launchChromium } from './chromium.js';
import { type RunningKiosk, startKiosk } from './kiosk-service.js';

/** Calls one of the page's own helpers from /assets/common.js, in the browser's Intl. */
async function common(page: Page, fn: string, args: unknown[]): Promise<string> {
  return (await page.evaluate(
    `import('/assets/common.js').then((m) => m.${fn}(...${JSON.stringify(args)}))`,
  )) as string;
}

describe('the page speaks each language the way people do', () => {
  let k: RunningKiosk;
  let chromium: HeadlessChromium;
  let page: Page;

  beforeAll(async () => {
    // offers et, uk, ru, en: not Swedish
    k = await startKiosk();
    await k.advanceMinutes(2);
    chromium = await launchChromium();
    page = await chromium.context.newPage();
    await page.goto(`${k.url}/?lang=en`);
    await page.locator('#state[data-state="OPEN"]').waitFor({ timeout: 15_000 });
  }, 120_000);

  afterAll(async () => {
    await chromium?.close();
    await k?.stop();
  });

  it('plurals by Intl.PluralRules: 1, 3, 5, 21 and 1.5 in every language', async () => {
    const cases: Array<[string, number, string]> = [
      ['uk', 1, '1 подія'],
      ['uk', 3, '3 події'],
      ['uk', 5, '5 подій'],
      ['uk', 21, '21 подія'],
      ['uk', 1.5, '1,5 події'],
      ['ru', 1, '1 событие'],
      ['ru', 4, '4 события'],
      ['ru', 11, '11 событий'],
      ['et', 1, '1 sündmus'],
      ['et', 7, '7 sündmust'],
      ['sv', 1, '1 händelse'],
      ['sv', 2, '2 händelser'],
      ['en', 1, '1 event'],
      ['en', 0, '0 events'],
    ];
    for (const [lang, n, expected] of cases) {
      const m = MESSAGES[lang as keyof typeof MESSAGES];
      expect(await common(page, 'plural', [m.locale, n, m.tech.backlogEvents])).toBe(expected);
    }
    const readings = MESSAGES.uk.tech.backlogReadings;
    expect(await common(page, 'plural', ['uk', 1, readings])).toBe('1 вимірювання');
    expect(await common(page, 'plural', ['uk', 12, readings])).toBe('12 вимірювань');
    expect(await common(page, 'plural', ['et', 1, MESSAGES.et.tech.backlogReadings])).toBe('1 mõõtmine');
  });

  it('dates and times by Intl.DateTimeFormat: a time today alone, another day with its date, 24-hour English', async () => {
    const at = Date.parse('2026-12-07T11:55:00Z');
    const sameDay = Date.parse('2026-12-07T15:00:00Z');
    const nextDay = Date.parse('2026-12-08T09:00:00Z');
    const when = (lang: keyof typeof MESSAGES, now: number) =>
      common(page, 'formatWhen', [at, MESSAGES[lang].locale, 'Europe/Kyiv', now]);
    expect(await when('uk', sameDay)).toBe('13:55');
    expect(await when('en', sameDay)).toBe('13:55');
    expect(await when('uk', nextDay)).toBe('7 грудня о 13:55');
    expect(await when('ru', nextDay)).toBe('7 декабря в 13:55');
    expect(await when('en', nextDay)).toBe('7 December at 13:55');
    expect(await when('sv', nextDay)).toBe('7 december kl. 13:55');
    expect(await when('et', nextDay)).toMatch(/^7\. detsember,? kell 13:55$/);
  });

  it('the tab title is translated, and a language the point does not offer says so instead of switching silently', async () => {
    for (const lang of ['et', 'uk', 'ru', 'en'] as const) {
      await page.goto(`${k.url}/?lang=${lang}`);
      await page.locator('#state[data-state="OPEN"]').waitFor({ timeout: 15_000 });
      const title = (await page.evaluate('document.title')) as string;
      expect(title).toBe(`${MESSAGES[lang].state.OPEN} · ${k.config.point.name} · ${MESSAGES[lang].title}`);
      expect(await page.locator('#lang-notice').isHidden()).toBe(true);
    }
    // Swedish is a language of the page, not of this point: the notice says so in Swedish.
    await page.goto(`${k.url}/?lang=sv`);
    await page.locator('#state[data-state="OPEN"]').waitFor({ timeout: 15_000 });
    const notice = page.locator('#lang-notice');
    expect(await notice.isVisible()).toBe(true);
    expect(await notice.textContent()).toBe(MESSAGES.sv.notOffered);
    expect(await notice.getAttribute('lang')).toBe('sv');
    expect(await page.evaluate('document.documentElement.lang')).toBe(k.config.web.languages[0]);
    // A code the page does not know at all: said in the language shown.
    await page.goto(`${k.url}/?lang=de`);
    await page.locator('#state[data-state="OPEN"]').waitFor({ timeout: 15_000 });
    expect(await notice.textContent()).toBe(MESSAGES.et.unknownLanguage.replace('{code}', 'de'));
    // Choosing a language on the screen clears it.
    await page.click('#langs button[data-lang="uk"]');
    expect(await notice.isHidden()).toBe(true);
    // The technician view says so too.
    await page.goto(`${k.url}/tech?lang=sv`);
    await page.locator('#lang-notice', { hasText: MESSAGES.sv.notOffered }).waitFor({ timeout: 15_000 });
  });

  for (const lang of ['uk', 'et', 'ru'] as const) {
    it(`/tech in ${lang}: mode, power source, measurements, chart legend and plurals in the language`, async () => {
      const t = MESSAGES[lang];
      await page.goto(`${k.url}/tech?lang=${lang}`);
      await page.locator('[data-chart="chartBattery"] canvas').waitFor({ timeout: 20_000 });
      const summary = (await page.locator('#summary').textContent()) ?? '';
      expect(summary).toContain(t.tech.modes.auto);
      expect(summary).toContain(t.tech.powerSources.grid);
      const sensors = (await page.locator('#sensors').textContent()) ?? '';
      expect(sensors).toContain(t.tech.channels['battery.soc']);
      expect(sensors).toContain(t.tech.yes);
      expect(sensors).not.toContain('battery.soc');
      // uPlot's legend: the time column and the series by their names, not "Time" and channel ids
      const legend = (await page.locator('[data-chart="chartBattery"] .u-legend').textContent()) ?? '';
      expect(legend).toContain(t.tech.chartTime);
      expect(legend).toContain(t.tech.channels['battery.soc']);
      expect(legend).not.toMatch(/Time|battery\.soc/);
      const text = (await page.evaluate('document.body.innerText')) as string;
      for (const english of [/\bauto\b/, /\bgrid\b/, /\bTime\b/, /\breadings\b/])
        expect(text).not.toMatch(english);
      expect(await page.evaluate('document.title')).toContain(t.tech.title);
    }, 60_000);
  }
});
