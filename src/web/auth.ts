import { createHash, randomBytes, timingSafeEqual } from 'node:crypto';
import type { IncomingMessage } from 'node:http';
import type { PointEvent } from '../core/events.js';
import type { Logger } from '../core/logger.js';
import { pruneSessions } from '../core/session-table.js';
import { HttpError } from './http.js';
import type { PinLoad } from './pin-file.js';
import { type FailureOutcome, networkOf, PinGuard } from './pin-guard.js';

export const SESSION_COOKIE = 'pima_tech';
const SESSION_MS = 12 * 3_600_000;
const MAX_SESSIONS = 100;

/** `open`: no PIN configured (read-only /tech); `pin`: a PIN guards /tech; `locked`: the PIN file is unusable. */
export type TechAccess = 'open' | 'pin' | 'locked';

/** Sign-ins go into the point log (never the PIN itself). */
export type SignInEvents = (event: Omit<PointEvent, 'ts'>) => void;

interface Session {
  csrf: string;
  expiresAt: number;
}

export interface TechAuthOptions {
  /** undefined: no PIN configured; else the PIN file as it is now (looked at on every use). */
  pin: (() => PinLoad) | undefined;
  /** Real time for session expiry and lockouts (simulated clocks run ahead). */
  now: () => number;
  guard?: PinGuard;
  events?: SignInEvents;
  logger?: Logger;
}

/**
 * The technician's sessions. The PIN is exchanged for an HttpOnly, SameSite=Strict cookie; every
 * state-changing request must also carry the session's CSRF token in a header, as JSON, from this origin.
 * Wrong PINs spend a per-network and a global budget (PinGuard); every sign-in and failure is logged.
 */
export class TechAuth {
  private readonly sessions = new Map<string, Session>();
  private readonly guard: PinGuard;
  private lastProblem: string | undefined;
  private pinHash: Buffer | undefined;

  constructor(private readonly opts: TechAuthOptions) {
    this.guard = opts.guard ?? new PinGuard();
  }

  get access(): TechAccess {
    return this.state().access;
  }

  /** Why /tech is locked, for the technician (the file and what to do), when it is. */
  get lockedReason(): string | undefined {
    return this.state().reason;
  }

  /** Checks a PIN; on success returns the new session's token and CSRF token. */
  login(pin: unknown, client: string): { token: string; csrf: string } {
    const { access, reason, hash: pinHash } = this.state();
    if (access === 'open') throw new HttpError(400, 'no PIN is configured; /tech needs no sign-in');
    if (access === 'locked' || !pinHash) {
      throw new HttpError(503, `sign-in is locked: ${reason ?? 'the PIN file is unusable'}`);
    }
    const now = this.opts.now();
    const verdict = this.guard.check(client, now);
    if (!verdict.ok) {
      const retry = Math.ceil(verdict.retryMs / 1000);
      const who = verdict.scope === 'network' ? 'from your network' : 'from every network';
      throw new HttpError(429, `too many wrong PINs ${who}; try again in ${retry} s`, {
        'Retry-After': String(retry),
      });
    }
    if (typeof pin !== 'string' || !timingSafeEqual(hash(pin), pinHash)) {
      this.failed(client, this.guard.failed(client, now));
      throw new HttpError(401, 'wrong PIN');
    }
    this.guard.succeeded(client);
    this.opts.events?.({
      type: 'tech.signin',
      level: 'info',
      message: `technician signed in from ${client}`,
      data: { client, network: networkOf(client) },
    });
    pruneSessions(this.sessions, now, MAX_SESSIONS);
    const token = randomBytes(32).toString('base64url');
    const csrf = randomBytes(32).toString('base64url');
    this.sessions.set(token, { csrf, expiresAt: now + SESSION_MS });
    return { token, csrf };
  }

  logout(req: IncomingMessage): void {
    const token = cookie(req, SESSION_COOKIE);
    if (token) this.sessions.delete(token);
  }

  /** The CSRF token of the request's session, if it has a live one (and the PIN is still usable). */
  session(req: IncomingMessage): { csrf: string } | undefined {
    const token = cookie(req, SESSION_COOKIE);
    const s = token ? this.sessions.get(token) : undefined;
    if (!s || this.state().access !== 'pin') return undefined;
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
    if (origin !== undefined && !sameOriginAs(req, origin)) {
      throw new HttpError(403, 'cross-origin requests are refused');
    }
    const sent = req.headers['x-csrf-token'];
    if (typeof sent !== 'string' || !safeEqual(sent, s.csrf))
      throw new HttpError(403, 'missing or wrong CSRF token');
  }

  /** The PIN file as it is now; a change of PIN ends every session, a new problem is logged once. */
  private state(): { access: TechAccess; reason?: string; hash?: Buffer } {
    const pin = this.opts.pin?.();
    if (!pin) return { access: 'open' };
    if (!pin.ok) {
      if (pin.error !== this.lastProblem) {
        this.lastProblem = pin.error;
        this.opts.logger?.error(`technician PIN unusable, /tech is locked: ${pin.error}`);
      }
      return { access: 'locked', reason: pin.error };
    }
    if (this.lastProblem !== undefined) {
      this.lastProblem = undefined;
      this.opts.logger?.info('technician PIN file usable again: /tech sign-in is open');
    }
    const h = hash(pin.pin);
    if (this.pinHash && !this.pinHash.equals(h)) this.sessions.clear();
    this.pinHash = h;
    return { access: 'pin', hash: h };
  }

  private failed(client: string, outcome: FailureOutcome): void {
    const { events } = this.opts;
    if (!events) return;
    const data = { client, network: outcome.network, failures: outcome.failures };
    events({
      type: 'tech.signin.failed',
      level: 'warning',
      message: `wrong technician PIN from ${client}`,
      data,
    });
    if (outcome.lockout) {
      const who = outcome.lockout.scope === 'network' ? outcome.network : 'every network';
      const sec = Math.round(outcome.lockout.ms / 1000);
      events({
        type: 'tech.signin.locked',
        level: 'alarm',
        message: `technician sign-in locked for ${sec} s for ${who} after repeated wrong PINs`,
        data: { ...data, scope: outcome.lockout.scope, lockoutSec: sec },
      });
    }
  }
}

/** An Origin header names this server: the scheme it was reached by and the Host it was asked for. */
export function sameOriginAs(req: IncomingMessage, origin: string): boolean {
  const scheme = (req.socket as { encrypted?: boolean }).encrypted ? 'https' : 'http';
  return origin === `${scheme}://${req.headers.host ?? ''}`;
}

/** Over HTTPS the cookie is `Secure`: the browser never sends it back over the plain-HTTP page. */
export function sessionCookie(token: string, secure = false): string {
  const flags = secure ? '; Secure' : '';
  return `${SESSION_COOKIE}=${token}; Path=/; HttpOnly; SameSite=Strict; Max-Age=${SESSION_MS / 1000}${flags}`;
}

export function clearedCookie(): string {
  return `${SESSION_COOKIE}=; Path=/; HttpOnly; SameSite=Strict; Max-Age=0`;
}

/** A cookie of the request by name (shared with the hub's staff sessions). */
export function cookie(req: IncomingMessage, name: string): string | undefined {
  for (const part of (req.headers.cookie ?? '').split(';')) {
    const [k, ...v] = part.trim().split('=');
    if (k === name) return v.join('=');
  }
  return undefined;
}

function hash(text: string): Buffer {
  return createHash('sha256').update(text, 'utf8').digest();
}

/** Compares two secrets in constant time, whatever their lengths. */
export function safeEqual(a: string, b: string): boolean {
  return timingSafeEqual(hash(a), hash(b));
}
