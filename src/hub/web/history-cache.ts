/**
 * A point's charts (point-history.ts), kept per point and range until what they are made of changes:
 * its lanes (every stored telemetry record and event moves a lane's seqs) and its last status (which
 * sets where the range ends). Checking that is two small reads. When they changed, only the new
 * readings are read: the readings held run from the range's start on (not to its end, so a record
 * stamped after the last status is there when the next status moves the end), and a telemetry lane
 * that had no holes gets everything above the seq it had. A lane with holes, a new epoch or a truncated
 * read makes the charts from scratch. So staff opening the same point, or a page asking again, cost the
 * check and a buffer write (or a 304), and new data costs what is new.
 */
import { createHash, randomBytes } from 'node:crypto';
import { CachedBody } from '../../web/cached-body.js';
import type { HubStorage, LaneRow } from '../storage/types.js';
import {
  buildHistory,
  historyRange,
  historyWindow,
  pointHistory,
  type Readings,
  readReadings,
} from './point-history.js';

/** Point pages whose charts are kept (a week of readings is about 40,000 numbers each). */
const MAX_ENTRIES = 16;

interface Entry {
  version: string;
  body: CachedBody;
  readings: Readings;
  sinceMs: number;
  /** The telemetry lanes as they were when the readings were read. */
  lanes: LaneRow[];
  truncated: boolean;
}

export class HistoryCache {
  private readonly boot = randomBytes(4).toString('hex');
  private readonly entries = new Map<string, Entry>();

  constructor(private readonly storage: HubStorage) {}

  async get(id: string, url: URL, now: number): Promise<CachedBody> {
    const range = historyRange(url);
    const row = await this.storage.point(id);
    // without a status the range ends now: nothing to keep (and no point is a 404)
    if (!row || row.statusTs === null)
      return this.body(JSON.stringify(await pointHistory(this.storage, id, url, now)), `${id}${now}`);
    const key = JSON.stringify([id, range]);
    const lanes = await this.storage.lanes(id);
    const version = JSON.stringify([
      row.statusTs,
      lanes.map((l) => [l.epoch, l.stream, l.contiguous, l.maxSeq]),
    ]);
    const hit = this.entries.get(key);
    this.entries.delete(key);
    if (hit?.version === version) {
      // most recently used last: the oldest is the one dropped
      this.entries.set(key, hit);
      return hit.body;
    }
    const win = historyWindow(range, row, now);
    const telemetry = lanes.filter((l) => l.stream === 'telemetry');
    let readings: Readings;
    let truncated = false;
    if (hit && win.sinceMs >= hit.sinceMs && extendable(hit, telemetry)) {
      readings = hit.readings;
      for (const lane of telemetry) {
        const before = hit.lanes.find((l) => l.epoch === lane.epoch);
        if (!before || lane.maxSeq <= before.maxSeq) continue;
        await readReadings(this.storage, id, hit.sinceMs, undefined, {
          into: readings,
          after: { epoch: lane.epoch, seq: before.maxSeq },
          onlyEpoch: lane.epoch,
          maxRows: lane.maxSeq - before.maxSeq,
        });
      }
      // what fell out of the range's start is dropped, so a week held does not keep growing
      for (const [channel, points] of readings)
        readings.set(
          channel,
          points.filter((p) => p.ts >= win.sinceMs),
        );
    } else {
      const read = await readReadings(this.storage, id, win.sinceMs, undefined);
      readings = read.readings;
      truncated = read.truncated;
    }
    const history = await buildHistory(this.storage, id, win, readings, truncated);
    const body = this.body(JSON.stringify(history), `${key}${version}`);
    if (this.entries.size >= MAX_ENTRIES) this.entries.delete(this.entries.keys().next().value as string);
    this.entries.set(key, { version, body, readings, sinceMs: win.sinceMs, lanes: telemetry, truncated });
    return body;
  }

  private body(text: string, version: string): CachedBody {
    const tag = createHash('sha256').update(version).digest('base64url').slice(0, 16);
    return new CachedBody(text, 'application/json; charset=utf-8', `${this.boot}-${tag}`);
  }
}

/**
 * The held readings can be brought up to date by reading above each lane's old top: nothing was
 * truncated, every lane read then had no holes (so nothing can arrive below its top), and no new epoch.
 */
function extendable(hit: Entry, telemetry: readonly LaneRow[]): boolean {
  if (hit.truncated) return false;
  if (hit.lanes.some((l) => l.contiguous !== l.maxSeq)) return false;
  return telemetry.every((l) => hit.lanes.some((old) => old.epoch === l.epoch));
}
