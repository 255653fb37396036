// Benchmark (issue 18): the service's memory, against a bare Node measured in the same run.
// 1. Idle: the built service started as systemd/pima-kiosk.service starts it (ExecStart's Node flags, the
//    unit's Environment= lines: NODE_OPTIONS, MALLOC_ARENA_MAX), simulated default, web on, uplink to a
//    local Mosquitto, for SECONDS (default 600); next to it `node -e setInterval(...)`.
//    Printed: RSS of both at the end and the ratio (target ≤ 1.8), split into anonymous memory (heaps)
//    and file-backed pages (the node binary, shared libraries), and the service's peak.
// 2. Drain: the same service started on a log of RECORDS (default 1,000,000) unsent readings, until
//    the broker acknowledged them all, with the unit's flags but no heap cap (--max-old-space-size);
//    printed: peak RSS (target ≤ 150 MB) and drain time.
// Run: npm run bench:footprint [-- seconds]. Knobs: FOOTPRINT_RECORDS, FOOTPRINT_SNAPSHOT=1 (writes a
// heap snapshot of the idle service into the working directory, for Chrome DevTools).
import { type ChildProcess, execFileSync, spawn } from 'node:child_process';
import {
  existsSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  renameSync,
  rmSync,
  writeFileSync,
} from 'node:fs';
import { cpus, loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { freePort, startMosquitto } from '../test/helpers/mosquitto.js';
import { type UnitLaunch, unitLaunch } from '../test/helpers/unit-launch.js';

const SECONDS = Number(process.argv[2] ?? 600);
const RECORDS = Number(process.env.FOOTPRINT_RECORDS ?? 1_000_000);
const SNAPSHOT = process.env.FOOTPRINT_SNAPSHOT === '1';
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
const log = (msg: string) =>
  process.stderr.write(`[footprint ${new Date().toISOString().slice(11, 19)}] ${msg}\n`);

interface Rss {
  rss: number;
  anon: number;
}

/** RSS in MB and its anonymous part (the rest is file-backed: the node binary, libraries). */
function rssSplit(pid: number): Rss {
  try {
    const t = readFileSync(`/proc/${pid}/smaps_rollup`, 'utf8');
    const kb = (k: string) => Number(new RegExp(`^${k}:\\s+(\\d+) kB`, 'm').exec(t)?.[1] ?? 0);
    return { rss: kb('Rss') / 1024, anon: kb('Anonymous') / 1024 };
  } catch {
    return { rss: 0, anon: 0 }; // exited
  }
}

/** User + system CPU seconds a process has used so far (clock ticks of 1/100 s). */
function cpuSeconds(pid: number): number {
  try {
    const f = readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1]?.split(' ') ?? [];
    return (Number(f[11] ?? 0) + Number(f[12] ?? 0)) / 100;
  } catch {
    return 0;
  }
}

function rssMb(pid: number): number {
  try {
    const m = /VmRSS:\s+(\d+) kB/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
    return Number(m?.[1] ?? 0) / 1024;
  } catch {
    return 0; // exited
  }
}

async function config(dir: string, db: string, brokerUrl: string): Promise<string> {
  const file = join(dir, 'config.yaml');
  // config/default.yaml with its own paths and ports.
  writeFileSync(
    file,
    [
      'point:',
      '  id: footprint-1',
      '  name: Footprint point',
      '  capacity: 40',
      'storage:',
      `  path: ${db}`,
      'mqtt:',
      `  url: ${brokerUrl}`,
      'simulation:',
      '  scenario: normal',
      'web:',
      '  enabled: true',
      '  host: 127.0.0.1',
      `  port: ${await freePort()}`,
      'logging:',
      '  level: warn',
      '',
    ].join('\n'),
  );
  return file;
}

function service(cfg: string, dir: string, launch: UnitLaunch): ChildProcess {
  const flags = SNAPSHOT ? ['--heapsnapshot-signal=SIGUSR2'] : [];
  return spawn(
    process.execPath,
    [...launch.nodeArgs, ...flags, join(process.cwd(), 'dist/src/main.js'), 'run', '--config', cfg],
    {
      cwd: dir,
      env: { ...process.env, ...launch.env },
      stdio: ['ignore', 'ignore', 'inherit'],
    },
  );
}

async function stop(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null) return;
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  child.kill('SIGTERM');
  await exited;
}

async function idle(
  dir: string,
  brokerUrl: string,
): Promise<{ service: Rss; bare: Rss; peak: number; cpu: number }> {
  const cfg = await config(dir, join(dir, 'idle.db'), brokerUrl);
  const svc = service(cfg, dir, unitLaunch());
  const bare = spawn(process.execPath, ['-e', 'setInterval(() => {}, 1000)'], { stdio: 'ignore' });
  let peak = 0;
  let cpu = 0;
  const samples: Array<{ service: Rss; bare: Rss }> = [];
  const t0 = Date.now();
  try {
    while (Date.now() - t0 < SECONDS * 1000) {
      await sleep(5000);
      const s = { service: rssSplit(svc.pid ?? 0), bare: rssSplit(bare.pid ?? 0) };
      peak = Math.max(peak, s.service.rss);
      samples.push(s);
      if (samples.length % 12 === 0)
        log(
          `${Math.round((Date.now() - t0) / 1000)} s: service ${s.service.rss.toFixed(1)} MB, bare ${s.bare.rss.toFixed(1)} MB`,
        );
    }
    cpu = cpuSeconds(svc.pid ?? 0);
    if (SNAPSHOT && svc.pid) {
      svc.kill('SIGUSR2');
      await sleep(5000);
      const snap = readdirSync(dir).find((f) => f.endsWith('.heapsnapshot'));
      if (snap) {
        renameSync(join(dir, snap), join(process.cwd(), 'footprint-idle.heapsnapshot'));
        log('heap snapshot: footprint-idle.heapsnapshot');
      }
    }
  } finally {
    await stop(svc);
    await stop(bare);
  }
  // The last minute, so one GC cycle does not decide it.
  const last = samples.slice(-12);
  const mean = (k: 'service' | 'bare', f: keyof Rss) =>
    last.reduce((n, s) => n + s[k][f], 0) / Math.max(1, last.length);
  const split = (k: 'service' | 'bare') => ({ rss: mean(k, 'rss'), anon: mean(k, 'anon') });
  return { service: split('service'), bare: split('bare'), peak, cpu };
}

function unsent(db: string, upTo: number): number {
  if (!existsSync(db)) return upTo;
  try {
    const d = new Database(db, { readonly: true, fileMustExist: true });
    try {
      const r = d.prepare("SELECT sent_seq AS s FROM outbox WHERE stream = 'telemetry'").get() as
        | { s: number }
        | undefined;
      return upTo - (r?.s ?? 0);
    } finally {
      d.close();
    }
  } catch {
    return upTo;
  }
}

async function drain(
  dir: string,
  brokerUrl: string,
): Promise<{ peak: number; seconds: number; bare: number; cpu: number }> {
  const db = join(dir, 'drain.db');
  // The backlog is written by another process (bench/uplink-drain.ts --fill), as by an earlier run.
  execFileSync(process.execPath, [join(process.cwd(), 'dist/bench/uplink-drain.js'), '--fill', db], {
    env: { ...process.env, BENCH_RECORDS: String(RECORDS) },
  });
  const cfg = await config(dir, db, brokerUrl);
  const bare = spawn(process.execPath, ['-e', 'setInterval(() => {}, 1000)'], { stdio: 'ignore' });
  // The unit's launch without the heap cap.
  const launch = unitLaunch();
  const nodeOptions = (launch.env.NODE_OPTIONS ?? '').split(/\s+/);
  const uncapped = nodeOptions.filter((o) => o && !o.startsWith('--max-old-space-size')).join(' ');
  const svc = service(cfg, dir, { ...launch, env: { ...launch.env, NODE_OPTIONS: uncapped } });
  const t0 = Date.now();
  let peak = 0;
  let lastCheck = 0;
  try {
    for (;;) {
      await sleep(100);
      peak = Math.max(peak, rssMb(svc.pid ?? 0));
      if (Date.now() - lastCheck < 1000) continue;
      lastCheck = Date.now();
      if (unsent(db, RECORDS) <= 0) break;
      if (svc.exitCode !== null) throw new Error(`the service exited (${svc.exitCode}) while draining`);
      if (Date.now() - t0 > 900_000) throw new Error('the drain did not finish in 15 minutes');
    }
    const cpu = cpuSeconds(svc.pid ?? 0);
    return { peak, seconds: (Date.now() - t0) / 1000, bare: rssMb(bare.pid ?? 0), cpu };
  } finally {
    await stop(svc);
    await stop(bare);
  }
}

async function main(): Promise<void> {
  const dir = mkdtempSync(join(tmpdir(), 'pima-bench-footprint-'));
  const broker = await startMosquitto();
  const load0 = loadavg()[0] ?? 0;
  try {
    log(`idle: the service and a bare Node for ${SECONDS} s`);
    const i = await idle(dir, broker.url);
    log(`drain: ${RECORDS} records`);
    const d = await drain(dir, broker.url);
    const f = (n: number, p = 1) => n.toFixed(p);
    console.log(`bench:footprint — ${new Date().toISOString()}`);
    console.log(
      `machine: ${cpus()[0]?.model ?? '?'} × ${cpus().length}, node ${process.version}, load average ${f(load0, 2)} → ${f(loadavg()[0] ?? 0, 2)}`,
    );
    const launch = unitLaunch();
    const split = (r: Rss) => `${f(r.rss)} MB RSS (anonymous ${f(r.anon)}, file-backed ${f(r.rss - r.anon)})`;
    console.log(
      `idle after ${SECONDS} s (simulated default, web on, uplink connected, node ${launch.nodeArgs.join(' ')}, NODE_OPTIONS "${launch.env.NODE_OPTIONS ?? ''}", MALLOC_ARENA_MAX ${launch.env.MALLOC_ARENA_MAX ?? 'unset'}; mean of the last minute): service ${split(i.service)}, bare Node ${split(i.bare)}, ratio ${f(i.service.rss / i.bare.rss, 2)} (target ≤ 1.8); service peak ${f(i.peak)} MB, CPU ${f(i.cpu)} s`,
    );
    console.log(
      `drain of ${RECORDS} records, no heap cap: peak RSS ${f(d.peak)} MB (target ≤ 150), bare Node ${f(d.bare)} MB in the same run, drained in ${f(d.seconds)} s (service CPU ${f(d.cpu)} s)`,
    );
  } finally {
    await broker.stop();
    rmSync(dir, { recursive: true, force: true });
  }
}

await main();
