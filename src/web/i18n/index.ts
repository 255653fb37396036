import type { WebLanguage } from '../../config/schema.js';
import { en } from './en.js';
import { et } from './et.js';
import type { Messages } from './messages.js';
import { ru } from './ru.js';
import { sv } from './sv.js';
import { uk } from './uk.js';

export type { Messages, TechMessages } from './messages.js';

/** The translations, one file per language, reviewed by speakers for natural wording. */
export const MESSAGES: Readonly<Record<WebLanguage, Messages>> = { uk, et, sv, ru, en };

/** The messages of the configured languages, in their rotation order. */
export function messagesFor(languages: readonly WebLanguage[]): Record<string, Messages> {
  const out: Record<string, Messages> = {};
  for (const lang of languages) out[lang] = MESSAGES[lang];
  return out;
}

/**
 * Each language's own sentence saying the page is not offered in it: a visitor who asked for Swedish
 * reads, in Swedish, why the page speaks another language.
 */
export function notOfferedTexts(): Record<WebLanguage, string> {
  const out = {} as Record<WebLanguage, string>;
  for (const [lang, m] of Object.entries(MESSAGES) as Array<[WebLanguage, Messages]>)
    out[lang] = m.notOffered;
  return out;
}
