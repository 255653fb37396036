import type { ServiceName } from '../../config/schema.js';
import type { PointStateName } from '../../point/types.js';

/**
 * Every text of the page, per language. `{name}` marks a value the page fills in. A language file that
 * misses a key does not compile, so no language silently falls back to another.
 */
export interface Messages {
  /** The language's own name, for the language buttons. */
  language: string;
  tagline: string;
  state: Record<PointStateName, string>;
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
  updated: string;
  offline: string;
  waiting: string;
  languages: string;
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
  power: string;
  reasons: string;
  none: string;
  sensors: string;
  channel: string;
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
  noAlarms: string;
  acknowledge: string;
  acknowledged: string;
  ackFailed: string;
  uplink: string;
  connected: string;
  disconnected: string;
  backlog: string;
  charts: string;
  chartBattery: string;
  chartFuel: string;
  chartTemperature: string;
  chartOccupancy: string;
  noHistory: string;
  events: string;
}
