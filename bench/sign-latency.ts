// Benchmark: from a driver reading to the sign showing the new state, through the real pipeline (real
// SQLite log, system clock), against the pure judgement alone (evaluatePoint + patternFor) on the same
// inputs, measured in the same run. Prints p50/p99/max of both and the ratio of the p99s.
import { mkdtempSync, rmSync } from 'node:fs';
import { cpus, tmpdir } from 'node:os';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { buildConfigSchema } from '../src/config/schema.js';
import { SystemClock } from '../src/core/clock.js';
import { MemoryLogger } from '../src/core/logger.js';
import { PointPipeline } from '../src/pipeline/point-pipeline.js';
import { evaluatePoint, type ModelConfig } from '../src/point/model.js';
import type { ChannelValue, PointState } from '../src/point/types.js';
import type { SignOutput } from '../src/sign/output.js';
import { patternFor, type SignPattern } from '../src/sign/pattern.js';
import { openLog } from '../src/store/sqlite-log.js';

const N = 2000;
const WARMUP = 200;

function percentile(xs: number[], p: number): number {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.min(s.length - 1, Math.ceil((p / 100) * s.length) - 1)] ?? Number.NaN;
}

const summary = (xs: number[]) =>
  `p50 ${percentile(xs, 50).toFixed(3)} ms, p99 ${percentile(xs, 99).toFixed(3)} ms, max ${Math.max(...xs).toFixed(3)} ms`;

const dir = mkdtempSync(join(tmpdir(), 'bench-sign-'));
const config = buildConfigSchema().parse({
  point: { id: 'bench', capacity: 40 },
  storage: { path: join(dir, 'kiosk.db') },
  // no dwell: every mains change flips OPEN ↔ OPEN_LIMITED, so every reading must reach the sign
  rules: { minDwellSec: 0 },
});

/** A sign that notes when it is shown a state different from the last. */
class StopwatchSign implements SignOutput {
  private last = '';
  private waiter: ((t: number) => void) | undefined;
  async start(): Promise<void> {}
  async stop(): Promise<void> {}
  show(pattern: SignPattern): void {
    if (pattern.state === this.last) return;
    this.last = pattern.state;
    const t = performance.now();
    this.waiter?.(t);
    this.waiter = undefined;
  }
  next(): Promise<number> {
    return new Promise((resolve) => {
      this.waiter = resolve;
    });
  }
}

async function throughPipeline(): Promise<number[]> {
  const store = openLog(config.storage.path);
  const sign = new StopwatchSign();
  const pipeline = new PointPipeline({
    config,
    clock: new SystemClock(),
    logger: new MemoryLogger(),
    store,
    record: () => undefined,
    signs: [sign],
    uplink: undefined,
  });
  const sink = pipeline.sink;
  for (const [c, v] of [
    ['battery.soc', 90],
    ['temperature.indoor', 21],
    ['generator.running', 0],
    ['mains.present', 1],
  ] as const)
    sink.reading(c, v);
  pipeline.start();
  const out: number[] = [];
  try {
    for (let i = 0; i < N + WARMUP; i++) {
      const shown = sign.next();
      const t0 = performance.now();
      sink.reading('mains.present', i % 2);
      const t1 = await shown;
      if (i >= WARMUP) out.push(t1 - t0);
      // let the event commits after the sign finish, as between real readings
      await new Promise((r) => setImmediate(r));
    }
  } finally {
    pipeline.stop();
    store.close();
  }
  return out;
}

function pureJudgement(): number[] {
  const cfg: ModelConfig = {
    capacity: config.point.capacity,
    servesElderly: false,
    services: config.point.services,
    rules: config.rules,
    alarms: config.alarms,
  };
  const latest = new Map<string, ChannelValue>();
  const now0 = Date.now();
  for (const [c, v] of [
    ['battery.soc', 90],
    ['temperature.indoor', 21],
    ['generator.running', 0],
  ] as const)
    latest.set(c, { value: v, ts: now0 });
  let prev: PointState | undefined;
  const out: number[] = [];
  let sink = '';
  for (let i = 0; i < N + WARMUP; i++) {
    const t0 = performance.now();
    const now = Date.now();
    latest.set('mains.present', { value: i % 2, ts: now });
    prev = evaluatePoint(prev, { now, latest, mode: 'auto', occupancy: 10 }, cfg).state;
    sink = patternFor(prev.state).word;
    if (i >= WARMUP) out.push(performance.now() - t0);
  }
  if (!sink) throw new Error('no pattern');
  return out;
}

try {
  const base = pureJudgement();
  const ours = await throughPipeline();
  const p99 = percentile(ours, 99);
  console.log(`machine: ${cpus()[0]?.model ?? 'unknown'} × ${cpus().length}, Node ${process.version}`);
  console.log(`baseline  evaluatePoint + patternFor: ${summary(base)}`);
  console.log(`pipeline  reading → sign.show():      ${summary(ours)}`);
  console.log(`ratio p99 pipeline / baseline: ${(p99 / percentile(base, 99)).toFixed(2)}`);
  console.log(`p99 ${p99.toFixed(3)} ms ${p99 <= 50 ? '≤' : '>'} 50 ms budget`);
} finally {
  rmSync(dir, { recursive: true, force: true });
}
