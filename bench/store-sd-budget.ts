// Benchmark: bytes the running service writes to disk per simulated day at the default sensor rates,
// from the kernel's own count (/proc/<pid>/io write_bytes: page-cache pages dirtied by the process).
// Runs the built service (all sim, no uplink, no sign) with the default logging policy at two speeds
// in the same run: when the numbers agree, extrapolating from a fast run is fair. The baseline, in the
// same run, is the same service logging every sample (`storage.logging.heartbeatSec: 0`, deadband 0),
// which is how it logged before report by exception.
// Usage: node dist/bench/store-sd-budget.js [seconds per run] [scenario]
import { spawn } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { cpus } from 'node:os';
import { join, resolve } from 'node:path';
import Database from 'better-sqlite3';

const SECONDS = Number(process.argv[2] ?? 40);
const SCENARIO = process.argv[3] ?? 'normal';
const BUDGET = 20e6;
// the log must be on a real block device: tmpfs writes are not counted as write_bytes
const BASE = process.env.PIMA_BENCH_DIR ?? resolve('data');
const EVERY_SAMPLE =
  '  logging:\n    heartbeatSec: 0\n' + '    deadband: {V: 0, A: 0, W: 0, "%": 0, "°C": 0, min: 0, h: 0}\n';

interface Run {
  label: string;
  speed: number;
  logging: string;
}

interface Result extends Run {
  perDay: number;
  rows: number;
  simSeconds: number;
}

function writeBytes(pid: number): number {
  const m = /write_bytes: (\d+)/.exec(readFileSync(`/proc/${pid}/io`, 'utf8'));
  return Number(m?.[1] ?? 0);
}

async function measure(run: Run): Promise<Result> {
  const dir = mkdtempSync(join(BASE, 'bench-sd-'));
  const db = join(dir, 'kiosk.db');
  const cfg = join(dir, 'config.yaml');
  writeFileSync(
    cfg,
    `point:\n  id: bench-sd\nstorage:\n  path: ${db}\n${run.logging}sign:\n  outputs: [none]\n`,
  );
  const child = spawn(
    process.execPath,
    ['dist/src/main.js', 'run', '--config', cfg, '--speed', String(run.speed), '--simulate', SCENARIO],
    {
      stdio: ['ignore', 'ignore', 'pipe'],
      env: { ...process.env, PIMA_KIOSK_CONFIG: '' },
    },
  );
  let err = '';
  child.stderr?.on('data', (d: Buffer) => {
    err += d.toString();
  });
  const exited = new Promise((r) => child.once('exit', r));
  while (!/kiosk: running/.test(err)) {
    if (child.exitCode !== null) throw new Error(`the service exited ${child.exitCode}:\n${err}`);
    await new Promise((r) => setTimeout(r, 50));
  }
  // start counting once the log is created and migrated: a one-time cost, not a daily one
  const start = writeBytes(child.pid ?? 0);
  const ro = new Database(db, { readonly: true });
  // simulated time from the log itself: the simulated clock falls behind its speed under load
  const span = () =>
    ro
      .prepare(
        `SELECT (SELECT count(*) FROM readings) AS n,
           max((SELECT max(ts) FROM readings), coalesce((SELECT saved_at FROM status_snapshot), 0)) AS hi`,
      )
      .get() as { n: number; hi: number };
  const first = span();
  await new Promise((r) => setTimeout(r, SECONDS * 1000));
  const bytes = writeBytes(child.pid ?? 0) - start;
  const last = span();
  ro.close();
  child.kill('SIGTERM');
  await exited;
  rmSync(dir, { recursive: true, force: true });
  const simSeconds = (last.hi - first.hi) / 1000;
  return { ...run, perDay: (bytes * 86_400) / simSeconds, rows: last.n - first.n, simSeconds };
}

// The policy commits about once a minute, so a run must span many WAL checkpoints (one per ~256
// pages) to count them fairly: hence faster speeds than the every-sample baseline needs.
const runs: Run[] = [
  { label: 'policy', speed: 100, logging: '' },
  { label: 'policy', speed: 250, logging: '' },
  { label: 'every sample', speed: 50, logging: EVERY_SAMPLE },
];
const results: Result[] = [];
// A fresh clone has no data/ yet: make it, and remove it again afterwards if this run made it.
const madeBase = !existsSync(BASE);
mkdirSync(BASE, { recursive: true });
try {
  for (const run of runs) results.push(await measure(run));
} finally {
  if (madeBase) rmSync(BASE, { recursive: true, force: true });
}
console.log(
  `store-sd-budget: the service, scenario ${SCENARIO}, default rates, ${SECONDS} s per run, log on ${BASE}`,
);
for (const r of results) {
  console.log(
    `  ${r.label.padEnd(12)} speed ${String(r.speed).padStart(3)}: ${(r.perDay / 1e6).toFixed(1)} MB per simulated day ` +
      `(${r.rows} readings logged in ${(r.simSeconds / 3600).toFixed(2)} simulated h; ` +
      `${((r.rows * 86_400) / r.simSeconds).toFixed(0)} readings/day)`,
  );
}
const [slow, fast, baseline] = results;
if (slow && fast && baseline) {
  console.log(
    `  ratio speed ${fast.speed} / speed ${slow.speed}: ${(fast.perDay / slow.perDay).toFixed(2)} (≈1: extrapolation holds)`,
  );
  // the faster run spans the most simulated time (and WAL checkpoints), so it is the headline
  console.log(
    `  ratio policy (speed ${fast.speed}) / every sample (speed ${baseline.speed}): ` +
      `${(fast.perDay / baseline.perDay).toFixed(3)} (${(baseline.perDay / fast.perDay).toFixed(1)}× fewer bytes)`,
  );
  console.log(`  budget ${BUDGET / 1e6} MB/day: policy at ${(fast.perDay / BUDGET).toFixed(2)}× the budget`);
}
console.log(
  `  machine: ${cpus()[0]?.model ?? 'unknown'} × ${cpus().length}, node ${process.version}, ${new Date().toISOString()}`,
);
