import { describe, expect, it } from 'vitest';
import { WEB_LANGUAGES } from '../../../src/config/schema.js';
import { MESSAGES, notOfferedTexts } from '../../../src/web/i18n/index.js';
import { SENSOR_CHANNELS } from '../../../src/web/providers.js';

describe('the page texts', () => {
  it('every channel the technician sees has a name in every language', () => {
    for (const lang of WEB_LANGUAGES) {
      const missing = SENSOR_CHANNELS.filter((c) => !MESSAGES[lang].tech.channels[c]);
      expect(missing, lang).toEqual([]);
    }
  });

  it('every language has the same event types, and says in its own words that the page is not offered in it', () => {
    const types = Object.keys(MESSAGES.en.tech.eventTypes).sort();
    for (const lang of WEB_LANGUAGES)
      expect(Object.keys(MESSAGES[lang].tech.eventTypes).sort(), lang).toEqual(types);
    const notOffered = notOfferedTexts();
    expect(Object.keys(notOffered).sort()).toEqual([...WEB_LANGUAGES].sort());
    expect(new Set(Object.values(notOffered)).size).toBe(WEB_LANGUAGES.length);
  });

  it('the page title is translated: a different one in each language', () => {
    expect(new Set(WEB_LANGUAGES.map((l) => MESSAGES[l].title)).size).toBe(WEB_LANGUAGES.length);
  });

  it('no language uses the wordings people found odd (issue 12)', () => {
    const odd = [
      /працює$/,
      /^работает$/,
      /^töötab$/,
      /^fungerar$/,
      /розряджається/,
      /разряжается/,
      /Оновлено о /,
    ];
    for (const lang of WEB_LANGUAGES) {
      const m = MESSAGES[lang];
      for (const text of [m.serviceOk, m.serviceDown, m.reasons['battery-low'] ?? '', m.updated]) {
        for (const re of odd) expect(text, `${lang}: ${text}`).not.toMatch(re);
      }
    }
  });
});
