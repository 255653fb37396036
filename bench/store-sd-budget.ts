// Benchmark: bytes the running service writes to disk per simulated day at the default sensor rates,
// from the kernel's own count (/proc/<pid>/io write_bytes: page-cache pages dirtied by the process).
// Runs the built service (all sim, no uplink, no sign) at two speeds in the same run: when the numbers
// agree, extrapolating from a fast run is fair. Usage: node dist/bench/store-sd-budget.js [seconds]
import { spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { cpus } from 'node:os';
import { join, resolve } from 'node:path';
import Database from 'better-sqlite3';

const SECONDS = Number(process.argv[2] ?? 40);
const BUDGET = 20e6;
// the log must be on a real block device: tmpfs writes are not counted as write_bytes
const BASE = process.env.PIMA_BENCH_DIR ?? resolve('data');

function writeBytes(pid: number): number {
  const m = /write_bytes: (\d+)/.exec(readFileSync(`/proc/${pid}/io`, 'utf8'));
  return Number(m?.[1] ?? 0);
}

async function measure(
  speed: number,
): Promise<{ speed: number; perDay: number; rows: number; simSeconds: number }> {
  const dir = mkdtempSync(join(BASE, 'bench-sd-'));
  const db = join(dir, 'kiosk.db');
  const cfg = join(dir, 'config.yaml');
  writeFileSync(cfg, `point:\n  id: bench-sd\nstorage:\n  path: ${db}\nsign:\n  outputs: [none]\n`);
  const child = spawn(
    process.execPath,
    ['dist/src/main.js', 'run', '--config', cfg, '--speed', String(speed)],
    {
      stdio: ['ignore', 'ignore', 'pipe'],
      env: { ...process.env, PIMA_KIOSK_CONFIG: '' },
    },
  );
  let err = '';
  child.stderr?.on('data', (d: Buffer) => {
    err += d.toString();
  });
  while (!/kiosk: running/.test(err)) await new Promise((r) => setTimeout(r, 50));
  // start counting once the log is created and migrated: a one-time cost, not a daily one
  const start = writeBytes(child.pid ?? 0);
  const ro = new Database(db, { readonly: true });
  const span = () =>
    ro.prepare('SELECT count(*) AS n, min(ts) AS lo, max(ts) AS hi FROM readings').get() as {
      n: number;
      lo: number | null;
      hi: number | null;
    };
  const first = span();
  await new Promise((r) => setTimeout(r, SECONDS * 1000));
  const bytes = writeBytes(child.pid ?? 0) - start;
  const last = span();
  ro.close();
  child.kill('SIGTERM');
  await new Promise((r) => child.once('exit', r));
  rmSync(dir, { recursive: true, force: true });
  const simSeconds = ((last.hi ?? 0) - (first.hi ?? last.lo ?? 0)) / 1000;
  return { speed, perDay: (bytes * 86_400) / simSeconds, rows: last.n - first.n, simSeconds };
}

const results = [];
for (const speed of [10, 50]) results.push(await measure(speed));
console.log(`store-sd-budget: the service at default rates, ${SECONDS} s per run, log on ${BASE}`);
for (const r of results) {
  console.log(
    `  speed ${String(r.speed).padStart(3)}: ${(r.perDay / 1e6).toFixed(1)} MB per simulated day ` +
      `(${r.rows} readings in ${(r.simSeconds / 3600).toFixed(2)} simulated h; ${((r.rows * 86_400) / r.simSeconds).toFixed(0)} readings/day)`,
  );
}
const [slow, fast] = results;
if (slow && fast)
  console.log(
    `  ratio speed 50 / speed 10: ${(fast.perDay / slow.perDay).toFixed(2)} (≈1: extrapolation holds)`,
  );
console.log(
  `  budget ${BUDGET / 1e6} MB/day: ${(((fast ?? slow)?.perDay ?? 0) / BUDGET).toFixed(1)}× the budget`,
);
console.log(
  `  machine: ${cpus()[0]?.model ?? 'unknown'} × ${cpus().length}, node ${process.version}, ${new Date().toISOString()}`,
);
