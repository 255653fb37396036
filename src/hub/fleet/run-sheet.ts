/**
 * The refuelling run sheet: which points the fuel truck visits, in which order, and how many litres to
 * bring to each. Pure: stored latest messages, the hub's clock and the staff's plan in, the sheet out.
 *
 * Order (Energimyndigheten asks for a priority order between points; shared/notes/municipal.md):
 *  1. dark: a live point on no power at all, or a silent point whose last fuel trend says the tank is
 *     empty by now;
 *  2. dry: a live point whose tank reads at most DRY_PERCENT;
 *  3. soon: the generator is burning and runs dry within the plan's horizon; fewest hours first. Within
 *     the same whole hour a cold room (below 18 °C) with people in it goes first, then more people;
 *  4. low: at most refillBelowPercent in the tank, not burning now (or beyond the horizon); lowest first.
 *  Within 1 and 2: more people first, then cold. Points not in any class are not listed.
 *
 * Litres: tank size − what will still be in the tank when the truck arrives. The tank size comes from
 * the point's `info.fuelTankLitres`, else from its status (fuelLitres ÷ fuelLevel). The truck reaches stop
 * i (from 0) after firstStopHours + i × hoursPerStop; until then a running generator keeps burning at its
 * trend (% of the tank per hour), never below empty. A silent point's level is its last reported one,
 * burnt down at its last trend from the time of that report (marked estimated).
 *
 * Runs: the stops in order fill one truckload after another; a stop that does not fit in what is left
 * starts the next run, and a stop needing more than a whole truck is a run of its own.
 */
import type { InfoMessage } from '../../contract/info.js';
import type { StatusMessage } from '../../contract/status.js';
import type { PointRow } from '../storage/types.js';
import { MIN_INDOOR_C } from './dashboard-row.js';
import { type FleetState, parseInfo, parseStatus, pointView } from './point-view.js';

export const DRY_PERCENT = 2;
/** Below this level the tank size is not worked out from the status (the division gets too coarse). */
const MIN_LEVEL_FOR_SIZE = 5;

export interface RunPlan {
  /** Litres the truck carries in one run. */
  truckLitres: number;
  /** Hours until the truck reaches the first stop. */
  firstStopHours: number;
  /** Hours from one stop to the next (driving and pumping). */
  hoursPerStop: number;
  /** A tank at or below this share is refilled even when it is not burning now. */
  refillBelowPercent: number;
  /** A burning generator that runs dry within this many hours is on the sheet. */
  horizonHours: number;
}

export type RunPriority = 'dark' | 'dry' | 'soon' | 'low';
const PRIORITIES: readonly RunPriority[] = ['dark', 'dry', 'soon', 'low'];

export interface RunStop {
  /** 1-based position over all runs. */
  stop: number;
  id: string;
  name: string;
  address: string | null;
  state: FleetState;
  priority: RunPriority;
  /** % of the tank now; projected from the last report for a silent point. */
  levelPercent: number | null;
  /** The level (and so the litres) is projected from an old report, not read now. */
  estimated: boolean;
  tankLitres: number | null;
  tankFrom: 'info' | 'status' | null;
  /** Burn while running, % of the tank per hour; null when not burning or unknown. */
  percentPerHour: number | null;
  hoursToEmpty: number | null;
  people: number | null;
  indoorC: number | null;
  cold: boolean;
  /** Hours from now until the truck is there. */
  arrivalHours: number;
  /** Litres to bring (rounded up); null without a known tank size. */
  litres: number | null;
}

export interface Run {
  run: number;
  stops: RunStop[];
  /** Sum of the known litres. */
  litres: number;
  /** Stops whose litres are unknown (no tank size): check on site. */
  unknownLitres: number;
}

export interface RunSheet {
  generatedAt: string;
  plan: RunPlan;
  runs: Run[];
}

interface Candidate extends Omit<RunStop, 'stop' | 'arrivalHours' | 'litres'> {
  /** The litres in the tank now (estimated for a silent point). */
  litresNow: number | null;
}

export function runSheet(
  rows: readonly PointRow[],
  now: number,
  staleAfterSec: number,
  plan: RunPlan,
): RunSheet {
  const candidates = rows
    .map((row) => candidate(row, now, staleAfterSec, plan))
    .filter((c): c is Candidate => c !== undefined)
    .sort(compare);
  const runs: Run[] = [];
  let current: Run | undefined;
  candidates.forEach((c, i) => {
    const arrivalHours = plan.firstStopHours + i * plan.hoursPerStop;
    const stop: RunStop = {
      ...withoutLitresNow(c),
      stop: i + 1,
      arrivalHours,
      litres: litresToBring(c, arrivalHours),
    };
    const need = stop.litres ?? 0;
    if (!current || (current.stops.length > 0 && current.litres + need > plan.truckLitres)) {
      current = { run: runs.length + 1, stops: [], litres: 0, unknownLitres: 0 };
      runs.push(current);
    }
    current.stops.push(stop);
    current.litres += need;
    if (stop.litres === null) current.unknownLitres += 1;
  });
  return { generatedAt: new Date(now).toISOString(), plan, runs };
}

function withoutLitresNow(c: Candidate): Omit<Candidate, 'litresNow'> {
  const { litresNow: _, ...rest } = c;
  return rest;
}

function candidate(row: PointRow, now: number, staleAfterSec: number, plan: RunPlan): Candidate | undefined {
  const status = parseStatus(row.status);
  const info = parseInfo(row.info);
  const view = pointView(row, now, staleAfterSec);
  const live = view.unknownBecause === null;
  const g = status?.generator;
  const tank = tankSize(info, status);
  if ((g?.fuelLevel ?? null) === null && tank.litres === null && !(live && status?.power.source === 'none'))
    return undefined;
  const burning = g?.running === true && typeof g.fuelPercentPerHour === 'number' && g.fuelPercentPerHour > 0;
  const rate = burning ? (g?.fuelPercentPerHour ?? null) : null;
  let level = g?.fuelLevel ?? null;
  let estimated = false;
  if (!live && level !== null && status && row.statusReceivedAt !== null) {
    // silent: burn the last level down at the last trend since that report
    const asOf = Math.min(row.statusReceivedAt, Date.parse(status.ts));
    const hours = Math.max(0, (now - asOf) / 3_600_000);
    level = Math.max(0, level - (rate ?? 0) * hours);
    estimated = true;
  }
  const hoursToEmpty = level !== null && rate !== null ? level / rate : null;
  const indoorC = live ? view.temperatureIndoor : null;
  const people = status ? status.occupancy.count : null;
  const cold = indoorC !== null && indoorC < MIN_INDOOR_C;
  let priority: RunPriority | undefined;
  if ((live && status?.power.source === 'none') || (!live && estimated && rate !== null && level === 0))
    priority = 'dark';
  else if (live && level !== null && level <= DRY_PERCENT) priority = 'dry';
  else if (hoursToEmpty !== null && hoursToEmpty <= plan.horizonHours) priority = 'soon';
  else if (level !== null && level <= plan.refillBelowPercent) priority = 'low';
  if (!priority) return undefined;
  return {
    id: view.id,
    name: view.name,
    address: view.address,
    state: view.state,
    priority,
    levelPercent: level === null ? null : round(level, 1),
    estimated,
    tankLitres: tank.litres,
    tankFrom: tank.from,
    percentPerHour: rate,
    hoursToEmpty: hoursToEmpty === null ? null : round(hoursToEmpty, 2),
    people,
    indoorC,
    cold,
    litresNow: tank.litres === null || level === null ? null : (tank.litres * level) / 100,
  };
}

function tankSize(
  info: InfoMessage | undefined,
  status: StatusMessage | undefined,
): { litres: number | null; from: RunStop['tankFrom'] } {
  if (info?.fuelTankLitres !== undefined) return { litres: info.fuelTankLitres, from: 'info' };
  const g = status?.generator;
  const litres = g?.fuelLitres ?? null;
  const level = g?.fuelLevel ?? null;
  if (litres !== null && level !== null && level >= MIN_LEVEL_FOR_SIZE)
    return { litres: round(litres / (level / 100), 0), from: 'status' };
  return { litres: null, from: null };
}

/** Fill the tank: its size less what is still in it when the truck arrives (an unknown level: all of it). */
function litresToBring(c: Candidate, arrivalHours: number): number | null {
  if (c.tankLitres === null) return null;
  if (c.litresNow === null) return Math.ceil(c.tankLitres);
  const burnt = ((c.percentPerHour ?? 0) / 100) * c.tankLitres * arrivalHours;
  const left = Math.max(0, c.litresNow - burnt);
  return Math.ceil(c.tankLitres - left);
}

function compare(a: Candidate, b: Candidate): number {
  const pa = PRIORITIES.indexOf(a.priority);
  const pb = PRIORITIES.indexOf(b.priority);
  if (pa !== pb) return pa - pb;
  let d = 0;
  if (a.priority === 'soon') {
    d =
      Math.floor(a.hoursToEmpty ?? 0) - Math.floor(b.hoursToEmpty ?? 0) ||
      coldWithPeople(b) - coldWithPeople(a);
  } else if (a.priority === 'low') {
    d = (a.levelPercent ?? 0) - (b.levelPercent ?? 0);
  } else {
    d = (b.people ?? 0) - (a.people ?? 0) || Number(b.cold) - Number(a.cold);
  }
  return (
    d ||
    (b.people ?? 0) - (a.people ?? 0) ||
    (a.hoursToEmpty ?? Number.POSITIVE_INFINITY) - (b.hoursToEmpty ?? Number.POSITIVE_INFINITY) ||
    a.id.localeCompare(b.id)
  );
}

function coldWithPeople(c: Candidate): number {
  return c.cold && (c.people ?? 0) > 0 ? 1 : 0;
}

function round(n: number, digits: number): number {
  const k = 10 ** digits;
  return Math.round(n * k) / k;
}
