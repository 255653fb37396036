import { parseTimeArg } from '../cli/time-arg.js';
import { HttpError, queryParams } from './http.js';
import type { HistoryPoint } from './types.js';

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
  /** Bucket start times (epoch ms) and the mean of the readings in each; null = the sensor had a fault. */
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
    throw new HttpError(400, `${name}: ${err instanceof Error ? err.message : String(err)}`);
  }
}

/** Averages readings into at most `points` equal buckets; empty buckets are left out. */
export function downsample(readings: readonly HistoryPoint[], req: HistoryRequest): HistorySeries {
  const bucketMs = Math.max(1, Math.ceil((req.untilMs - req.sinceMs) / req.points));
  const sums = new Map<number, { sum: number; n: number }>();
  for (const r of readings) {
    if (r.ts < req.sinceMs || r.ts > req.untilMs) continue;
    const b = Math.min(req.points - 1, Math.floor((r.ts - req.sinceMs) / bucketMs));
    const acc = sums.get(b) ?? { sum: 0, n: 0 };
    if (r.value !== null && Number.isFinite(r.value)) {
      acc.sum += r.value;
      acc.n += 1;
    }
    sums.set(b, acc);
  }
  const buckets = [...sums.keys()].sort((a, b) => a - b);
  return {
    channel: req.channel,
    since: new Date(req.sinceMs).toISOString(),
    until: new Date(req.untilMs).toISOString(),
    bucketMs,
    ts: buckets.map((b) => req.sinceMs + b * bucketMs),
    values: buckets.map((b) => {
      const acc = sums.get(b);
      return acc && acc.n > 0 ? round(acc.sum / acc.n) : null;
    }),
  };
}

function round(x: number): number {
  return Math.round(x * 1000) / 1000;
}
