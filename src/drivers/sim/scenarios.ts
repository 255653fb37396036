import type { ScenarioName } from '../../config/schema.js';

/** What the outside world does to the point at a given moment of a scenario. */
export interface Conditions {
  mains: boolean;
  outdoorC: number;
  /** Expected arrivals per minute, for a point of 40 places (scaled by capacity). */
  arrivalsPerMin: number;
  /** Mean time a visitor stays, in minutes. */
  meanStayMin: number;
}

/**
 * What the point's log must hold to show that a milestone happened. The physics is continuous across
 * restarts (world.ts), so these hold however often the service was killed on the way.
 */
export type Evidence =
  /** An event of this type whose `data` has these fields (`state.changed`, `power.changed`, `alarm.raised`). */
  | { kind: 'event'; type: string; data: Readonly<Record<string, string>> }
  /** The first logged reading of `channel` at or below `value` falls in the window (e.g. the tank reads empty). */
  | { kind: 'firstAtMost'; channel: string; value: number }
  /** No logged reading of `channel` in the window is above the one before it (no refuelling). */
  | { kind: 'neverRises'; channel: string };

/** Something the scenario makes happen, and where in it: what the soak checks the log for. */
export interface Milestone {
  what: string;
  /** [from, to) hours of the scenario within which the evidence must lie. */
  hours: readonly [number, number];
  evidence: Evidence;
}

export interface Scenario {
  name: ScenarioName;
  description: string;
  /** The scenario repeats with this period, so a long run keeps walking through it. */
  periodSec: number;
  initial: { socPercent: number; fuelPercent: number; indoorC: number; people: number };
  at(elapsedSec: number): Conditions;
  /** What must show in the log of a run through the scenario (checked by the soak for `week`). */
  milestones: readonly Milestone[];
}

const MIN = 60;
const HOUR = 3600;

const normal: Scenario = {
  name: 'normal',
  description: 'grid on, mild frost, a steady trickle of visitors',
  periodSec: 24 * HOUR,
  initial: { socPercent: 98, fuelPercent: 85, indoorC: 21, people: 0 },
  at: (t) => ({
    mains: true,
    outdoorC: -3 + 3 * Math.sin((2 * Math.PI * t) / (24 * HOUR)),
    arrivalsPerMin: 0.3,
    meanStayMin: 60,
  }),
  milestones: [],
};

/**
 * Grid fails at 5 min; the battery carries the point and the room cools; the generator starts when the
 * battery is half empty and burns fuel; the grid returns at 4 h.
 */
const blackout: Scenario = {
  name: 'blackout',
  description: 'grid fails, battery drains, generator starts, fuel falls, grid returns',
  periodSec: 6 * HOUR,
  initial: { socPercent: 90, fuelPercent: 60, indoorC: 21, people: 0 },
  at: (t) => ({
    mains: t < 5 * MIN || t >= 4 * HOUR,
    outdoorC: -8,
    arrivalsPerMin: t >= 5 * MIN && t < 4 * HOUR ? 0.4 : 0.2,
    meanStayMin: 60,
  }),
  milestones: [],
};

/** People arrive faster than they leave until the point is past capacity, then the crowd thins out. */
const crowd: Scenario = {
  name: 'crowd',
  description: 'people arrive past capacity, then leave',
  periodSec: 3 * HOUR,
  initial: { socPercent: 98, fuelPercent: 85, indoorC: 21, people: 0 },
  at: (t) => {
    if (t < 10 * MIN) return { mains: true, outdoorC: -5, arrivalsPerMin: 0.4, meanStayMin: 120 };
    if (t < 45 * MIN) return { mains: true, outdoorC: -5, arrivalsPerMin: 2.5, meanStayMin: 240 };
    if (t < 110 * MIN) return { mains: true, outdoorC: -5, arrivalsPerMin: 0, meanStayMin: 15 };
    return { mains: true, outdoorC: -5, arrivalsPerMin: 0.3, meanStayMin: 60 };
  },
  milestones: [],
};

const DAY = 24 * HOUR;
type Span = readonly [number, number];
/** [from, to) in hours of the week. */
const FIRST_BLACKOUT: Span = [6, 14];
const LONG_BLACKOUT: Span = [30, 56];
const FROST: Span = [96, 144];
/** The grid is down. */
const WEEK_BLACKOUTS: readonly Span[] = [FIRST_BLACKOUT, LONG_BLACKOUT, [80, 86], [100, 126], [140, 150]];
/** People arrive far faster than they leave (past capacity). */
const WEEK_CROWDS: readonly Span[] = [
  [50, 52],
  [130, 132],
];
const inAny = (h: number, spans: readonly Span[]): boolean => spans.some(([from, to]) => h >= from && h < to);

const power = (to: string, from?: string): Evidence => ({
  kind: 'event',
  type: 'power.changed',
  data: from === undefined ? { to } : { from, to },
});

/**
 * The week's story as the log must tell it. The first blackout (8 h) is too long for the battery: the
 * generator starts at half charge and burns about three quarters of the full tank before the grid is
 * back; the 26 h one drains the rest, the battery then runs flat, and no one refuels all week.
 */
const WEEK_MILESTONES: readonly Milestone[] = [
  {
    what: 'first blackout: the point runs on battery',
    hours: FIRST_BLACKOUT,
    evidence: power('battery', 'grid'),
  },
  { what: 'first blackout: the generator starts', hours: FIRST_BLACKOUT, evidence: power('generator') },
  {
    what: 'first blackout: too cold inside on battery alone',
    hours: FIRST_BLACKOUT,
    evidence: { kind: 'event', type: 'alarm.raised', data: { alarm: 'cold' } },
  },
  {
    what: 'first blackout ends: the grid is back',
    hours: [FIRST_BLACKOUT[1], FIRST_BLACKOUT[1] + 1],
    evidence: power('grid'),
  },
  {
    what: 'long blackout: the generator runs dry',
    hours: LONG_BLACKOUT,
    evidence: { kind: 'firstAtMost', channel: 'generator.fuelLevel', value: 0 },
  },
  {
    what: 'long blackout: the dry generator stops, back on battery',
    hours: LONG_BLACKOUT,
    evidence: power('battery', 'generator'),
  },
  {
    what: 'long blackout: the battery runs flat, no power at all',
    hours: LONG_BLACKOUT,
    evidence: power('none'),
  },
  ...WEEK_CROWDS.map(
    (span): Milestone => ({
      what: `crowd at ${span[0]} h: FULL`,
      hours: span,
      evidence: { kind: 'event', type: 'state.changed', data: { to: 'FULL' } },
    }),
  ),
  {
    what: 'frost: too cold inside',
    hours: FROST,
    evidence: { kind: 'event', type: 'alarm.raised', data: { alarm: 'cold' } },
  },
  {
    what: 'no refuelling: the fuel level never rises',
    hours: [0, 7 * 24],
    evidence: { kind: 'neverRises', channel: 'generator.fuelLevel' },
  },
];

/**
 * The worst week, for the soak: five blackouts (the 26 h one runs the generator dry, and there is no
 * refuelling), two crowds past capacity, and frost that deepens to −20 °C on days 5 and 6.
 */
const week: Scenario = {
  name: 'week',
  description: 'seven days: repeated blackouts, the generator running dry, crowds past capacity, frost',
  periodSec: 7 * DAY,
  // A full tank: with 70 % the first blackout already ran it dry once the physics stopped refilling it
  // at every restart of the service.
  initial: { socPercent: 90, fuelPercent: 100, indoorC: 21, people: 0 },
  at: (t) => {
    const h = t / HOUR;
    const frost = inAny(h, [FROST]) ? -20 : -6;
    const crowd = inAny(h, WEEK_CROWDS);
    const grid = !inAny(h, WEEK_BLACKOUTS);
    return {
      mains: grid,
      outdoorC: frost + 3 * Math.sin((2 * Math.PI * t) / DAY),
      arrivalsPerMin: crowd ? 2.5 : grid ? 0.2 : 0.4,
      meanStayMin: crowd ? 240 : 60,
    };
  },
  milestones: WEEK_MILESTONES,
};

export const SCENARIO_TABLE: Readonly<Record<ScenarioName, Scenario>> = { normal, blackout, crowd, week };

export function scenario(name: ScenarioName): Scenario {
  return SCENARIO_TABLE[name];
}
