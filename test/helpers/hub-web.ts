/**
 * The hub's web server on a free loopback port over a storage the caller seeded, with a staff member
 * signed in: for the dashboard's API tests, its browser tests and its benchmark.
 */
import type { WebLanguage } from '../../src/config/schema.js';
import { MemoryLogger } from '../../src/core/logger.js';
import type { HubStorage, StaffRole } from '../../src/hub/storage/types.js';
import { hashPassword } from '../../src/hub/web/password.js';
import { HubWebServer } from '../../src/hub/web/server.js';

export interface SignedInHub {
  web: HubWebServer;
  url: string;
  /** `pima_staff=…`, for a Cookie header. */
  cookie: string;
  /** The session token alone, for a browser context's cookie. */
  token: string;
}

export async function startSignedInHub(
  storage: HubStorage,
  opts: {
    staleAfterSec?: number;
    now?: () => number;
    languages?: readonly WebLanguage[];
    reconcileMs?: number;
    role?: StaffRole;
  } = {},
): Promise<SignedInHub> {
  const password = 'a long enough secret';
  await storage.saveUser({
    name: 'staff',
    role: opts.role ?? 'operator',
    passwordHash: await hashPassword(password),
    createdAt: Date.now(),
  });
  const web = new HubWebServer({
    host: '127.0.0.1',
    port: 0,
    storage,
    staleAfterSec: opts.staleAfterSec ?? 3600,
    now: opts.now ?? Date.now,
    logger: new MemoryLogger(),
    languages: opts.languages,
    reconcileMs: opts.reconcileMs,
  });
  await web.start();
  const url = web.url();
  const login = await fetch(`${url}/api/session`, {
    method: 'POST',
    headers: { 'Content-Type': 'application/json' },
    body: JSON.stringify({ name: 'staff', password }),
  });
  if (login.status !== 200) throw new Error(`sign-in failed: ${login.status} ${await login.text()}`);
  const cookie = (login.headers.get('set-cookie') ?? '').split(';')[0] ?? '';
  return { web, url, cookie, token: cookie.slice(cookie.indexOf('=') + 1) };
}
