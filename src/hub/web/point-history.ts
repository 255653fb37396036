/**
 * `GET /api/points/{id}/history?range=24h|7d`: a point's charts (battery, fuel, indoor temperature,
 * people inside) from the telemetry the hub stored, bucketed like the point's own charts (`downsample`),
 * its warnings and alarms, and the gaps in what it sent. The range ends at the point's own time of its
 * last status (a point's clock, simulated or not, is what its records are stamped with).
 */

import { downsample, historyStaleMs } from '../../web/history.js';
import { HttpError, queryParams } from '../../web/http.js';
import type { HistoryPoint } from '../../web/types.js';
import { classifyHoles, type GapReport } from '../fleet/gaps.js';
import { parseStatus } from '../fleet/point-view.js';
import type { HubStorage, PointRow } from '../storage/types.js';

export const CHART_CHANNELS = ['battery.soc', 'generator.fuelLevel', 'temperature.indoor', 'occupancy.count'];
const RANGES: Record<string, number> = { '24h': 86_400_000, '7d': 7 * 86_400_000 };
const BUCKETS = 288;
const PAGE = 10_000;
/** Bounds the work of one request whatever a point logged; a denser log shows its last part. */
const MAX_ROWS = 400_000;
const EVENTS = 200;
const WARNING_LEVELS = ['warning', 'alarm', 'critical'];

export interface PointHistory {
  range: string;
  since: string;
  until: string;
  series: Record<string, { ts: number[]; values: Array<number | null> }>;
  events: Array<{ ts: string; type: string; level: string; message: string }>;
  gaps: GapReport[];
  truncated: boolean;
}

export async function pointHistory(
  storage: HubStorage,
  id: string,
  url: URL,
  now: number,
): Promise<PointHistory> {
  const range = historyRange(url);
  const row = await storage.point(id);
  if (!row) throw new HttpError(404, `no point ${JSON.stringify(id)}`);
  const win = historyWindow(range, row, now);
  const read = await readReadings(storage, id, win.sinceMs, win.untilMs);
  return buildHistory(storage, id, win, read.readings, read.truncated);
}

/** The range asked for (24h by default); anything else is a 400 naming what is allowed. */
export function historyRange(url: URL): string {
  const range = queryParams(url, ['range']).get('range') ?? '24h';
  if (RANGES[range] === undefined) throw new HttpError(400, 'range must be 24h or 7d');
  return range;
}

export interface HistoryWindow {
  range: string;
  sinceMs: number;
  untilMs: number;
}

/** The range ends at the point's own time of its last status (now without one). */
export function historyWindow(range: string, row: PointRow, now: number): HistoryWindow {
  const status = parseStatus(row.status);
  const untilMs = status ? Date.parse(status.ts) : now;
  return { range, sinceMs: untilMs - (RANGES[range] ?? 0), untilMs };
}

export type Readings = Map<string, HistoryPoint[]>;

export function emptyReadings(): Readings {
  return new Map(CHART_CHANNELS.map((c) => [c, []]));
}

/**
 * The chart channels' readings from sinceMs (to untilMs if given), in (epoch, seq) order, appended to
 * `into`; from `after` on if given, and at most `maxRows` of them (then truncated).
 */
export async function readReadings(
  storage: HubStorage,
  id: string,
  sinceMs: number,
  untilMs: number | undefined,
  opts: {
    into?: Readings;
    after?: { epoch: string; seq: number };
    onlyEpoch?: string;
    maxRows?: number;
  } = {},
): Promise<{ readings: Readings; truncated: boolean; rows: number }> {
  const readings = opts.into ?? emptyReadings();
  const maxRows = opts.maxRows ?? MAX_ROWS;
  let after = opts.after;
  let rows = 0;
  let truncated = false;
  for (;;) {
    const limit = Math.min(PAGE, maxRows - rows);
    const page = await storage.telemetry({
      point: id,
      sinceMs,
      untilMs,
      after,
      channels: CHART_CHANNELS,
      limit,
    });
    for (const r of page) {
      // a cursor runs on into the next epochs; a caller that wants one epoch stops at its end
      if (opts.onlyEpoch !== undefined && r.epoch !== opts.onlyEpoch) return { readings, truncated, rows };
      readings.get(r.channel)?.push({ ts: r.ts, value: r.value });
    }
    rows += page.length;
    const last = page.at(-1);
    if (!last || page.length < limit) break;
    if (rows >= maxRows) {
      truncated = opts.maxRows === undefined;
      break;
    }
    after = { epoch: last.epoch, seq: last.seq };
  }
  return { readings, truncated, rows };
}

/** The charts from readings (those outside the window left out), the warnings and the gaps. */
export async function buildHistory(
  storage: HubStorage,
  id: string,
  win: HistoryWindow,
  readings: Readings,
  truncated: boolean,
): Promise<PointHistory> {
  const { sinceMs, untilMs } = win;
  const series: PointHistory['series'] = {};
  for (const [channel, all] of readings) {
    const points = all.filter((r) => r.ts >= sinceMs && r.ts <= untilMs);
    const s = downsample(points, { channel, sinceMs, untilMs, points: BUCKETS }, historyStaleMs(0), untilMs);
    series[channel] = { ts: s.ts, values: s.values };
  }
  // the last EVENTS warnings of the range, however many the point logged before them
  const events = (
    await storage.events({
      point: id,
      sinceMs,
      untilMs,
      levels: WARNING_LEVELS,
      newestFirst: true,
      limit: EVENTS,
    })
  ).map((e) => ({ ts: new Date(e.ts).toISOString(), type: e.type, level: e.level, message: e.message }));
  const notices = await storage.gapNotices(id);
  const gaps: GapReport[] = [];
  for (const lane of await storage.lanes(id)) {
    if (lane.maxSeq > lane.contiguous) gaps.push(...classifyHoles(lane, await storage.holes(lane), notices));
  }
  return {
    range: win.range,
    since: new Date(sinceMs).toISOString(),
    until: new Date(untilMs).toISOString(),
    series,
    events,
    gaps,
    truncated,
  };
}
