/**
 * What the crisis staff do through the dashboard: sign in and out, send a point a command (its retained
 * desired state), broadcast an announcement to all points or a selection, and read the audit log.
 * Every change needs an operator's session, its CSRF token and this origin (staff-auth.ts); every
 * command and sign-in is audited in the hub's database.
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import { z } from 'zod';
import { AnnouncementTranslations, MODES } from '../../contract/common.js';
import { HttpError, readJsonBody, sendJson } from '../../web/http.js';
import type { DesiredChange } from '../fleet/desired.js';
import { issueDesired, type PublishDesired } from '../fleet/issue-desired.js';
import type { HubStorage } from '../storage/types.js';
import { clearedStaffCookie, type StaffAuth, staffCookie } from './staff-auth.js';

const AUDIT_ROWS = 200;
const MAX_EXPIRY_MIN = 7 * 24 * 60;

const Expiry = z.int().min(1).max(MAX_EXPIRY_MIN).optional();
const Command = z.discriminatedUnion('kind', [
  z.strictObject({ kind: z.literal('mode'), mode: z.enum(MODES), reason: z.string().max(200).optional() }),
  z.strictObject({ kind: z.literal('capacity'), capacity: z.int().min(1).max(10_000) }),
  z.strictObject({
    kind: z.literal('announce'),
    text: z.string().max(280),
    translations: AnnouncementTranslations.optional(),
    expiresInMin: Expiry,
  }),
]);
const Broadcast = z.strictObject({
  text: z.string().max(280),
  translations: AnnouncementTranslations.optional(),
  expiresInMin: Expiry,
  /** All points, the ones listed, or the ones whose name, id or address contains the text (a district). */
  target: z.union([
    z.strictObject({ all: z.literal(true) }),
    z.strictObject({ ids: z.array(z.string().min(1).max(128)).min(1).max(100) }),
    z.strictObject({ match: z.string().min(2).max(100) }),
  ]),
});

export interface StaffApiOptions {
  storage: HubStorage;
  auth: StaffAuth;
  publish: PublishDesired | undefined;
  now: () => number;
  /** The points a broadcast may reach, as the dashboard shows them. */
  points: () => ReadonlyArray<{ id: string; name: string; address: string | null }>;
  /** A point's stored desired state changed: the dashboard shows the command as pending at once. */
  touched?: ((point: string) => void) | undefined;
}

export class StaffApi {
  constructor(private readonly opts: StaffApiOptions) {}

  /** Answers the request if it is one of the staff's; false when the path is not. */
  async handle(req: IncomingMessage, res: ServerResponse, path: string): Promise<boolean> {
    const { auth } = this.opts;
    const method = req.method ?? 'GET';
    if (path === '/api/session') {
      if (method === 'GET') {
        const s = auth.session(req);
        if (!s) throw new HttpError(401, 'not signed in');
        sendJson(res, 200, s);
      } else if (method === 'POST') await this.signIn(req, res);
      else if (method === 'DELETE') {
        const s = auth.requireSession(req);
        auth.logout(req);
        await this.audit(s.name, 'signout', null, {}, 'ok');
        sendJson(res, 200, { ok: true }, { 'Set-Cookie': clearedStaffCookie() });
      } else throw new HttpError(405, `${method} is not allowed here`, { Allow: 'GET, POST, DELETE' });
      return true;
    }
    const command = /^\/api\/points\/([^/]+)\/desired$/.exec(path);
    if (command?.[1]) {
      onlyPost(method);
      await this.command(req, res, decodeURIComponent(command[1]));
      return true;
    }
    if (path === '/api/broadcast') {
      onlyPost(method);
      await this.broadcast(req, res);
      return true;
    }
    if (path === '/api/audit') {
      auth.requireView(req);
      const rows = await this.opts.storage.auditLog(AUDIT_ROWS);
      sendJson(
        res,
        200,
        rows.map((r) => ({ ...r, ts: new Date(r.ts).toISOString() })),
      );
      return true;
    }
    return false;
  }

  private async signIn(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const body = await readJsonBody(req);
    const client = req.socket.remoteAddress ?? 'unknown';
    try {
      const s = await this.opts.auth.login(body.name, body.password, client);
      await this.audit(s.name, 'signin', null, { client }, 'ok');
      const secure = Boolean((req.socket as { encrypted?: boolean }).encrypted);
      sendJson(
        res,
        200,
        { name: s.name, role: s.role, csrf: s.csrf },
        { 'Set-Cookie': staffCookie(s.token, secure) },
      );
    } catch (err) {
      if (err instanceof HttpError && err.status === 401) {
        const name = typeof body.name === 'string' ? body.name.slice(0, 100) : '';
        await this.audit(name, 'signin', null, { client }, 'wrong name or password');
      }
      throw err;
    }
  }

  private async command(req: IncomingMessage, res: ServerResponse, point: string): Promise<void> {
    const s = this.opts.auth.requireOperator(req);
    const parsed = Command.safeParse(await readJsonBody(req));
    if (!parsed.success) throw new HttpError(400, `invalid command: ${z.prettifyError(parsed.error)}`);
    if (!(await this.opts.storage.point(point)))
      throw new HttpError(404, `no point ${JSON.stringify(point)}`);
    const now = this.opts.now();
    const out = await issueDesired(this.opts.storage, this.publisher(), {
      point,
      change: toChange(parsed.data, now),
      actor: s.name,
      now,
    });
    this.opts.touched?.(point);
    if (!out.ok) throw new HttpError(out.stage === 'invalid' ? 400 : 502, out.error);
    sendJson(res, 200, { id: out.id, desired: out.desired });
  }

  private async broadcast(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const s = this.opts.auth.requireOperator(req);
    const parsed = Broadcast.safeParse(await readJsonBody(req));
    if (!parsed.success) throw new HttpError(400, `invalid broadcast: ${z.prettifyError(parsed.error)}`);
    const { text, translations, expiresInMin, target } = parsed.data;
    const all = this.opts.points();
    const known = new Set(all.map((p) => p.id));
    let ids: string[];
    if ('all' in target) ids = all.map((p) => p.id);
    else if ('ids' in target) {
      const unknown = target.ids.filter((id) => !known.has(id));
      if (unknown.length > 0) throw new HttpError(400, `no such points: ${unknown.join(', ')}`);
      ids = [...new Set(target.ids)];
    } else {
      const m = target.match.toLowerCase();
      ids = all
        .filter((p) => `${p.name} ${p.id} ${p.address ?? ''}`.toLowerCase().includes(m))
        .map((p) => p.id);
    }
    if (ids.length === 0) throw new HttpError(400, 'the selection has no points');
    const now = this.opts.now();
    const change = toChange({ kind: 'announce', text, translations, expiresInMin }, now);
    const results: Array<{ point: string; id: string; ok: boolean; error?: string }> = [];
    // one at a time: each publish is one short broker connection with the hub's publisher id
    for (const point of ids) {
      const out = await issueDesired(this.opts.storage, this.publisher(), {
        point,
        change,
        actor: s.name,
        now,
      });
      this.opts.touched?.(point);
      results.push(
        out.ok ? { point, id: out.id, ok: true } : { point, id: out.id, ok: false, error: out.error },
      );
    }
    sendJson(res, 200, { results });
  }

  private publisher(): PublishDesired {
    const publish = this.opts.publish;
    if (!publish) throw new HttpError(503, 'this hub has no broker to publish to');
    return publish;
  }

  private async audit(actor: string, action: string, point: string | null, detail: unknown, result: string) {
    await this.opts.storage.appendAudit({
      ts: this.opts.now(),
      actor,
      action,
      point,
      detail: JSON.stringify(detail),
      result,
    });
  }
}

function onlyPost(method: string): void {
  if (method !== 'POST') throw new HttpError(405, `${method} is not allowed here`, { Allow: 'POST' });
}

function toChange(c: z.infer<typeof Command>, now: number): DesiredChange {
  if (c.kind === 'mode') return { kind: 'mode', mode: c.mode, reason: c.reason };
  if (c.kind === 'capacity') return { kind: 'capacity', capacity: c.capacity };
  return {
    kind: 'announce',
    text: c.text,
    translations: c.translations,
    expiresAt:
      c.expiresInMin === undefined ? undefined : new Date(now + c.expiresInMin * 60_000).toISOString(),
  };
}
