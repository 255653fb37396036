import { mkdirSync, writeFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { WEB_LANGUAGES } from '../../src/config/schema.js';
import { type HeadlessChromium, launchChromium } from './chromium.js';

describe('the operator card prints on one A4 page in every language', () => {
  let chromium: HeadlessChromium;

  beforeAll(async () => {
    chromium = await launchChromium();
  }, 60_000);

  afterAll(async () => {
    await chromium?.close();
  });

  it('each card: one page, nothing cut off at the right edge', async () => {
    const page = await chromium.context.newPage();
    mkdirSync('test-artifacts/operator-card', { recursive: true });
    for (const lang of WEB_LANGUAGES) {
      await page.goto(pathToFileURL(resolve(`docs/operator-card/${lang}.html`)).href);
      const pdf = await page.pdf({ format: 'A4', preferCSSPageSize: true, printBackground: true });
      writeFileSync(`test-artifacts/operator-card/${lang}.pdf`, pdf);
      // Each page object in the PDF is "/Type /Page" (the page tree is "/Type /Pages").
      const pages = pdf.toString('latin1').match(/\/Type\s*\/Page(?!s)/g)?.length ?? 0;
      expect(pages, `${lang}.html prints on ${pages} pages`).toBe(1);
      await page.emulateMedia({ media: 'print' });
      const wide = (await page.evaluate(
        'document.documentElement.scrollWidth > document.documentElement.clientWidth',
      )) as boolean;
      expect(wide).toBe(false);
      await page.setViewportSize({ width: 794, height: 1123 });
      writeFileSync(`test-artifacts/operator-card/${lang}.png`, await page.screenshot({ fullPage: true }));
      await page.emulateMedia({ media: 'screen' });
    }
    await page.close();
  }, 120_000);
});
