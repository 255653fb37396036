import type { IncomingMessage } from 'node:http';
import { issuesText, OPERATOR_ARGS } from '../../contract/commands.js';
import type { Clock } from '../../core/clock.js';
import { isScreenAddress } from '../address-budget.js';
import { clearedCookie, sameOriginAs, sessionCookie, type TechAuth } from '../auth.js';
import { hostOf } from '../host-allowlist.js';
import { HttpError, queryParams, readJsonBody, sendJson } from '../http.js';
import type { WebSources } from '../types.js';
import type { Route } from './route.js';

export interface TechContext {
  sources: WebSources;
  auth: TechAuth;
  clock: Clock;
  /** web.https is set: the PIN travels only over it (or from the kiosk screen on the device itself). */
  https?: { port: () => number; fingerprint?: string | undefined; problem?: string | undefined } | undefined;
}

/** The technician's view: read with the PIN (when one is set); acknowledging alarms always needs it. */
export function techRoutes(ctx: TechContext): Route[] {
  const { auth } = ctx;
  return [
    {
      method: 'GET',
      path: '/api/tech/session',
      handle: (req, res, url) => {
        queryParams(url, []);
        const s = auth.session(req);
        const reason = auth.lockedReason;
        sendJson(res, 200, {
          access: auth.access,
          ...(reason ? { lockedReason: reason } : {}),
          signedIn: s !== undefined,
          canView: auth.access === 'open' || s !== undefined,
          canAcknowledge: auth.access !== 'open' && s !== undefined,
          ...(s ? { csrf: s.csrf } : {}),
        });
      },
    },
    {
      method: 'POST',
      path: '/api/tech/login',
      handle: async (req, res) => {
        sameOrigin(req);
        const secure = encrypted(req);
        if (ctx.https && !secure && !isScreenAddress(req.socket.remoteAddress)) {
          const { port, fingerprint, problem } = ctx.https;
          const where = problem
            ? `HTTPS is configured but unusable (${problem})`
            : `use https://${hostOf(req.headers.host ?? '') ?? 'this-point'}:${port()}/tech (certificate SHA-256 ${fingerprint}, compare it with \`pima-kiosk tech-cert\` on the point)`;
          throw new HttpError(403, `the PIN is not accepted over plain HTTP here: ${where}`);
        }
        const body = await readJsonBody(req);
        const { token, csrf } = auth.login(body.pin, client(req));
        sendJson(res, 200, { signedIn: true, csrf }, { 'Set-Cookie': sessionCookie(token, secure) });
      },
    },
    {
      method: 'POST',
      path: '/api/tech/logout',
      handle: (req, res) => {
        sameOrigin(req);
        auth.logout(req);
        sendJson(res, 200, { signedIn: false }, { 'Set-Cookie': clearedCookie() });
      },
    },
    {
      method: 'GET',
      path: '/api/tech/overview',
      handle: (req, res, url) => {
        queryParams(url, []);
        auth.requireView(req);
        const status = ctx.sources.status.latest();
        sendJson(res, 200, {
          // the service clock: "today" for the page's dates
          now: ctx.clock.now(),
          status: status ?? null,
          alarms: ctx.sources.alarms.active(),
          sensors: ctx.sources.health.sensors(),
          devices: ctx.sources.health.devices(),
          events: ctx.sources.health.recentEvents(20),
        });
      },
    },
    {
      method: 'POST',
      path: '/api/tech/alarms/ack',
      handle: async (req, res) => {
        auth.requireChange(req);
        const body = await readJsonBody(req);
        const id = body.id;
        // the limits of every source (src/contract/commands.ts), so the page, the CLI and MQTT agree
        const args = OPERATOR_ARGS['alarm.ack'].safeParse({ alarm: id });
        if (typeof id !== 'string' || !args.success) {
          throw new HttpError(
            400,
            `id must be the alarm id${args.error ? `: ${issuesText(args.error)}` : ''}`,
          );
        }
        if (!ctx.sources.alarms.active().some((a) => a.id === id)) {
          throw new HttpError(404, `no active alarm ${JSON.stringify(id)}`);
        }
        const outcome = await ctx.sources.alarms.acknowledge(id, `tech page ${client(req)}`);
        if (!outcome.ok) throw new HttpError(409, outcome.text);
        sendJson(res, 200, { ok: true, id, result: outcome.text });
      },
    },
  ];
}

function encrypted(req: IncomingMessage): boolean {
  return (req.socket as { encrypted?: boolean }).encrypted === true;
}

function client(req: IncomingMessage): string {
  return req.socket.remoteAddress ?? 'unknown';
}

function sameOrigin(req: IncomingMessage): void {
  const origin = req.headers.origin;
  if (origin !== undefined && !sameOriginAs(req, origin)) {
    throw new HttpError(403, 'cross-origin requests are refused');
  }
}
