/**
 * The hub's HTTP side (CONTRACT.md §7): the crisis staff's dashboard (`/`, `/point?id=`) with its live
 * stream, the fleet API, and the public GeoJSON and Atom feeds.
 */
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { z } from 'zod';
import type { WebLanguage } from '../../config/schema.js';
import type { Logger } from '../../core/logger.js';
import { pagePatterns } from '../../sign/pattern.js';
import {
  HttpError,
  queryParams,
  SECURITY_HEADERS,
  securityHeadersAllowingImages,
  sendError,
  sendJson,
} from '../../web/http.js';
import { SseHub } from '../../web/sse.js';
import { type AssetSource, POINT_PUBLIC_DIR, StaticAssets } from '../../web/static.js';
import { transitionsAtom } from '../feeds/atom.js';
import { parseFleetQuery } from '../fleet/fleet-query.js';
import type { PublishDesired } from '../fleet/issue-desired.js';
import { nearestOpen } from '../fleet/nearest.js';
import { pointView } from '../fleet/point-view.js';
import { type RunPlan, runSheet } from '../fleet/run-sheet.js';
import type { HubStorage } from '../storage/types.js';
import { FleetBodies } from './fleet-bodies.js';
import { FleetView } from './fleet-view.js';
import { HistoryCache } from './history-cache.js';
import { dashboardMessages } from './i18n/index.js';
import { StaffApi } from './staff-api.js';
import { StaffAuth } from './staff-auth.js';

export interface HubWebOptions {
  host: string;
  port: number;
  /** For absolute links in the Atom feed; default http://{host}:{port}. */
  publicUrl?: string | undefined;
  storage: HubStorage;
  staleAfterSec: number;
  now: () => number;
  logger: Logger;
  /** Dashboard languages, the first by default. */
  languages?: readonly WebLanguage[] | undefined;
  /** Publishes a point's retained desired state; without one the dashboard cannot send commands. */
  publish?: PublishDesired | undefined;
  /**
   * How often the dashboard's in-memory fleet is read again whole, for writes this process did not make
   * or see (another hub of the group, `pima-hub command`); default 10 s. What this process's ingest
   * stores shows within a tick (see touch()).
   */
  reconcileMs?: number | undefined;
  /** Basemap tiles for the map; without a tileUrl the map draws the points alone. */
  basemap?: Basemap | undefined;
  /** The refuelling run sheet's defaults (hub config `refuel`); the page may change the truck's figures. */
  refuel?: RunPlan | undefined;
}

export interface Basemap {
  tileUrl?: string | undefined;
  attribution: string;
  maxZoom: number;
}

/** When no config gives them (tests, embedding): the hub config's defaults. */
const DEFAULT_PLAN: RunPlan = {
  truckLitres: 2000,
  firstStopHours: 1,
  hoursPerStop: 0.5,
  refillBelowPercent: 50,
  horizonHours: 24,
};

/** The dashboard's files, and the pieces it shares with the point's page (helpers, pictograms). */
const DASHBOARD_ASSETS: readonly AssetSource[] = [
  {
    dir: new URL('./public/', import.meta.url),
    files: {
      '/': 'dashboard.html',
      '/point': 'point.html',
      '/runsheet': 'runsheet.html',
      '/assets/hub/hub.css': 'hub.css',
      '/assets/hub/dashboard.js': 'dashboard.js',
      '/assets/hub/point.js': 'point.js',
      '/assets/hub/shared.js': 'shared.js',
      '/assets/hub/map.js': 'map.js',
      '/assets/hub/runsheet.js': 'runsheet.js',
    },
  },
  {
    dir: POINT_PUBLIC_DIR,
    files: {
      '/assets/common.js': 'common.js',
      '/assets/icons.js': 'icons.js',
      '/assets/icon.svg': 'icon.svg',
    },
  },
];
const SSE_POLL_MS = 250;
const FLEET_QUERY = ['page', 'size', 'state', 'q', 'ids', 'sort'];
const NEAREST = 5;
const SSE_PING_MS = 15_000;

const FEED_ENTRIES = 200;
const HISTORY_ROWS = 50;

export class HubWebServer {
  private server: Server | undefined;
  private readonly assets: StaticAssets;
  private readonly fleet: FleetView;
  private readonly bodies: FleetBodies;
  private readonly history: HistoryCache;
  private readonly sse: SseHub;
  private readonly auth: StaffAuth;
  private readonly staff: StaffApi;

  constructor(private readonly opts: HubWebOptions) {
    // the pages may show images from the configured tile server, and from nowhere else
    const tileUrl = opts.basemap?.tileUrl;
    this.assets = new StaticAssets(
      DASHBOARD_ASSETS,
      securityHeadersAllowingImages(tileUrl ? [tileOrigin(tileUrl)] : []),
    );
    this.fleet = new FleetView({
      storage: opts.storage,
      staleAfterSec: opts.staleAfterSec,
      now: opts.now,
      reconcileMs: opts.reconcileMs,
      logger: opts.logger,
      // a delta per revision, its text made once for every open page
      onChange: (json) => this.sse.publish('fleet', json),
    });
    this.bodies = new FleetBodies(this.fleet);
    this.history = new HistoryCache(opts.storage);
    this.auth = new StaffAuth(opts.storage, Date.now);
    this.staff = new StaffApi({
      storage: opts.storage,
      auth: this.auth,
      publish: opts.publish,
      now: opts.now,
      points: () => this.fleet.rows(),
      touched: (id) => this.fleet.touch([id]),
    });
    this.sse = new SseHub({
      // nothing polled: the fleet view publishes its deltas (a page fetches what it shows when the stream opens)
      topics: () => ({}),
      pollMs: SSE_POLL_MS,
      pingMs: SSE_PING_MS,
      slots: { total: 64, perAddress: 8, screen: 16 },
      backlogBytes: 1_048_576,
    });
  }

  async start(): Promise<void> {
    if (this.server) return;
    this.assets.load();
    await this.fleet.start();
    this.sse.start();
    const server = createServer((req, res) => {
      this.route(req, res).catch((err: unknown) => {
        if (err instanceof HttpError) return sendError(res, err);
        this.opts.logger.error('request failed', { url: req.url, error: String(err) });
        if (!res.headersSent) sendError(res, new HttpError(500, 'internal error'));
      });
    });
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(this.opts.port, this.opts.host, () => resolve());
    });
    this.server = server;
    this.opts.logger.info('listening', { url: this.url() });
  }

  async stop(): Promise<void> {
    const server = this.server;
    this.server = undefined;
    this.sse.stop();
    this.fleet.stop();
    if (!server) return;
    server.closeAllConnections();
    await new Promise<void>((resolve) => server.close(() => resolve()));
  }

  /** Points whose stored rows changed (the ingest's commits): the dashboard shows them within a tick. */
  touch(ids: Iterable<string>): void {
    this.fleet.touch(ids);
  }

  url(): string {
    const address = this.server?.address() as AddressInfo | null | undefined;
    return `http://${this.opts.host}:${address?.port ?? this.opts.port}`;
  }

  private async route(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const url = new URL(req.url ?? '/', 'http://hub');
    const path = url.pathname;
    if (await this.staff.handle(req, res, path)) return;
    if (req.method !== 'GET' && req.method !== 'HEAD') {
      throw new HttpError(405, 'only GET', { Allow: 'GET, HEAD' });
    }
    const { storage, now, staleAfterSec } = this.opts;
    // the pages load for anyone and ask for a sign-in; what they show needs a staff session
    if (this.assets.has(path)) return this.assets.serve(req, res, path);
    if (path === '/api/meta') return sendJson(res, 200, this.meta());
    if (path === '/api/dashboard') {
      this.auth.requireView(req);
      return this.bodies.dashboard().send(req, res);
    }
    if (path === '/api/fleet') {
      this.auth.requireView(req);
      let query: ReturnType<typeof parseFleetQuery>;
      try {
        query = parseFleetQuery(queryParams(url, FLEET_QUERY));
      } catch (err) {
        if (err instanceof HttpError) throw err;
        throw new HttpError(400, err instanceof Error ? err.message : String(err));
      }
      return this.bodies.page(query).send(req, res);
    }
    if (path === '/api/fleet/summary') {
      this.auth.requireView(req);
      return this.bodies.summary().send(req, res);
    }
    if (path === '/api/fleet/map') {
      this.auth.requireView(req);
      return this.bodies.map().send(req, res);
    }
    if (path === '/api/events') {
      this.auth.requireView(req);
      return this.sse.add(req, res);
    }
    if (path === '/api/runsheet') {
      this.auth.requireView(req);
      const plan = runPlan(url, this.opts.refuel ?? DEFAULT_PLAN);
      return sendJson(res, 200, runSheet(this.fleet.pointRows(), now(), staleAfterSec, plan));
    }
    if (path === '/api/points') return this.bodies.points().send(req, res);
    const history = /^\/api\/points\/([^/]+)\/history$/.exec(path);
    if (history?.[1]) {
      this.auth.requireView(req);
      return (await this.history.get(decodeURIComponent(history[1]), url, now())).send(req, res);
    }
    const near = /^\/api\/points\/([^/]+)\/nearest$/.exec(path);
    if (near?.[1]) {
      this.auth.requireView(req);
      const id = decodeURIComponent(near[1]);
      const rows = this.fleet.rows();
      const from = rows.find((r) => r.id === id)?.location;
      if (!from) throw new HttpError(404, `no point with a location ${JSON.stringify(id)}`);
      return sendJson(res, 200, nearestOpen(rows, from, NEAREST, id));
    }
    if (path.startsWith('/api/points/')) return this.onePoint(res, decodeURIComponent(path.slice(12)));
    if (path === '/feeds/points.geojson') return this.bodies.geojson().send(req, res);
    if (path === '/feeds/transitions.atom') {
      const views = this.fleet.views();
      const xml = transitionsAtom({
        baseUrl: this.opts.publicUrl ?? this.url(),
        transitions: await storage.transitions(FEED_ENTRIES),
        names: new Map(views.map((v) => [v.id, v.name])),
        now: now(),
      });
      return sendText(res, 'application/atom+xml; charset=utf-8', xml);
    }
    throw new HttpError(404, `no such page: ${path}`);
  }

  private meta(): Record<string, unknown> {
    return {
      languages: this.opts.languages ?? ['uk', 'en'],
      staleAfterSec: this.opts.staleAfterSec,
      messages: dashboardMessages(),
      patterns: pagePatterns(),
      basemap: this.opts.basemap?.tileUrl ? this.opts.basemap : null,
      refuel: this.opts.refuel ?? DEFAULT_PLAN,
    };
  }

  private async onePoint(res: ServerResponse, id: string): Promise<void> {
    const { storage } = this.opts;
    const row = await storage.point(id);
    if (!row) throw new HttpError(404, `no point ${JSON.stringify(id)}`);
    const desired = await storage.desired(id);
    sendJson(res, 200, {
      ...pointView(row, this.opts.now(), this.opts.staleAfterSec),
      lanes: await storage.lanes(id),
      onlineHistory: (await storage.onlineHistory(id, HISTORY_ROWS)).map((h) => ({
        online: h.online,
        ts: new Date(h.ts).toISOString(),
        receivedAt: new Date(h.receivedAt).toISOString(),
        reason: h.reason,
      })),
      desired: desired ? JSON.parse(desired.body) : null,
    });
  }
}

function sendText(res: ServerResponse, type: string, body: string): void {
  res.writeHead(200, {
    ...SECURITY_HEADERS,
    'Content-Type': type,
    'Content-Length': Buffer.byteLength(body),
    'Cache-Control': 'no-store',
  });
  res.end(body);
}

/** The scheme, host and port of a tile URL template, for the Content-Security-Policy. */
export function tileOrigin(tileUrl: string): string {
  return new URL(tileUrl.replaceAll(/\{[zxy]\}/g, '0')).origin;
}

const PLAN_PARAMS = ['truckLitres', 'firstStopHours', 'hoursPerStop'] as const;
const PlanQuery = z.strictObject({
  truckLitres: z.coerce.number().positive().max(100_000).optional(),
  firstStopHours: z.coerce.number().min(0).max(72).optional(),
  hoursPerStop: z.coerce.number().min(0).max(24).optional(),
});

/** The hub's plan with the truck's figures the page asked for (`?truckLitres=…&firstStopHours=…`). */
function runPlan(url: URL, base: RunPlan): RunPlan {
  const q = queryParams(url, [...PLAN_PARAMS]);
  const given = Object.fromEntries(PLAN_PARAMS.flatMap((k) => (q.has(k) ? [[k, q.get(k)]] : [])));
  const parsed = PlanQuery.safeParse(given);
  if (!parsed.success) throw new HttpError(400, `invalid run sheet plan: ${z.prettifyError(parsed.error)}`);
  const out: RunPlan = { ...base };
  for (const k of PLAN_PARAMS) {
    const v = parsed.data[k];
    if (v !== undefined) out[k] = v;
  }
  return out;
}
