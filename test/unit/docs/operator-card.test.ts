import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { WEB_LANGUAGES } from '../../../src/config/schema.js';
import { operatorCardHtml, operatorCards } from '../../../src/docs/operator-card.js';
import { CARD_TEXTS } from '../../../src/docs/operator-card-texts.js';
import { POINT_STATES } from '../../../src/point/types.js';
import { PATTERNS } from '../../../src/sign/pattern.js';
import { MESSAGES } from '../../../src/web/i18n/index.js';

describe('the operator card', () => {
  it('docs/operator-card/ holds exactly what the source renders, in every language', () => {
    for (const [file, html] of Object.entries(operatorCards())) {
      expect(readFileSync(`docs/operator-card/${file}`, 'utf8'), `run npm run docs:card (${file})`).toBe(
        html,
      );
    }
    expect(Object.keys(operatorCards()).sort()).toEqual(WEB_LANGUAGES.map((l) => `${l}.html`).sort());
  });

  for (const lang of WEB_LANGUAGES) {
    it(`${lang}: every state with the screen's word, the sign's colour and blink, the dark sign and the link lamp`, () => {
      const html = operatorCardHtml(lang);
      expect(html).toContain(`<html lang="${lang}">`);
      for (const state of POINT_STATES) {
        const rowHtml = html.split(`data-row="${state}"`)[1]?.split('</tr>')[0] ?? '';
        expect(rowHtml).toContain(PATTERNS[state].colour.hex);
        expect(rowHtml).toContain(MESSAGES[lang].state[state]);
        expect(rowHtml).toContain(CARD_TEXTS[lang].blink[state]);
      }
      const dark = html.split('data-row="DARK"')[1]?.split('</tr>')[0] ?? '';
      expect(dark).toContain(MESSAGES[lang].noInfo);
      expect(dark).toContain(CARD_TEXTS[lang].darkSign);
      expect(html).toContain(CARD_TEXTS[lang].linkLamp);
      // a steady lamp is one bar; CLOSED blinks 1 s on, 1 s off: two lit bars in the 4 s strip
      const closed = html.split('data-row="CLOSED"')[1]?.split('</svg>')[0] ?? '';
      expect(closed.match(/<rect x=/g)?.length).toBe(2);
    });
  }
});
