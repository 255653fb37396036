/**
 * The fleet's API answers, serialised once per revision of the fleet view (and per query for pages)
 * and then only written out: 1,000 pages asking between two changes cost one serialisation, and a page
 * that holds the current revision gets a 304. Bodies are joined from each row's JSON, made when the row
 * changed, so a new revision does not serialise the unchanged rows again.
 */
import { createHash, randomBytes } from 'node:crypto';
import { CachedBody } from '../../web/cached-body.js';
import { pointsGeoJson } from '../feeds/geojson.js';
import { type FleetQuery, fleetQueryKey, queryFleet } from '../fleet/fleet-query.js';
import type { FleetView } from './fleet-view.js';

const JSON_TYPE = 'application/json; charset=utf-8';
/** Distinct page queries kept per revision (pages, filters, searches of the pages open now). */
const MAX_PAGES = 64;

export class FleetBodies {
  /** A restarted hub counts revisions from 1 again; this keeps its tags from matching the old ones. */
  private readonly boot = randomBytes(4).toString('hex');
  private rev = -1;
  private readonly cache = new Map<string, CachedBody>();

  constructor(private readonly fleet: FleetView) {}

  /** Every row and the "needs action" list: for a page that wants all of it (a printout, a script). */
  dashboard(): CachedBody {
    return this.cached('dashboard', () => {
      const rows = this.fleet.rows().map((r) => this.fleet.rowJson(r.id));
      return `{"rev":${this.fleet.rev},"rows":[${rows.join(',')}],"needsAction":${JSON.stringify(this.fleet.needs())}}`;
    });
  }

  /** One page of the list, with its place in the whole. */
  page(q: FleetQuery): CachedBody {
    const key = fleetQueryKey(q);
    return this.cached(
      `page:${key}`,
      () => {
        const { rows, ...place } = queryFleet(this.fleet.order(), q);
        const reasons = this.fleet.order().reasons;
        const listed = rows.map((r) => this.fleet.rowJson(r.id));
        const why = Object.fromEntries(
          rows.filter((r) => reasons.has(r.id)).map((r) => [r.id, reasons.get(r.id)]),
        );
        return `{"rev":${this.fleet.rev},${JSON.stringify(place).slice(1, -1)},"reasons":${JSON.stringify(why)},"rows":[${listed.join(',')}]}`;
      },
      hash(key),
    );
  }

  /** The counts (by state, by reason, places, announcements shown). */
  summary(): CachedBody {
    return this.cached('summary', () => JSON.stringify({ rev: this.fleet.rev, ...this.fleet.summary() }));
  }

  /** What the map draws of every point with a location; the rest are only counted. */
  map(): CachedBody {
    return this.cached('map', () => {
      const rows = this.fleet.rows();
      const markers = rows.map((r) => this.fleet.mapJson(r.id)).filter((j): j is string => j !== null);
      return `{"rev":${this.fleet.rev},"missing":${rows.length - markers.length},"points":[${markers.join(',')}]}`;
    });
  }

  /** The CLI's view (`/api/points`). */
  points(): CachedBody {
    return this.cached('points', () => JSON.stringify(this.fleet.views()));
  }

  geojson(): CachedBody {
    return this.cached(
      'geojson',
      () => JSON.stringify(pointsGeoJson(this.fleet.views())),
      undefined,
      'application/geo+json',
    );
  }

  private cached(key: string, make: () => string, tag = key, type = JSON_TYPE): CachedBody {
    if (this.rev !== this.fleet.rev) {
      this.cache.clear();
      this.rev = this.fleet.rev;
    }
    let body = this.cache.get(key);
    if (!body) {
      if (this.cache.size >= MAX_PAGES) this.cache.delete(this.cache.keys().next().value as string);
      body = new CachedBody(make(), type, `${this.boot}-${this.rev}-${tag}`);
      this.cache.set(key, body);
    }
    return body;
  }
}

function hash(text: string): string {
  return createHash('sha256').update(text).digest('base64url').slice(0, 16);
}
