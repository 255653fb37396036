import type { ServiceName } from '../config/schema.js';
import type { PointStateName } from '../point/types.js';
import type { ServiceIndicator, SignDetail, TechnicianIndicator } from './output.js';

/**
 * What the sign shows for a state. Each state differs from every other in colour, word, symbol AND blink
 * pattern, so nobody has to tell red from green (WCAG 1.4.1). Colours are from the Okabe–Ito palette.
 */
export interface SignPattern {
  state: PointStateName | 'NO_INFO';
  word: string;
  symbol: string;
  /** Okabe–Ito colour name and hex, for lamps, LEDs and the screen. */
  colour: { name: string; hex: string };
  /** Alternating on/off durations in ms, starting with on; `[]` = steady on, `[0]` = dark. */
  blink: readonly number[];
}

export const PATTERNS: Readonly<Record<PointStateName, SignPattern>> = {
  OPEN: {
    state: 'OPEN',
    word: 'OPEN',
    symbol: '✔',
    colour: { name: 'bluish green', hex: '#009E73' },
    blink: [],
  },
  OPEN_LIMITED: {
    state: 'OPEN_LIMITED',
    word: 'OPEN · LIMITED',
    symbol: '◐',
    colour: { name: 'yellow', hex: '#F0E442' },
    // mostly lit, winking out every 3 s: the inverse of STANDBY's blip, unlike CLOSED's even blink
    blink: [2700, 300],
  },
  FULL: {
    state: 'FULL',
    word: 'FULL',
    symbol: '■',
    colour: { name: 'vermillion', hex: '#D55E00' },
    blink: [250, 250, 250, 1250],
  },
  STANDBY: {
    state: 'STANDBY',
    word: 'STANDBY',
    symbol: '…',
    colour: { name: 'blue', hex: '#0072B2' },
    blink: [300, 2700],
  },
  CLOSED: {
    state: 'CLOSED',
    word: 'CLOSED',
    symbol: '✖',
    colour: { name: 'reddish purple', hex: '#CC79A7' },
    // even: on 1 s, off 1 s
    blink: [1000, 1000],
  },
};

/** The look when the controller is stopping or has no judgement: dark, so no stale OPEN stays lit. */
export const NO_INFO: SignPattern = {
  state: 'NO_INFO',
  word: '',
  symbol: '',
  colour: { name: 'off', hex: '#000000' },
  blink: [0],
};

/** What a page needs of each state's look (colour, symbol, blink): the point's page and the hub's dashboard. */
export function pagePatterns(): Record<
  PointStateName,
  { colour: string; symbol: string; blink: readonly number[] }
> {
  const out = {} as Record<PointStateName, { colour: string; symbol: string; blink: readonly number[] }>;
  for (const [state, p] of Object.entries(PATTERNS) as Array<[PointStateName, SignPattern]>) {
    out[state] = { colour: p.colour.hex, symbol: p.symbol, blink: p.blink };
  }
  return out;
}

export function patternFor(state: PointStateName): SignPattern {
  return PATTERNS[state];
}

/** Whether the lamp is lit `elapsedMs` into the pattern's cycle. */
export function isLit(pattern: SignPattern, elapsedMs: number): boolean {
  const { blink } = pattern;
  if (blink.length === 0) return true;
  const cycle = blink.reduce((a, b) => a + b, 0);
  if (cycle === 0) return false;
  let t = ((elapsedMs % cycle) + cycle) % cycle;
  for (let i = 0; i < blink.length; i++) {
    const d = blink[i] ?? 0;
    if (t < d) return i % 2 === 0;
    t -= d;
  }
  return false;
}

/** Pictogram and word of each service indicator; the four shown on every sign come first. */
export const SERVICE_INDICATORS: Readonly<Record<ServiceName, { symbol: string; word: string }>> = {
  charging: { symbol: '⚡', word: 'charging' },
  heat: { symbol: '♨', word: 'heat' },
  water: { symbol: '💧', word: 'water' },
  internet: { symbol: '📶', word: 'internet' },
  toilets: { symbol: 'WC', word: 'toilets' },
  firstAid: { symbol: '✚', word: 'first aid' },
  stepFree: { symbol: '♿', word: 'step-free' },
  motherChild: { symbol: '👶', word: 'mother & child' },
  sleeping: { symbol: '🛏', word: 'sleeping' },
};

const INDICATOR_ORDER = Object.keys(SERVICE_INDICATORS) as ServiceName[];

/** The declared services as indicators, in a fixed order so a lamp box always has them in one place. */
export function serviceIndicators(flags: Partial<Record<ServiceName, boolean>>): ServiceIndicator[] {
  return INDICATOR_ORDER.filter((s) => flags[s] !== undefined).map((s) => ({
    service: s,
    ...SERVICE_INDICATORS[s],
    ok: flags[s] === true,
  }));
}

/**
 * The technician indicator: steady when connected; buffering blinks, faster past 1 h and 24 h of
 * backlog, so it is read from across the room without a screen; dark when the point has no uplink.
 */
export function technicianIndicator(link: {
  configured: boolean;
  connected: boolean;
  backlogRecords: number;
  oldestUnsentAgeMs: number | null;
}): TechnicianIndicator {
  if (!link.configured) return { link: 'off', backlogHours: null, backlogRecords: 0, blink: [0] };
  const hours = link.oldestUnsentAgeMs === null ? null : link.oldestUnsentAgeMs / 3_600_000;
  if (link.connected)
    return { link: 'connected', backlogHours: hours, backlogRecords: link.backlogRecords, blink: [] };
  const blink = hours === null || hours < 1 ? [1000, 1000] : hours < 24 ? [500, 500] : [200, 200];
  return { link: 'buffering', backlogHours: hours, backlogRecords: link.backlogRecords, blink };
}

/** The technician indicator as one short text: `connected`, `buffering 2.5 h` or `off`. */
export function technicianText(t: TechnicianIndicator): string {
  if (t.link !== 'buffering') return t.link;
  if (t.backlogHours === null) return `buffering ${t.backlogRecords} records`;
  return `buffering ${t.backlogHours < 10 ? t.backlogHours.toFixed(1) : Math.round(t.backlogHours)} h`;
}

/** Everything a sign shows beside the state, from plain data (the pipeline adds the uplink facts). */
export function signDetailFor(
  view: {
    capacity: number;
    occupancy: number;
    reasons: readonly string[];
    services: Partial<Record<ServiceName, boolean>>;
    alarms: ReadonlyArray<{ alarm: string; acknowledged: unknown }>;
  },
  technician: TechnicianIndicator,
): SignDetail {
  return {
    placesLeft: Math.max(0, view.capacity - view.occupancy),
    reasons: [...view.reasons],
    capacity: view.capacity,
    services: INDICATOR_ORDER.filter((s) => view.services[s] === true),
    uplink: technicianText(technician),
    indicators: serviceIndicators(view.services),
    technician,
    alarms: view.alarms.filter((a) => !a.acknowledged).map((a) => a.alarm),
  };
}
