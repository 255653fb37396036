import { spawn } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { get as httpGet, request as httpRequest } from 'node:http';
import { request as httpsRequest } from 'node:https';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import type { TLSSocket } from 'node:tls';
import { stringify } from 'yaml';
import { type RunningService, startService } from './cli.js';
import { unitLaunch } from './unit-launch.js';

export interface WebService {
  service: RunningService;
  /** http://127.0.0.1:PORT, the address the kiosk screen uses */
  url: string;
  port: number;
  dir: string;
  stop(): Promise<void>;
}

/**
 * The built service (`pima-kiosk run --simulate normal`) with its status page on a free port, as its
 * own process under the unit's heap cap. `web` is merged into the config's web section; `pin` is written
 * to a private file the page's /tech reads.
 */
export async function startWebService(
  opts: { web?: Record<string, unknown>; pin?: string } = {},
): Promise<WebService> {
  const dir = mkdtempSync(join(tmpdir(), 'kiosk-attack-'));
  const config = join(dir, 'config.yaml');
  const pinFile = join(dir, 'tech-pin');
  if (opts.pin !== undefined) writeFileSync(pinFile, `${opts.pin}\n`, { mode: 0o600 });
  writeFileSync(
    config,
    stringify({
      point: { id: 'attack-01', capacity: 40 },
      storage: { path: join(dir, 'kiosk.db') },
      sign: { outputs: ['none'] },
      web: {
        enabled: true,
        host: '127.0.0.1',
        port: 0,
        ...(opts.pin === undefined ? {} : { pinFile }),
        ...opts.web,
      },
    }),
  );
  // Started as systemd/pima-kiosk.service starts it (heap cap, GC and compiler flags): the flood tests
  // hold the service to what it does on a Pi.
  const { nodeArgs, env } = unitLaunch();
  const service = await startService(['--config', config, '--simulate', 'normal'], {
    nodeArgs,
    env: Object.fromEntries(Object.entries(env).filter(([k]) => k !== 'PIMA_KIOSK_CONFIG')),
  });
  const port = Number(/status page on https?:\/\/[^:]+:(\d+)\//.exec(service.stderr())?.[1]);
  if (!port) {
    service.child.kill('SIGKILL');
    throw new Error(`no status page port in the service log:\n${service.stderr()}`);
  }
  return {
    service,
    url: `http://127.0.0.1:${port}`,
    port,
    dir,
    stop: async () => {
      if (service.child.exitCode === null && service.child.signalCode === null) {
        service.child.kill('SIGTERM');
        await service.exited;
      }
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

const PRLIMIT = '/usr/bin/prlimit';

export interface FloodResult {
  opened: number;
  refused: number;
  closedByServer: number;
  errors: number;
  peakOpen: number;
  stillOpen: number;
}

/**
 * test/attack/flood.mjs as its own process: `count` half-open connections from one address (127.0.0.2)
 * or spread over 127.x.y.z, reopened as the server closes them, for `ms`.
 */
export function flood(port: number, count: number, spread: 'one' | 'many', ms: number): Promise<FloodResult> {
  const args = [
    resolve('test/attack/flood.mjs'),
    '127.0.0.1',
    String(port),
    String(count),
    spread,
    String(ms),
  ];
  // Node raises its soft descriptor limit to the hard one; as root (CI) raise the hard one too, so a
  // machine with a small default still holds `count` connections in one process.
  const raise = process.getuid?.() === 0 && existsSync(PRLIMIT);
  const child = raise
    ? spawn(PRLIMIT, [`--nofile=${count + 1024}:${count + 1024}`, process.execPath, ...args], {
        stdio: ['ignore', 'pipe', 'pipe'],
      })
    : spawn(process.execPath, args, { stdio: ['ignore', 'pipe', 'pipe'] });
  let out = '';
  let err = '';
  child.stdout.on('data', (d: Buffer) => {
    out += d.toString();
  });
  child.stderr.on('data', (d: Buffer) => {
    err += d.toString();
  });
  return new Promise((resolveResult, reject) => {
    child.on('error', reject);
    child.on('close', (code) => {
      try {
        resolveResult(JSON.parse(out.trim().split('\n').at(-1) ?? '') as FloodResult);
      } catch {
        reject(new Error(`flood exited ${code} without a result:\n${out}\n${err}`));
      }
    });
  });
}

/** Resident memory of a process in kB (VmRSS), or undefined once it is gone. */
export function rssKb(pid: number | undefined): number | undefined {
  try {
    const status = readFileSync(`/proc/${pid}/status`, 'utf8');
    return Number(/VmRSS:\s+(\d+)/.exec(status)?.[1]);
  } catch {
    return undefined;
  }
}

export interface LiveStream {
  status: number;
  /** Text received so far. */
  text(): string;
  close(): void;
}

/** Opens /api/events from `localAddress` (127.0.0.1: the kiosk screen) and resolves with its status. */
export function openLiveStream(port: number, localAddress: string): Promise<LiveStream> {
  return new Promise((resolveStream, reject) => {
    const req = httpGet(
      { host: '127.0.0.1', port, path: '/api/events', localAddress, agent: false },
      (res) => {
        let text = '';
        res.on('data', (d: Buffer) => {
          text += d.toString();
        });
        res.on('error', () => {});
        resolveStream({ status: res.statusCode ?? 0, text: () => text, close: () => req.destroy() });
      },
    );
    req.on('error', reject);
    req.setTimeout(20_000, () => req.destroy(new Error('no answer to /api/events within 20 s')));
  });
}

/** GET `path` as the kiosk screen does; the status code, or the error's text. */
export async function screenGet(url: string, path: string): Promise<number | string> {
  try {
    const res = await fetch(`${url}${path}`, { signal: AbortSignal.timeout(15_000) });
    await res.arrayBuffer();
    return res.status;
  } catch (err) {
    return String(err);
  }
}

export interface LoginAnswer {
  status: number;
  /** The Set-Cookie header, '' when none. */
  cookie: string;
  /** Over HTTPS: the SHA-256 fingerprint of the certificate the server presented. */
  fingerprint?: string;
}

/**
 * POSTs a PIN to /api/tech/login from `localAddress`, over HTTP or (`tls`) HTTPS. A self-signed
 * certificate is accepted: the caller compares the fingerprint, as the technician does.
 */
export function login(port: number, localAddress: string, pin: string, tls = false): Promise<LoginAnswer> {
  const body = JSON.stringify({ pin });
  const send = tls ? httpsRequest : httpRequest;
  return new Promise((resolveAnswer, reject) => {
    const req = send(
      {
        host: '127.0.0.1',
        port,
        path: '/api/tech/login',
        method: 'POST',
        localAddress,
        agent: false,
        rejectUnauthorized: false,
        headers: { 'Content-Type': 'application/json', 'Content-Length': Buffer.byteLength(body) },
      },
      (res) => {
        const socket = res.socket as Partial<TLSSocket>;
        const fingerprint = tls ? socket.getPeerCertificate?.().fingerprint256 : undefined;
        res.resume();
        res.on('end', () =>
          resolveAnswer({
            status: res.statusCode ?? 0,
            cookie: String(res.headers['set-cookie'] ?? ''),
            ...(fingerprint ? { fingerprint } : {}),
          }),
        );
      },
    );
    req.on('error', reject);
    req.end(body);
  });
}

/** POSTs a PIN over HTTP from `localAddress`; the status code. */
export async function tryPin(port: number, localAddress: string, pin: string): Promise<number> {
  return (await login(port, localAddress, pin)).status;
}
