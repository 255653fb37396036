import type { IncomingMessage, Server, ServerResponse } from 'node:http';
import type { KioskConfig } from '../config/schema.js';
import type { Clock } from '../core/clock.js';
import { errorMessage } from '../core/errors.js';
import type { Logger } from '../core/logger.js';
import { pagePatterns } from '../sign/pattern.js';
import { AddressBudget } from './address-budget.js';
import { TechAuth } from './auth.js';
import { HostAllowlist } from './host-allowlist.js';
import { HttpError, sendError } from './http.js';
import { messagesFor, notOfferedTexts } from './i18n/index.js';
import { addressOf, guardedServer, listen } from './listeners.js';
import { ORPHAN_AFTER_MS, STATUS_POLL_MS } from './liveness.js';
import { PinFile } from './pin-file.js';
import { apiRoutes, liveTopics } from './routes/api.js';
import type { Route } from './routes/route.js';
import { techRoutes } from './routes/tech.js';
import { SseHub } from './sse.js';
import { StaticAssets } from './static.js';
import { loadTechTls, plainPinExposure, type TechTls } from './tls-cert.js';
import type { WebSources } from './types.js';

export interface WebServerContext {
  web: KioskConfig['web'];
  point: KioskConfig['point'];
  sources: WebSources;
  /** The service clock: "now" for history ranges (simulated time in a simulation). */
  clock: Clock;
  logger: Logger;
  /** Real time for sessions and lockouts; Date.now by default. */
  realNow?: () => number;
}

const SSE_POLL_MS = 250;
const SSE_PING_MS = 15_000;

/**
 * The local status page and its API on node:http. The constructor only assigns; start() reads the assets
 * and the PIN file and binds the port; stop() closes every connection and is safe to call twice.
 */
export class WebServer {
  private server: Server | undefined;
  private httpsServer: Server | undefined;
  private readonly assets = new StaticAssets();
  private sse: SseHub | undefined;
  private routes: Route[] = [];
  private hosts: HostAllowlist | undefined;

  constructor(private readonly ctx: WebServerContext) {}

  async start(): Promise<void> {
    if (this.server) return;
    const { web, logger } = this.ctx;
    this.assets.load();
    const pinFile = web.pinFile === undefined ? undefined : new PinFile(web.pinFile, web.pinMinLength);
    const auth = new TechAuth({
      pin: pinFile && (() => pinFile.current()),
      now: this.ctx.realNow ?? Date.now,
      events: (e) => this.ctx.sources.events.log(e),
      logger,
    });
    // says at start whether /tech is locked (and why); later changes of the file are logged as they are seen
    void auth.access;
    const { limits } = web;
    this.hosts = new HostAllowlist(web.allowedHosts, web.host, this.ctx.realNow ?? Date.now);
    const sse = new SseHub({
      topics: liveTopics(this.ctx),
      pollMs: SSE_POLL_MS,
      // a ping is traffic: it keeps an open stream from reaching the idle timeout
      pingMs: Math.min(SSE_PING_MS, Math.floor(limits.idleTimeoutMs / 2)),
      slots: limits.liveStreams,
      backlogBytes: limits.streamBacklogBytes,
    });
    this.sse = sse;
    const exposed = plainPinExposure(web);
    if (exposed) logger.warn(exposed);
    // HTTPS (web.https): a key that cannot be used leaves only plain HTTP, where visitors cannot sign in
    let tls: TechTls | undefined;
    let tlsProblem: string | undefined;
    if (web.https) {
      try {
        tls = loadTechTls(web.https);
      } catch (err) {
        tlsProblem = errorMessage(err);
        logger.error(
          `HTTPS for /tech unusable, the PIN is refused except from the kiosk screen: ${tlsProblem}`,
        );
      }
    }
    this.routes = [
      ...apiRoutes({ sources: this.ctx.sources, clock: this.ctx.clock, sse, meta: () => this.meta(auth) }),
      ...techRoutes({
        sources: this.ctx.sources,
        auth,
        clock: this.ctx.clock,
        https: web.https && {
          port: () => this.httpsAddress()?.port ?? web.https?.port ?? 0,
          fingerprint: tls?.fingerprint,
          problem: tlsProblem,
        },
      }),
    ];
    const handler = (req: IncomingMessage, res: ServerResponse) => void this.handle(req, res);
    // One budget for both listeners: a flood on one cannot take more than its share of the other.
    const connections = new AddressBudget(limits.connections);
    const server = guardedServer(limits, connections, handler);
    await listen(server, web.port, web.host);
    server.on('error', (err) => logger.error('status page server error', { error: err }));
    this.server = server;
    if (web.https && tls) {
      const secure = guardedServer(limits, connections, handler, tls);
      try {
        await listen(secure, web.https.port, web.host);
        secure.on('error', (err) => logger.error('status page HTTPS server error', { error: err }));
        this.httpsServer = secure;
      } catch (err) {
        logger.error(errorMessage(err));
      }
    }
    sse.start();
    const a = this.address();
    logger.info(`status page on http://${a?.host}:${a?.port}/ (technician view /tech)`);
    const h = this.httpsAddress();
    if (h && tls)
      logger.info(
        `technician view on https://${h.host}:${h.port}/tech, certificate SHA-256 ${tls.fingerprint}`,
      );
  }

  async stop(): Promise<void> {
    const servers = [this.server, this.httpsServer];
    this.server = undefined;
    this.httpsServer = undefined;
    this.sse?.stop();
    await Promise.all(
      servers.map(
        (server) =>
          server &&
          new Promise<void>((resolve) => {
            server.close(() => resolve());
            server.closeAllConnections();
          }),
      ),
    );
  }

  /** Where it listens, once started (the real port when the config says 0). */
  address(): { host: string; port: number } | undefined {
    return addressOf(this.server);
  }

  /** Where the HTTPS listener is, when web.https is set and its certificate was usable. */
  httpsAddress(): { host: string; port: number } | undefined {
    return addressOf(this.httpsServer);
  }

  private async handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    try {
      if (!this.hosts?.allows(req.headers.host)) {
        throw new HttpError(
          421,
          `this point does not answer to ${JSON.stringify(req.headers.host)}: use its address, or add the name to web.allowedHosts`,
        );
      }
      const url = new URL(req.url ?? '/', 'http://localhost');
      const path = url.pathname;
      const route = this.routes.find((r) => r.path === path && r.method === req.method);
      if (route) return await route.handle(req, res, url);
      const allowed: string[] = this.routes.filter((r) => r.path === path).map((r) => r.method);
      if (this.assets.has(path)) allowed.push('GET');
      if (allowed.length > 0 && !allowed.includes(req.method ?? '')) {
        throw new HttpError(405, `${req.method} is not allowed here`, { Allow: allowed.join(', ') });
      }
      if (this.assets.has(path)) return this.assets.serve(req, res, path);
      throw new HttpError(404, `nothing at ${path}`);
    } catch (err) {
      const httpErr = err instanceof HttpError ? err : new HttpError(500, 'internal error');
      if (!(err instanceof HttpError)) this.ctx.logger.error('status page request failed', { error: err });
      if (res.headersSent) res.end();
      else sendError(res, httpErr);
    }
  }

  private meta(auth: TechAuth): Record<string, unknown> {
    const { web, point } = this.ctx;
    const patterns = pagePatterns();
    return {
      point: {
        id: point.id,
        name: point.name,
        capacity: point.capacity,
        timezone: point.timezone,
        ...(point.contact ? { contact: point.contact } : {}),
        ...(web.elsewhere ? { elsewhere: web.elsewhere } : {}),
      },
      languages: web.languages,
      rotateSec: web.rotateSec,
      messages: messagesFor(web.languages),
      notOffered: notOfferedTexts(),
      patterns,
      liveness: {
        orphanAfterMs: ORPHAN_AFTER_MS,
        pollMs: STATUS_POLL_MS,
        statusMaxAgeMs: this.ctx.sources.status.maxAgeMs,
      },
      techAccess: auth.access,
    };
  }
}
