import type { Clock } from '../../core/clock.js';
import { downsample, parseHistoryQuery } from '../history.js';
import { HttpError, queryParams, sendJson } from '../http.js';
import type { SseHub } from '../sse.js';
import type { WebSources } from '../types.js';
import type { Route } from './route.js';

export interface ApiContext {
  sources: WebSources;
  clock: Clock;
  sse: SseHub;
  /** Point, languages, texts and sign patterns: what the page needs to draw itself. */
  meta: () => Record<string, unknown>;
}

/** The public, read-only API: nothing here changes the point. */
export function apiRoutes(ctx: ApiContext): Route[] {
  return [
    {
      method: 'GET',
      path: '/api/meta',
      handle: (_req, res, url) => {
        queryParams(url, []);
        sendJson(res, 200, ctx.meta());
      },
    },
    {
      method: 'GET',
      path: '/api/status',
      handle: (_req, res, url) => {
        queryParams(url, []);
        const status = ctx.sources.status.latest();
        if (!status) throw new HttpError(503, 'the point has no status yet', { 'Retry-After': '1' });
        // The service clock, so the page can tell how old the status is without trusting its own clock.
        sendJson(res, 200, status, { 'X-Point-Time': new Date(ctx.clock.now()).toISOString() });
      },
    },
    {
      method: 'GET',
      path: '/api/announcement',
      handle: (_req, res, url) => {
        queryParams(url, []);
        sendJson(res, 200, { announcement: announcementJson(ctx) });
      },
    },
    {
      method: 'GET',
      path: '/api/history',
      handle: (_req, res, url) => {
        const now = ctx.clock.now();
        const q = parseHistoryQuery(url, now);
        const { history } = ctx.sources;
        sendJson(
          res,
          200,
          downsample(history.readings(q.channel, q.sinceMs, q.untilMs), q, history.staleMs, now),
        );
      },
    },
    {
      method: 'GET',
      path: '/api/events',
      handle: (req, res, url) => {
        queryParams(url, []);
        ctx.sse.add(req, res);
      },
    },
  ];
}

/** The live topics of the event stream: the status message and the announcement. */
export function liveTopics(ctx: Pick<ApiContext, 'sources'>): () => Record<string, unknown> {
  return () => ({ status: ctx.sources.status.latest() ?? null, announcement: announcementJson(ctx) });
}

function announcementJson(ctx: Pick<ApiContext, 'sources'>): Record<string, unknown> | null {
  const a = ctx.sources.announcements.current();
  if (!a) return null;
  return {
    text: a.text,
    ...(a.translations ? { translations: a.translations } : {}),
    ts: new Date(a.ts).toISOString(),
    ...(a.expiresAt !== undefined ? { expiresAt: new Date(a.expiresAt).toISOString() } : {}),
  };
}
