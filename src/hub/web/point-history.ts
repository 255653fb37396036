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
import type { HubStorage } from '../storage/types.js';

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
  const q = queryParams(url, ['range']);
  const range = q.get('range') ?? '24h';
  const span = RANGES[range];
  if (span === undefined) throw new HttpError(400, 'range must be 24h or 7d');
  const row = await storage.point(id);
  if (!row) throw new HttpError(404, `no point ${JSON.stringify(id)}`);
  const status = parseStatus(row.status);
  const untilMs = status ? Date.parse(status.ts) : now;
  const sinceMs = untilMs - span;
  const readings = new Map<string, HistoryPoint[]>(CHART_CHANNELS.map((c) => [c, []]));
  let after: { epoch: string; seq: number } | undefined;
  let rows = 0;
  let truncated = false;
  for (;;) {
    const page = await storage.telemetry({
      point: id,
      sinceMs,
      untilMs,
      after,
      channels: CHART_CHANNELS,
      limit: PAGE,
    });
    for (const r of page) readings.get(r.channel)?.push({ ts: r.ts, value: r.value });
    rows += page.length;
    const last = page.at(-1);
    if (!last || page.length < PAGE) break;
    if (rows >= MAX_ROWS) {
      truncated = true;
      break;
    }
    after = { epoch: last.epoch, seq: last.seq };
  }
  const series: PointHistory['series'] = {};
  for (const [channel, points] of readings) {
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
    range,
    since: new Date(sinceMs).toISOString(),
    until: new Date(untilMs).toISOString(),
    series,
    events,
    gaps,
    truncated,
  };
}
