import type { ChannelValue } from './types.js';

/** One fuel level reading kept for the trend, with what else was true when it was taken. */
export interface FuelSample {
  ts: number;
  level: number;
  running: boolean;
  outdoor: number | null;
}

export interface FuelMemory {
  samples: readonly FuelSample[];
  /** The last burn rate measured while running (% of tank per hour), for forecasts while stopped. */
  lastRatePerHour: number | null;
}

export interface FuelRules {
  fuelTrendWindowSec: number;
  frostExtraPercent: number;
  fuelTankLitres?: number | undefined;
  fuelFullLoadLitresPerHour?: number | undefined;
}

export interface FuelEstimate {
  /** Burn, % of the tank per hour; null when unknown. */
  percentPerHour: number | null;
  hoursLeft: number | null;
  litres: number | null;
  /** How the rate was found: the measured trend, the datasheet, or not at all. */
  basis: 'trend' | 'last-trend' | 'nominal' | 'none';
}

/** A rise of this many points is a refill: the trend starts over (a noisy gauge stays below it). */
const REFILL_POINTS = 3;
/** The trend needs this share of the window covered by running samples, and this many samples. */
const MIN_SPAN_SHARE = 1 / 3;
const MIN_SAMPLES = 3;

export function newFuelMemory(): FuelMemory {
  return { samples: [], lastRatePerHour: null };
}

/** Takes in a new fuel reading (one sample per reading timestamp) and forgets what is out of all windows. */
export function stepFuel(
  prev: FuelMemory,
  reading: ChannelValue | undefined,
  ctx: { now: number; running: boolean; outdoor: number | undefined; keepMs: number; rules: FuelRules },
): FuelMemory {
  const last = prev.samples.at(-1);
  if (!reading || reading.value === null || (last && reading.ts <= last.ts)) {
    return trimmed(prev, ctx.now - ctx.keepMs);
  }
  const sample: FuelSample = {
    ts: reading.ts,
    level: reading.value,
    running: ctx.running,
    outdoor: ctx.outdoor ?? null,
  };
  const refill = last !== undefined && sample.level - last.level >= REFILL_POINTS;
  const samples = refill ? [sample] : [...prev.samples, sample];
  const next = trimmed({ samples, lastRatePerHour: prev.lastRatePerHour }, ctx.now - ctx.keepMs);
  const rate = trendRate(next.samples, ctx.now, ctx.rules.fuelTrendWindowSec * 1000);
  return rate === null ? next : { ...next, lastRatePerHour: rate };
}

function trimmed(mem: FuelMemory, from: number): FuelMemory {
  const first = mem.samples.findIndex((s) => s.ts >= from);
  if (first === 0) return mem;
  return { ...mem, samples: first < 0 ? [] : mem.samples.slice(first) };
}

/**
 * Burn rate (% per hour, positive when the level falls) by least squares over the latest unbroken run
 * of samples taken while the generator ran, within the window; null when that run is too short.
 */
export function trendRate(samples: readonly FuelSample[], now: number, windowMs: number): number | null {
  const run: FuelSample[] = [];
  for (let i = samples.length - 1; i >= 0; i--) {
    const s = samples[i];
    if (!s?.running || s.ts < now - windowMs) break;
    run.unshift(s);
  }
  const first = run[0];
  const last = run.at(-1);
  if (!first || !last || run.length < MIN_SAMPLES || last.ts - first.ts < windowMs * MIN_SPAN_SHARE)
    return null;
  const n = run.length;
  const mt = run.reduce((a, s) => a + s.ts, 0) / n;
  const ml = run.reduce((a, s) => a + s.level, 0) / n;
  let num = 0;
  let den = 0;
  for (const s of run) {
    num += (s.ts - mt) * (s.level - ml);
    den += (s.ts - mt) ** 2;
  }
  if (den === 0) return null;
  return Math.max(0, (-num / den) * 3_600_000);
}

/**
 * Hours of fuel left. The measured trend already includes the present weather; when frost set in after
 * it was measured (outdoors below 0 °C now, the window's mean at or above 0 °C), or when only the
 * datasheet rate is known, the frost surcharge is added (DSNS: frost costs 5–10 % more fuel).
 */
export function fuelEstimate(
  mem: FuelMemory,
  ctx: { level: number | undefined; running: boolean; load: number | undefined; outdoor: number | undefined },
  rules: FuelRules,
  now: number,
): FuelEstimate {
  const litres =
    ctx.level !== undefined && rules.fuelTankLitres !== undefined
      ? (ctx.level / 100) * rules.fuelTankLitres
      : null;
  if (ctx.level === undefined) return { percentPerHour: null, hoursLeft: null, litres, basis: 'none' };
  const frost = 1 + rules.frostExtraPercent / 100;
  const freezingNow = ctx.outdoor !== undefined && ctx.outdoor < 0;
  const windowMs = rules.fuelTrendWindowSec * 1000;
  const trend = ctx.running ? trendRate(mem.samples, now, windowMs) : null;
  let rate: number | null = null;
  let basis: FuelEstimate['basis'] = 'none';
  if (trend !== null && trend > 0) {
    rate = freezingNow && windowMeanOutdoor(mem.samples, now, windowMs) >= 0 ? trend * frost : trend;
    basis = 'trend';
  } else if (mem.lastRatePerHour !== null && mem.lastRatePerHour > 0) {
    rate = mem.lastRatePerHour;
    basis = 'last-trend';
  } else {
    const nominal = nominalRate(ctx.load, ctx.running, rules);
    if (nominal !== null) {
      rate = freezingNow ? nominal * frost : nominal;
      basis = 'nominal';
    }
  }
  return { percentPerHour: rate, hoursLeft: rate ? ctx.level / rate : null, litres, basis };
}

/** The datasheet burn at the present load (30 % + 70 % × load of the full-load burn), % per hour. */
function nominalRate(load: number | undefined, running: boolean, rules: FuelRules): number | null {
  if (rules.fuelTankLitres === undefined || rules.fuelFullLoadLitresPerHour === undefined) return null;
  const share = running && load !== undefined ? Math.min(1, Math.max(0, load / 100)) : 0.5;
  return ((rules.fuelFullLoadLitresPerHour * (0.3 + 0.7 * share)) / rules.fuelTankLitres) * 100;
}

function windowMeanOutdoor(samples: readonly FuelSample[], now: number, windowMs: number): number {
  const temps = samples
    .filter((s) => s.ts >= now - windowMs && s.outdoor !== null)
    .map((s) => s.outdoor ?? 0);
  return temps.length === 0 ? 0 : temps.reduce((a, b) => a + b, 0) / temps.length;
}

/** How far the level fell within the window (highest level in the window minus the latest). */
export function fuelDrop(samples: readonly FuelSample[], now: number, windowMs: number): number {
  const last = samples.at(-1);
  if (!last) return 0;
  let highest = last.level;
  for (const s of samples) if (s.ts >= now - windowMs && s.level > highest) highest = s.level;
  return highest - last.level;
}
