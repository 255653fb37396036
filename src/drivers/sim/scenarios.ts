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

export interface Scenario {
  name: ScenarioName;
  description: string;
  /** The scenario repeats with this period, so a long run keeps walking through it. */
  periodSec: number;
  initial: { socPercent: number; fuelPercent: number; indoorC: number; people: number };
  at(elapsedSec: number): Conditions;
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
};

const DAY = 24 * HOUR;
/** [from, to) in hours of the week: the grid is down. */
const WEEK_BLACKOUTS: ReadonlyArray<readonly [number, number]> = [
  [6, 14],
  [30, 56],
  [80, 86],
  [100, 126],
  [140, 150],
];
/** [from, to) in hours of the week: people arrive far faster than they leave (past capacity). */
const WEEK_CROWDS: ReadonlyArray<readonly [number, number]> = [
  [50, 52],
  [130, 132],
];
const inAny = (h: number, spans: ReadonlyArray<readonly [number, number]>): boolean =>
  spans.some(([from, to]) => h >= from && h < to);

/**
 * The worst week, for the soak: five blackouts (the 26 h one runs the generator dry, and there is no
 * refuelling), two crowds past capacity, and frost that deepens to −20 °C on days 5 and 6.
 */
const week: Scenario = {
  name: 'week',
  description: 'seven days: repeated blackouts, the generator running dry, crowds past capacity, frost',
  periodSec: 7 * DAY,
  initial: { socPercent: 90, fuelPercent: 70, indoorC: 21, people: 0 },
  at: (t) => {
    const h = t / HOUR;
    const frost = h >= 96 && h < 144 ? -20 : -6;
    const crowd = inAny(h, WEEK_CROWDS);
    const grid = !inAny(h, WEEK_BLACKOUTS);
    return {
      mains: grid,
      outdoorC: frost + 3 * Math.sin((2 * Math.PI * t) / DAY),
      arrivalsPerMin: crowd ? 2.5 : grid ? 0.2 : 0.4,
      meanStayMin: crowd ? 240 : 60,
    };
  },
};

export const SCENARIO_TABLE: Readonly<Record<ScenarioName, Scenario>> = { normal, blackout, crowd, week };

export function scenario(name: ScenarioName): Scenario {
  return SCENARIO_TABLE[name];
}
