import { chmodSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { MESSAGES } from '../../src/web/i18n/index.js';
import { startWebService, type WebService } from '../helpers/web-service.js';
import { type HeadlessChromium, launchChromium } from './chromium.js';

const PIN = '604281';

/**
 * Issue 12: a PIN file others can read used to pass, and /tech showed a normal prompt that answered the
 * right PIN with "wrong PIN" until a restart. In Chromium, against the built service: the page says that
 * sign-in is locked and why, and `chmod 600` opens it without a restart.
 */
describe('/tech with an unusable PIN file (Chromium)', () => {
  let svc: WebService;
  let chromium: HeadlessChromium;

  beforeAll(async () => {
    svc = await startWebService({ pin: PIN });
    chromium = await launchChromium();
  }, 90_000);

  afterAll(async () => {
    await chromium?.close();
    await svc?.stop();
  });

  it('says it is locked and why; chmod 600 opens it, no restart', async () => {
    const pinFile = join(svc.dir, 'tech-pin');
    chmodSync(pinFile, 0o644);
    const page = await chromium.context.newPage();
    const errors: string[] = [];
    page.on('pageerror', (e) => errors.push(e.message));
    for (const lang of ['uk', 'en'] as const) {
      await page.goto(`${svc.url}/tech?lang=${lang}`);
      await page
        .locator('#login-note', { hasText: MESSAGES[lang].tech.pinLocked })
        .waitFor({ timeout: 15_000 });
      const reason = await page.locator('#login-error').textContent();
      expect(reason).toContain('mode 0644');
      expect(reason).toContain(`chmod 600 ${pinFile}`);
      expect(await page.locator('#pin').isDisabled()).toBe(true);
      expect(await page.locator('#sign-in').isDisabled()).toBe(true);
    }

    chmodSync(pinFile, 0o600);
    await page.reload();
    await page.locator('#login-note', { hasText: MESSAGES.en.tech.pinRequired }).waitFor({ timeout: 15_000 });
    expect(await page.locator('#login-error').isHidden()).toBe(true);
    await page.fill('#pin', PIN);
    await page.click('#sign-in');
    await page.locator('#board').waitFor({ state: 'visible', timeout: 15_000 });
    expect(errors).toEqual([]);
    expect(svc.service.stderr()).toMatch(/PIN file usable again/);
  });
});
