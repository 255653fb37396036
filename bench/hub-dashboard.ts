// Benchmark (issue 16): the dashboard's API with 1,000 points. A real HubWebServer on SQLite storage
// holding 1,000 points (status, info, online, a desired state each) answers, to a signed-in session,
// GET /api/dashboard (every row, the "needs action" list) and GET /api/points (the CLI's view, read from
// storage per request), one request at a time over keep-alive HTTP. The baseline, in the same run and
// interleaved: a bare node:http server answering the same /api/dashboard body it serialises per
// request from memory, i.e. the floor of sending that much JSON. Prints p50/p99 of each and the ratio
// of the p99s; the goal is p99 ≤ 100 ms for /api/dashboard.
// Run: npm run bench:dashboard. Knobs: DASH_BENCH_POINTS (1000), DASH_BENCH_REQUESTS (400).
import { mkdtempSync, rmSync } from 'node:fs';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { cpus, tmpdir } from 'node:os';
import { join } from 'node:path';
import { MemoryLogger } from '../src/core/logger.js';
import { SqliteHubStorage } from '../src/hub/storage/sqlite.js';
import { emptyWork } from '../src/hub/storage/types.js';
import { hashPassword } from '../src/hub/web/password.js';
import { HubWebServer } from '../src/hub/web/server.js';
import { sampleStatus } from '../test/helpers/status.js';
import { percentile } from './fleet/stats.js';

const N = Number(process.env.DASH_BENCH_POINTS ?? 1000);
const REQUESTS = Number(process.env.DASH_BENCH_REQUESTS ?? 400);
const WARMUP = 20;
const STATES = ['OPEN', 'OPEN_LIMITED', 'FULL', 'STANDBY', 'CLOSED'] as const;

const dir = mkdtempSync(join(tmpdir(), 'bench-dash-'));
const storage = new SqliteHubStorage(join(dir, 'hub.db'));
await storage.start();
const now = Date.now();
const work = emptyWork();
for (let i = 0; i < N; i++) {
  const point = `p-${String(i).padStart(4, '0')}`;
  const ts = new Date(now - (i % 7) * 1000).toISOString();
  const status = sampleStatus({
    point,
    name: `Point ${i}`,
    status: STATES[i % STATES.length],
    power: { source: i % 3 === 0 ? 'grid' : 'generator', mainsPresent: i % 3 === 0 },
    battery: { soc: 50, voltage: 12.4, current: -4, power: -50, timeToGo: 300, hoursLeft: (i % 40) + 0.5 },
    generator: { running: true, fuelLevel: 40, load: 30, runHours: 10, fuelHoursLeft: (i % 25) + 1 },
    temperatures: { indoor: 15 + (i % 8) },
    placesLeft: i % 60,
    capacity: 60,
    ts,
  });
  work.statuses.push({
    point,
    epoch: 'e',
    ts: Date.parse(ts),
    receivedAt: now,
    state: status.status,
    body: JSON.stringify(status),
  });
  work.infos.push({
    point,
    ts: now,
    receivedAt: now,
    body: JSON.stringify({
      name: `Point ${i}`,
      location: { lat: 50 + (i % 50) / 10, lon: 24 + i / 100 },
      ts,
    }),
  });
  work.onlines.push({ point, online: true, ts: now, receivedAt: now, reason: null, epoch: 'e' });
}
await storage.commit(work);
for (let i = 0; i < N; i += 2) {
  const point = `p-${String(i).padStart(4, '0')}`;
  const body = JSON.stringify({ id: `d-${i}`, issuedAt: new Date(now).toISOString(), mode: 'open' });
  await storage.saveDesired({ point, id: `d-${i}`, issuedAt: now, body });
}
await storage.saveUser({
  name: 'bench',
  role: 'viewer',
  passwordHash: await hashPassword('bench password!'),
  createdAt: now,
});

const web = new HubWebServer({
  host: '127.0.0.1',
  port: 0,
  storage,
  staleAfterSec: 3600,
  now: Date.now,
  logger: new MemoryLogger(),
});
await web.start();
const login = await fetch(`${web.url()}/api/session`, {
  method: 'POST',
  headers: { 'Content-Type': 'application/json' },
  body: JSON.stringify({ name: 'bench', password: 'bench password!' }),
});
const cookie = (login.headers.get('set-cookie') ?? '').split(';')[0] ?? '';
const dashboardBody = await (await fetch(`${web.url()}/api/dashboard`, { headers: { cookie } })).json();

const baseline = createServer((_req, res) => {
  const text = JSON.stringify(dashboardBody);
  res.writeHead(200, { 'Content-Type': 'application/json', 'Content-Length': Buffer.byteLength(text) });
  res.end(text);
});
await new Promise<void>((resolve) => baseline.listen(0, '127.0.0.1', () => resolve()));
const baseUrl = `http://127.0.0.1:${(baseline.address() as AddressInfo).port}/api/dashboard`;

async function timed(url: string): Promise<{ ms: number; bytes: number }> {
  const t = performance.now();
  const res = await fetch(url, { headers: { cookie } });
  const body = await res.arrayBuffer();
  if (res.status !== 200) throw new Error(`${url}: ${res.status}`);
  return { ms: performance.now() - t, bytes: body.byteLength };
}

const samples: Record<string, number[]> = { dashboard: [], points: [], baseline: [] };
const bytes: Record<string, number> = {};
const targets: Record<string, string> = {
  dashboard: `${web.url()}/api/dashboard`,
  points: `${web.url()}/api/points`,
  baseline: baseUrl,
};
for (let i = 0; i < WARMUP + REQUESTS; i++) {
  // interleaved, so load from elsewhere on the machine falls on all three alike
  for (const [name, url] of Object.entries(targets)) {
    const r = await timed(url);
    bytes[name] = r.bytes;
    if (i >= WARMUP) samples[name]?.push(r.ms);
  }
}
await web.stop();
baseline.close();
await storage.stop();
rmSync(dir, { recursive: true, force: true });

const p = (name: string, q: number) => percentile(samples[name] ?? [], q) ?? Number.NaN;
console.log(
  `hub dashboard API, ${N} points, ${REQUESTS} requests each (${cpus()[0]?.model ?? '?'}, ${cpus().length} CPUs)`,
);
for (const name of Object.keys(targets)) {
  console.log(
    `${name.padEnd(10)} p50 ${p(name, 50).toFixed(1)} ms  p99 ${p(name, 99).toFixed(1)} ms  (${Math.round((bytes[name] ?? 0) / 1024)} KiB)`,
  );
}
console.log(`ratio p99 /api/dashboard / baseline: ${(p('dashboard', 99) / p('baseline', 99)).toFixed(2)}`);
console.log(`goal p99 /api/dashboard ≤ 100 ms: ${p('dashboard', 99) <= 100 ? 'met' : 'NOT met'}`);
