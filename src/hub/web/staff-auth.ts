/**
 * The crisis staff's sessions, as careful as the point's /tech (src/web/auth.ts): a name and password
 * (scrypt, password.ts) are exchanged for an HttpOnly, SameSite=Strict cookie; every change must also
 * carry the session's CSRF token in a header, as JSON, from this origin; wrong passwords spend a
 * per-network and a global budget (PinGuard). Roles: a viewer sees, an operator also acts.
 */
import { randomBytes } from 'node:crypto';
import type { IncomingMessage } from 'node:http';
import { pruneSessions } from '../../core/session-table.js';
import { cookie, safeEqual, sameOriginAs } from '../../web/auth.js';
import { HttpError } from '../../web/http.js';
import { PinGuard } from '../../web/pin-guard.js';
import type { HubStorage, StaffRole } from '../storage/types.js';
import { DUMMY_HASH, verifyPassword } from './password.js';

export const STAFF_COOKIE = 'pima_staff';
const SESSION_MS = 12 * 3_600_000;
const MAX_SESSIONS = 1000;

export interface StaffSession {
  name: string;
  role: StaffRole;
  csrf: string;
}

interface Stored extends StaffSession {
  expiresAt: number;
}

export class StaffAuth {
  private readonly sessions = new Map<string, Stored>();

  constructor(
    private readonly storage: HubStorage,
    /** Real time for expiry and lockouts. */
    private readonly now: () => number,
    private readonly guard: PinGuard = new PinGuard(),
  ) {}

  /** Checks name and password; on success a new session's token and CSRF token. */
  async login(name: unknown, password: unknown, client: string): Promise<{ token: string } & StaffSession> {
    const now = this.now();
    const verdict = this.guard.check(client, now);
    if (!verdict.ok) {
      const retry = Math.ceil(verdict.retryMs / 1000);
      throw new HttpError(429, `too many wrong passwords; try again in ${retry} s`, {
        'Retry-After': String(retry),
      });
    }
    if (typeof name !== 'string' || typeof password !== 'string' || name === '' || name.length > 100) {
      throw new HttpError(400, 'name and password are required');
    }
    const user = await this.storage.user(name);
    // the same scrypt work for an unknown name: the answer's time does not tell which names exist
    const ok = await verifyPassword(password, user?.passwordHash ?? DUMMY_HASH);
    if (!user || !ok) {
      this.guard.failed(client, now);
      throw new HttpError(401, 'wrong name or password');
    }
    this.guard.succeeded(client);
    pruneSessions(this.sessions, now, MAX_SESSIONS);
    const token = randomBytes(32).toString('base64url');
    const session = { name: user.name, role: user.role, csrf: randomBytes(32).toString('base64url') };
    this.sessions.set(token, { ...session, expiresAt: now + SESSION_MS });
    return { token, ...session };
  }

  logout(req: IncomingMessage): void {
    const token = cookie(req, STAFF_COOKIE);
    if (token) this.sessions.delete(token);
  }

  session(req: IncomingMessage): StaffSession | undefined {
    const token = cookie(req, STAFF_COOKIE);
    const s = token ? this.sessions.get(token) : undefined;
    if (!s || !token) return undefined;
    if (s.expiresAt <= this.now()) {
      this.sessions.delete(token);
      return undefined;
    }
    return { name: s.name, role: s.role, csrf: s.csrf };
  }

  /** Seeing the dashboard: any signed-in staff member. */
  requireView(req: IncomingMessage): StaffSession {
    const s = this.session(req);
    if (!s) throw new HttpError(401, 'sign in to see the dashboard');
    return s;
  }

  /** Acting: an operator, with the session's CSRF token, from this origin. */
  requireOperator(req: IncomingMessage): StaffSession {
    const s = this.requireView(req);
    const origin = req.headers.origin;
    if (origin !== undefined && !sameOriginAs(req, origin))
      throw new HttpError(403, 'cross-origin requests are refused');
    const sent = req.headers['x-csrf-token'];
    if (typeof sent !== 'string' || !safeEqual(sent, s.csrf))
      throw new HttpError(403, 'missing or wrong CSRF token');
    if (s.role !== 'operator') throw new HttpError(403, 'only an operator may do this');
    return s;
  }

  /** Signing out: the session's CSRF token too, so another site cannot sign a user out. */
  requireSession(req: IncomingMessage): StaffSession {
    const s = this.requireView(req);
    const sent = req.headers['x-csrf-token'];
    if (typeof sent !== 'string' || !safeEqual(sent, s.csrf))
      throw new HttpError(403, 'missing or wrong CSRF token');
    return s;
  }
}

export function staffCookie(token: string, secure: boolean): string {
  const flags = secure ? '; Secure' : '';
  return `${STAFF_COOKIE}=${token}; Path=/; HttpOnly; SameSite=Strict; Max-Age=${SESSION_MS / 1000}${flags}`;
}

export function clearedStaffCookie(): string {
  return `${STAFF_COOKIE}=; Path=/; HttpOnly; SameSite=Strict; Max-Age=0`;
}
