// Benchmark: the local log's group commit against raw better-sqlite3 doing the same inserts in one
// transaction, measured in the same run. Prints the ratio (ours / raw time; 1.0 = no overhead).
import { mkdtempSync, rmSync } from 'node:fs';
import { cpus, tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import type { Reading } from '../src/core/readings.js';
import { openLog } from '../src/store/sqlite-log.js';

const BATCHES = 200;
const PER_BATCH = 50;

function readings(batch: number): Reading[] {
  return Array.from({ length: PER_BATCH }, (_, i) => ({
    channel: `battery.ch${i % 5}`,
    value: batch + i / 100,
    ts: 1_764_576_000_000 + batch * 1000 + i,
  }));
}

function timeOurs(dir: string): number {
  const log = openLog(join(dir, 'ours.db'));
  const t0 = process.hrtime.bigint();
  for (let b = 0; b < BATCHES; b++) log.appendReadings(readings(b));
  const ms = Number(process.hrtime.bigint() - t0) / 1e6;
  log.close();
  return ms;
}

function timeRaw(dir: string): number {
  const db = new Database(join(dir, 'raw.db'));
  db.pragma('journal_mode = WAL');
  db.pragma('synchronous = FULL');
  db.exec('CREATE TABLE r (seq INTEGER PRIMARY KEY AUTOINCREMENT, ts INTEGER, channel TEXT, value REAL)');
  const insert = db.prepare('INSERT INTO r (ts, channel, value) VALUES (?, ?, ?)');
  const batch = db.transaction((rows: Reading[]) => {
    for (const r of rows) insert.run(r.ts, r.channel, r.value);
  });
  const t0 = process.hrtime.bigint();
  for (let b = 0; b < BATCHES; b++) batch(readings(b));
  const ms = Number(process.hrtime.bigint() - t0) / 1e6;
  db.close();
  return ms;
}

const dir = mkdtempSync(join(tmpdir(), 'bench-store-'));
try {
  // warm up both paths once, then measure alternately to share the machine's noise
  timeRaw(dir);
  timeOurs(dir);
  const ours: number[] = [];
  const raw: number[] = [];
  for (let i = 0; i < 5; i++) {
    rmSync(join(dir, 'ours.db'), { force: true });
    rmSync(join(dir, 'raw.db'), { force: true });
    for (const f of ['ours.db-wal', 'ours.db-shm', 'raw.db-wal', 'raw.db-shm'])
      rmSync(join(dir, f), { force: true });
    raw.push(timeRaw(dir));
    ours.push(timeOurs(dir));
  }
  const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)] ?? 0;
  const o = median(ours);
  const r = median(raw);
  console.log(`store-append: ${BATCHES} commits × ${PER_BATCH} readings, synchronous=FULL, WAL`);
  console.log(
    `  raw better-sqlite3  ${r.toFixed(1)} ms  (${((BATCHES * PER_BATCH) / (r / 1000)).toFixed(0)} readings/s)`,
  );
  console.log(
    `  pima-kiosk log      ${o.toFixed(1)} ms  (${((BATCHES * PER_BATCH) / (o / 1000)).toFixed(0)} readings/s)`,
  );
  console.log(`  ratio ours/raw      ${(o / r).toFixed(2)}`);
  console.log(
    `  machine: ${cpus()[0]?.model ?? 'unknown'} × ${cpus().length}, node ${process.version}, ${new Date().toISOString()}`,
  );
} finally {
  rmSync(dir, { recursive: true, force: true });
}
