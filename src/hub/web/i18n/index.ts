import { WEB_LANGUAGES, type WebLanguage } from '../../../config/schema.js';
import { MESSAGES } from '../../../web/i18n/index.js';
import { en } from './en.js';
import { et } from './et.js';
import type { HubMessages } from './messages.js';
import { ru } from './ru.js';
import { sv } from './sv.js';
import { uk } from './uk.js';

export type { HubMessages } from './messages.js';

export const HUB_MESSAGES: Readonly<Record<WebLanguage, HubMessages>> = { uk, et, sv, en, ru };

/** The dashboard's texts with the point page's state words, chart titles and service names. */
export function dashboardMessages(): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const lang of WEB_LANGUAGES) {
    const point = MESSAGES[lang];
    out[lang] = {
      ...HUB_MESSAGES[lang],
      // Intl's locale (en-GB: a 24-hour clock), not the bare language tag
      locale: point.locale,
      state: point.state,
      services: point.services,
      chartTitles: {
        'battery.soc': point.tech.chartBattery,
        'generator.fuelLevel': point.tech.chartFuel,
        'temperature.indoor': point.tech.chartTemperature,
        'occupancy.count': point.tech.chartOccupancy,
      },
    };
  }
  return out;
}
