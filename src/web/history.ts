import { DEFAULT_HEARTBEAT_SEC } from '../config/logging.js';
import { errorMessage } from '../core/errors.js';
import { parseTimeArg } from '../core/time-arg.js';
import { HttpError, queryParams } from './http.js';
import type { HistoryPoint, HistorySummary } from './types.js';

export const HISTORY_MAX_RANGE_MS = 7 * 86_400_000;
const CHANNEL = /^[a-z][a-zA-Z0-9]*(\.[a-zA-Z0-9_-]+){1,3}$/;
const DEFAULT_POINTS = 480;
const MAX_POINTS = 2000;

export interface HistoryRequest {
  channel: string;
  sinceMs: number;
  untilMs: number;
  points: number;
}

export interface HistorySeries {
  channel: string;
  since: string;
  until: string;
  bucketMs: number;
  /**
   * Bucket start times (epoch ms) and the time-weighted mean of the values in effect in each (`downsample`);
   * null = the sensor had a fault throughout the bucket; a bucket with nothing known is left out.
   */
  ts: number[];
  values: Array<number | null>;
}

/**
 * `GET /api/history?channel=C&since=T[&until=T][&points=N]`: T is ISO-8601 or a duration back from now
 * (`24h`), as on the CLI. Everything is checked; a bad parameter is a 400 naming it.
 */
export function parseHistoryQuery(url: URL, now: number): HistoryRequest {
  const q = queryParams(url, ['channel', 'since', 'until', 'points']);
  const channel = q.get('channel');
  if (channel === undefined || channel === '') {
    throw new HttpError(400, 'channel is required, e.g. channel=battery.soc');
  }
  if (channel.length > 100 || !CHANNEL.test(channel)) {
    throw new HttpError(400, `channel ${JSON.stringify(channel)} is not a channel name like battery.soc`);
  }
  const sinceMs = time(q.get('since') ?? '24h', 'since', now);
  const untilMs = time(q.get('until') ?? new Date(now).toISOString(), 'until', now);
  if (sinceMs >= untilMs) throw new HttpError(400, 'since must be before until');
  if (untilMs - sinceMs > HISTORY_MAX_RANGE_MS) throw new HttpError(400, 'the range must be at most 7 days');
  const pointsText = q.get('points');
  let points = DEFAULT_POINTS;
  if (pointsText !== undefined) {
    points = /^\d{1,5}$/.test(pointsText) ? Number(pointsText) : Number.NaN;
    if (!(points >= 2 && points <= MAX_POINTS)) {
      throw new HttpError(400, `points must be a whole number from 2 to ${MAX_POINTS}`);
    }
  }
  return { channel, sinceMs, untilMs, points };
}

function time(text: string, name: string, now: number): number {
  try {
    return parseTimeArg(text, now);
  } catch (err) {
    throw new HttpError(400, `${name}: ${errorMessage(err)}`);
  }
}

/**
 * How long a logged value may hold without a newer row: twice the default heartbeat
 * (storage.logging.heartbeatSec), as a running logger writes every channel at least once a heartbeat. A
 * longer gap means the logger (or the Pi) was down, and a value carried across it would draw a dead
 * logger as a flat healthy line. A site with a longer heartbeat needs a longer bound (`downsample`).
 */
export const HISTORY_STALE_MS = 2 * DEFAULT_HEARTBEAT_SEC * 1000;

/** The staleness bound for a configured heartbeat; never below the default's (a 0 heartbeat logs every sample). */
export function historyStaleMs(heartbeatSec: number): number {
  return Math.max(HISTORY_STALE_MS, 2 * heartbeatSec * 1000);
}

/**
 * Time-weighted means of a step series in at most `points` equal buckets from since; the last one ends
 * at until. The log records by exception (src/pipeline/log-policy.ts), so each reading's value, null
 * included, holds from its ts until the channel's next reading, but at most `staleMs`. A bucket is the
 * mean of the values in effect in it, weighted by how long each held; null when it held only nulls;
 * left out when nothing was known in it (before the first reading, or after a value went stale). A
 * point with `holdMs` holds at most that long instead (a downsampled bucket). Readings before since
 * give the value in effect at since; no value holds past nowMs. Pure: time comes only from the arguments.
 */
export function downsample(
  readings: readonly HistoryPoint[],
  req: HistoryRequest,
  staleMs: number = HISTORY_STALE_MS,
  nowMs: number = Number.POSITIVE_INFINITY,
): HistorySeries {
  const { sinceMs, untilMs } = req;
  const bucketMs = Math.max(1, Math.ceil((untilMs - sinceMs) / req.points));
  // ceil can leave the last of `points` buckets wholly past until; such a bucket is not made at all
  const n = Math.ceil((untilMs - sinceMs) / bucketMs);
  const buckets = Array.from({ length: n }, () => ({ valueMs: 0, weighted: 0, nullMs: 0 }));
  const steps = byTime(readings);
  steps.forEach((r, i) => {
    const from = Math.max(r.ts, sinceMs);
    // nothing is known past now: an until in the future must not draw the held value ahead of time
    const to = Math.min(steps[i + 1]?.ts ?? Infinity, r.ts + (r.holdMs ?? staleMs), untilMs, nowMs);
    // a non-finite value is no measurement; the log stores it as null, so it counts as a fault here too
    const value = r.value !== null && Number.isFinite(r.value) ? r.value : null;
    for (let b = Math.floor((from - sinceMs) / bucketMs); from < to && b < n; b++) {
      const start = sinceMs + b * bucketMs;
      const acc = buckets[b];
      if (acc === undefined || start >= to) break;
      const dt = Math.min(to, start + bucketMs) - Math.max(from, start);
      if (value === null) {
        acc.nullMs += dt;
      } else {
        acc.valueMs += dt;
        acc.weighted += value * dt;
      }
    }
  });
  const ts: number[] = [];
  const values: Array<number | null> = [];
  buckets.forEach((acc, b) => {
    // A partly faulty bucket is the mean of its measured time only: a fault says nothing about the
    // quantity (it is no 0), the measured part is real, and a fault shorter than a bucket cannot be
    // drawn at this resolution anyway (a shorter range shows it).
    if (acc.valueMs === 0 && acc.nullMs === 0) return;
    ts.push(sinceMs + b * bucketMs);
    values.push(acc.valueMs > 0 ? round(acc.weighted / acc.valueMs) : null);
  });
  return {
    channel: req.channel,
    since: new Date(sinceMs).toISOString(),
    until: new Date(untilMs).toISOString(),
    bucketMs,
    ts,
    values,
  };
}

/**
 * Raw readings preceded by the downsampled buckets that began before the first of them: raw readings win
 * where both exist, and a bucket that runs into them is cut off by the first (the step series ends a
 * value at the next point). A bucket holds its mean over its whole length rather than being a point at
 * its start: a point would go stale after `staleMs` (4 min against 15-min buckets) and draw mostly holes,
 * and the mean is what is known of the whole interval. Buckets of one start (retention folded the
 * interval in two passes) are merged, their means weighted by the readings folded; the count includes
 * faults, which the means leave out, so this is approximate where faults were folded. Pure.
 */
export function withSummaries(
  raw: readonly HistoryPoint[],
  summaries: readonly HistorySummary[],
): HistoryPoint[] {
  const firstRaw = raw.reduce((min, r) => (Number.isFinite(r.ts) ? Math.min(min, r.ts) : min), Infinity);
  const merged = new Map<number, { ms: number; weighted: number; n: number; faultOnly: boolean }>();
  for (const s of summaries) {
    if (!(s.start < firstRaw) || !(s.ms > 0)) continue;
    const acc = merged.get(s.start) ?? { ms: 0, weighted: 0, n: 0, faultOnly: true };
    acc.ms = Math.max(acc.ms, s.ms);
    if (s.mean !== null && Number.isFinite(s.mean)) {
      // at least 1: a bucket with a mean folded a reading, whatever its count says
      const n = Math.max(1, s.n);
      acc.weighted += s.mean * n;
      acc.n += n;
      acc.faultOnly = false;
    }
    merged.set(s.start, acc);
  }
  const points = [...merged]
    .sort(([a], [b]) => a - b)
    .map(([start, acc]): HistoryPoint => {
      const value = acc.faultOnly ? null : acc.weighted / acc.n;
      return { ts: start, value, holdMs: acc.ms };
    });
  return [...points, ...raw];
}

/**
 * The readings with a finite ts in time order. The log is in seq order, which is time order unless the
 * wall clock was set back; the sort is stable, so of two readings at one ts the later logged one holds.
 */
function byTime(readings: readonly HistoryPoint[]): HistoryPoint[] {
  const out = readings.filter((r) => Number.isFinite(r.ts));
  const sorted = out.every((r, i) => i === 0 || (out[i - 1]?.ts ?? r.ts) <= r.ts);
  return sorted ? out : out.sort((a, b) => a.ts - b.ts);
}

function round(x: number): number {
  return Math.round(x * 1000) / 1000;
}
