/**
 * A point's charts (point-history.ts), kept per point and range until what they are made of changes:
 * its lanes (every stored telemetry record and event moves a lane's seqs) and its last status (which
 * sets where the range ends). Checking that is two small reads; making the charts reads a day or a week
 * of the point's telemetry. So staff opening the same point, or a page asking again, cost the check and
 * a buffer write (or a 304), and only new data costs a read.
 */
import { createHash, randomBytes } from 'node:crypto';
import { CachedBody } from '../../web/cached-body.js';
import { queryParams } from '../../web/http.js';
import type { HubStorage } from '../storage/types.js';
import { pointHistory } from './point-history.js';

/** Point pages open at once that keep their charts. */
const MAX_ENTRIES = 64;

export class HistoryCache {
  private readonly boot = randomBytes(4).toString('hex');
  private readonly entries = new Map<string, { version: string; body: CachedBody }>();

  constructor(private readonly storage: HubStorage) {}

  async get(id: string, url: URL, now: number): Promise<CachedBody> {
    const range = queryParams(url, ['range']).get('range') ?? '24h';
    const key = JSON.stringify([id, range]);
    const version = await this.version(id);
    const hit = this.entries.get(key);
    if (version !== undefined && hit?.version === version) {
      // most recently used last: the oldest is the one dropped
      this.entries.delete(key);
      this.entries.set(key, hit);
      return hit.body;
    }
    const text = JSON.stringify(await pointHistory(this.storage, id, url, now));
    const tag = createHash('sha256')
      .update(`${key}${version ?? now}`)
      .digest('base64url')
      .slice(0, 16);
    const body = new CachedBody(text, 'application/json; charset=utf-8', `${this.boot}-${tag}`);
    if (version === undefined) return body;
    this.entries.delete(key);
    if (this.entries.size >= MAX_ENTRIES) this.entries.delete(this.entries.keys().next().value as string);
    this.entries.set(key, { version, body });
    return body;
  }

  /** What the charts are made of; undefined without a status (then the range ends now, not cacheable). */
  private async version(id: string): Promise<string | undefined> {
    const row = await this.storage.point(id);
    if (!row || row.statusTs === null) return undefined;
    const lanes = await this.storage.lanes(id);
    return JSON.stringify([row.statusTs, lanes.map((l) => [l.epoch, l.stream, l.contiguous, l.maxSeq])]);
  }
}
