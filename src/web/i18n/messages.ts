import type { ServiceName } from '../../config/schema.js';
import type { AlarmName } from '../../point/alarms/catalog.js';
import type { Mode, PointStateName, PowerSource } from '../../point/types.js';

/**
 * A text that depends on a number, one form per CLDR plural category the language uses (the page
 * picks the form with Intl.PluralRules); `{n}` is the number. `other` is required: every language has it.
 */
export type PluralForms = Partial<Record<'zero' | 'one' | 'two' | 'few' | 'many', string>> & {
  other: string;
};

/**
 * Every text of the page, per language. `{name}` marks a value the page fills in. A language file that
 * misses a key does not compile, so no language silently falls back to another.
 */
export interface Messages {
  /** The language's own name, for the language buttons. */
  language: string;
  /** The BCP 47 locale for dates, times, numbers and plurals (e.g. en-GB: 24-hour clock, day first). */
  locale: string;
  /** The page's title (browser tab), before the point's name. */
  title: string;
  tagline: string;
  state: Record<PointStateName, string>;
  /** What a person at the door should do, one sentence or two. */
  stateHint: Record<PointStateName, string>;
  /** Why the point is OPEN_LIMITED; keyed by the model's reason codes (unknown codes show as sent). */
  reasons: Record<string, string>;
  services: Record<ServiceName, string>;
  servicesTitle: string;
  serviceOk: string;
  serviceDown: string;
  placesLeft: string;
  placesOf: string;
  noPlaces: string;
  announcement: string;
  /** `{time}`: a time today, or a date and time. */
  updated: string;
  offline: string;
  waiting: string;
  languages: string;
  /** The headline when the page has no current information from the controller. */
  noInfo: string;
  /** Under it; `{time}` is when the last information is from. */
  noInfoHint: string;
  /** The box with where to go instead and whom to call (closed, full, standby, no information). */
  helpTitle: string;
  /** `{contact}` is point.contact (a phone or an e-mail address). */
  helpCall: string;
  /** When neither web.elsewhere nor point.contact is configured. */
  helpFallback: string;
  /** In this language: the page is not offered in it at this point (shown when it was asked for). */
  notOffered: string;
  /** `{code}`: a language code this page does not know at all. */
  unknownLanguage: string;
  tech: TechMessages;
}

export interface TechMessages {
  title: string;
  publicPage: string;
  pinLabel: string;
  signIn: string;
  signOut: string;
  wrongPin: string;
  tooManyTries: string;
  pinRequired: string;
  /** /tech when the PIN file is unusable; the reason (from the service) is shown under it. */
  pinLocked: string;
  readOnly: string;
  summary: string;
  mode: string;
  modes: Record<Mode, string>;
  power: string;
  powerSources: Record<PowerSource, string>;
  reasons: string;
  none: string;
  people: string;
  yes: string;
  no: string;
  sensors: string;
  channel: string;
  /** Names of the channels; a temperature sensor is `temperature` with `{name}`. */
  channels: Record<string, string>;
  temperature: string;
  value: string;
  age: string;
  health: string;
  healthOk: string;
  healthStale: string;
  healthFault: string;
  /** The devices panel: each driver's last account of itself (chip family, model). */
  devices: string;
  device: string;
  report: string;
  alarms: string;
  /** The alarm catalogue's alarms (src/point/alarms/catalog.ts), what the operator should know. */
  alarmNames: Record<AlarmName, string>;
  noAlarms: string;
  acknowledge: string;
  acknowledged: string;
  ackFailed: string;
  uplink: string;
  connected: string;
  disconnected: string;
  /** `{readings}` and `{events}` are the two plural forms below, filled in. */
  backlog: string;
  backlogReadings: PluralForms;
  backlogEvents: PluralForms;
  charts: string;
  chartTime: string;
  chartBattery: string;
  chartFuel: string;
  chartTemperature: string;
  chartOccupancy: string;
  noHistory: string;
  events: string;
  /** Event types of the log; the log's own (English) detail follows in smaller type. */
  eventTypes: Record<string, string>;
}
