/**
 * The hub's HTTP side (CONTRACT.md §7): the fleet API, the public GeoJSON and Atom feeds, and `GET /`
 * (a placeholder until the dashboard lands). Read-only; every answer comes fresh from storage.
 */
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Logger } from '../../core/logger.js';
import { HttpError, SECURITY_HEADERS, sendError, sendJson } from '../../web/http.js';
import { transitionsAtom } from '../feeds/atom.js';
import { pointsGeoJson } from '../feeds/geojson.js';
import { fleetViews } from '../fleet/fleet.js';
import { pointView } from '../fleet/point-view.js';
import type { HubStorage } from '../storage/types.js';

export interface HubWebOptions {
  host: string;
  port: number;
  /** For absolute links in the Atom feed; default http://{host}:{port}. */
  publicUrl?: string | undefined;
  storage: HubStorage;
  staleAfterSec: number;
  now: () => number;
  logger: Logger;
}

const FEED_ENTRIES = 200;
const HISTORY_ROWS = 50;

export class HubWebServer {
  private server: Server | undefined;

  constructor(private readonly opts: HubWebOptions) {}

  async start(): Promise<void> {
    if (this.server) return;
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
    if (!server) return;
    server.closeAllConnections();
    await new Promise<void>((resolve) => server.close(() => resolve()));
  }

  url(): string {
    const address = this.server?.address() as AddressInfo | null | undefined;
    return `http://${this.opts.host}:${address?.port ?? this.opts.port}`;
  }

  private async route(req: IncomingMessage, res: ServerResponse): Promise<void> {
    if (req.method !== 'GET' && req.method !== 'HEAD') {
      throw new HttpError(405, 'only GET', { Allow: 'GET, HEAD' });
    }
    const path = new URL(req.url ?? '/', 'http://hub').pathname;
    const { storage, staleAfterSec, now } = this.opts;
    if (path === '/') return sendText(res, 'text/html; charset=utf-8', PLACEHOLDER);
    if (path === '/api/points') return sendJson(res, 200, await fleetViews(storage, now(), staleAfterSec));
    if (path.startsWith('/api/points/')) return this.onePoint(res, decodeURIComponent(path.slice(12)));
    if (path === '/feeds/points.geojson') {
      const body = JSON.stringify(pointsGeoJson(await fleetViews(storage, now(), staleAfterSec)));
      return sendText(res, 'application/geo+json', body);
    }
    if (path === '/feeds/transitions.atom') {
      const views = await fleetViews(storage, now(), staleAfterSec);
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

const PLACEHOLDER = `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>pima-hub</title></head>
<body><h1>pima-hub</h1>
<p>The fleet dashboard is coming. Meanwhile: <a href="/api/points">/api/points</a>,
<a href="/feeds/points.geojson">/feeds/points.geojson</a>,
<a href="/feeds/transitions.atom">/feeds/transitions.atom</a>.</p>
</body></html>
`;
