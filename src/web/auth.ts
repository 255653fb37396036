import { createHash, randomBytes, timingSafeEqual } from 'node:crypto';
import { readFileSync, statSync } from 'node:fs';
import type { IncomingMessage } from 'node:http';
import { HttpError } from './http.js';

export const SESSION_COOKIE = 'pima_tech';
const SESSION_MS = 12 * 3_600_000;
const MAX_FAILURES = 5;
const LOCKOUT_MS = 60_000;
const MAX_SESSIONS = 100;

/** `open`: no PIN configured (read-only /tech); `pin`: a PIN guards /tech; `locked`: the PIN file is unusable. */
export type TechAccess = 'open' | 'pin' | 'locked';

export type PinLoad = { ok: true; pin: string } | { ok: false; error: string };

/** Reads the technician PIN: 4..12 digits in a file that others cannot read. */
export function loadPinFile(path: string): PinLoad {
  try {
    const mode = statSync(path).mode;
    if ((mode & 0o004) !== 0) return { ok: false, error: `${path} is world-readable; chmod 600 it` };
    const pin = readFileSync(path, 'utf8').trim();
    if (!/^\d{4,12}$/.test(pin)) return { ok: false, error: `${path} must hold a PIN of 4 to 12 digits` };
    return { ok: true, pin };
  } catch (err) {
    return { ok: false, error: `cannot read ${path}: ${(err as NodeJS.ErrnoException).code ?? String(err)}` };
  }
}

interface Session {
  csrf: string;
  expiresAt: number;
}

export interface TechAuthOptions {
  /** undefined: no PIN configured; a PinLoad otherwise. */
  pin: PinLoad | undefined;
  /** Real time for session expiry and lockouts (simulated clocks run ahead). */
  now: () => number;
}

/**
 * The technician's sessions. The PIN is exchanged for an HttpOnly, SameSite=Strict cookie; every
 * state-changing request must also carry the session's CSRF token in a header, as JSON, from this origin.
 */
export class TechAuth {
  readonly access: TechAccess;
  private readonly pinHash: Buffer | undefined;
  private readonly sessions = new Map<string, Session>();
  private readonly failures = new Map<string, { count: number; lockedUntil: number }>();

  constructor(private readonly opts: TechAuthOptions) {
    if (!opts.pin) this.access = 'open';
    else if (opts.pin.ok) this.access = 'pin';
    else this.access = 'locked';
    this.pinHash = opts.pin?.ok ? hash(opts.pin.pin) : undefined;
  }

  /** Checks a PIN; on success returns the new session's token and CSRF token. */
  login(pin: unknown, client: string): { token: string; csrf: string } {
    if (this.access === 'open') throw new HttpError(400, 'no PIN is configured; /tech needs no sign-in');
    const now = this.opts.now();
    const f = this.failures.get(client);
    if (f && f.lockedUntil > now) {
      const retry = Math.ceil((f.lockedUntil - now) / 1000);
      throw new HttpError(429, 'too many wrong PINs; try again later', { 'Retry-After': String(retry) });
    }
    if (typeof pin !== 'string' || !this.pinHash || !timingSafeEqual(hash(pin), this.pinHash)) {
      this.fail(client, now);
      throw new HttpError(
        401,
        this.access === 'locked' ? 'the PIN file is unusable; see the service log' : 'wrong PIN',
      );
    }
    this.failures.delete(client);
    this.prune(now);
    const token = randomBytes(32).toString('base64url');
    const csrf = randomBytes(32).toString('base64url');
    this.sessions.set(token, { csrf, expiresAt: now + SESSION_MS });
    return { token, csrf };
  }

  logout(req: IncomingMessage): void {
    const token = cookie(req, SESSION_COOKIE);
    if (token) this.sessions.delete(token);
  }

  /** The CSRF token of the request's session, if it has a live one. */
  session(req: IncomingMessage): { csrf: string } | undefined {
    const token = cookie(req, SESSION_COOKIE);
    const s = token ? this.sessions.get(token) : undefined;
    if (!s) return undefined;
    if (s.expiresAt <= this.opts.now()) {
      if (token) this.sessions.delete(token);
      return undefined;
    }
    return { csrf: s.csrf };
  }

  /** Viewing /tech data: free without a PIN, else a session. */
  requireView(req: IncomingMessage): void {
    if (this.access !== 'open' && !this.session(req))
      throw new HttpError(401, 'sign in with the technician PIN');
  }

  /** Changing state (acknowledging an alarm): always a PIN session, a CSRF token and this origin. */
  requireChange(req: IncomingMessage): void {
    if (this.access === 'open') {
      throw new HttpError(403, 'acknowledging needs a technician PIN: set web.pinFile in the config');
    }
    const s = this.session(req);
    if (!s) throw new HttpError(401, 'sign in with the technician PIN');
    const origin = req.headers.origin;
    if (origin !== undefined && origin !== `http://${req.headers.host ?? ''}`) {
      throw new HttpError(403, 'cross-origin requests are refused');
    }
    const sent = req.headers['x-csrf-token'];
    if (typeof sent !== 'string' || !safeEqual(sent, s.csrf))
      throw new HttpError(403, 'missing or wrong CSRF token');
  }

  private fail(client: string, now: number): void {
    if (this.failures.size > 1000) this.failures.clear();
    const f = this.failures.get(client) ?? { count: 0, lockedUntil: 0 };
    f.count += 1;
    if (f.count >= MAX_FAILURES) {
      f.count = 0;
      f.lockedUntil = now + LOCKOUT_MS;
    }
    this.failures.set(client, f);
  }

  private prune(now: number): void {
    for (const [token, s] of this.sessions) if (s.expiresAt <= now) this.sessions.delete(token);
    while (this.sessions.size >= MAX_SESSIONS) {
      const oldest = this.sessions.keys().next().value;
      if (oldest === undefined) break;
      this.sessions.delete(oldest);
    }
  }
}

export function sessionCookie(token: string): string {
  return `${SESSION_COOKIE}=${token}; Path=/; HttpOnly; SameSite=Strict; Max-Age=${SESSION_MS / 1000}`;
}

export function clearedCookie(): string {
  return `${SESSION_COOKIE}=; Path=/; HttpOnly; SameSite=Strict; Max-Age=0`;
}

function cookie(req: IncomingMessage, name: string): string | undefined {
  for (const part of (req.headers.cookie ?? '').split(';')) {
    const [k, ...v] = part.trim().split('=');
    if (k === name) return v.join('=');
  }
  return undefined;
}

function hash(text: string): Buffer {
  return createHash('sha256').update(text, 'utf8').digest();
}

function safeEqual(a: string, b: string): boolean {
  return timingSafeEqual(hash(a), hash(b));
}
