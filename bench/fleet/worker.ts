// A worker process of the fleet bench: runs many points in one Node process (200 processes would not
// fit on two cores), driven by the coordinator over IPC. Run by main.ts, not by hand.
import { readBootId } from '../../src/system/boot-info.js';
import { FleetPoint } from './point.js';
import type { FromWorker, PointProgress, ToWorker, WorkerSetup } from './protocol.js';

const STEP_MS = 50;
/** Catching-up is checked this often, so a drain's end is known to ±this (+ the uplink's 250 ms mark). */
const CHECK_MS = 100;

let points: FleetPoint[] = [];
let ticker: ReturnType<typeof setInterval> | undefined;
let checker: ReturnType<typeof setInterval> | undefined;
let last: PointProgress[] = [];
/** While the services restart their logs are closed: progress keeps the last answer. */
let restarting = false;

function send(msg: FromWorker): void {
  process.send?.(msg);
}

function check(): void {
  if (restarting) return;
  const now = Date.now();
  last = points.map((p) => p.progress(now));
}

async function setup(s: WorkerSetup): Promise<void> {
  const bootId = readBootId();
  points = s.points.map(
    (cred, i) =>
      new FleetPoint({
        cred,
        url: s.url,
        dir: s.dir,
        seed: s.seed + i,
        reconnectMaxMs: s.reconnectMaxMs,
        pid: process.pid,
        bootId,
        write: (line) => process.stderr.write(`${line}\n`),
        traceUplink: s.traceUplink ?? false,
      }),
  );
  // One after the other: 50 SQLite opens and migrations at once would only queue on the same core.
  for (const p of points) await p.start(s.drainStartJitterMs);
  ticker = setInterval(() => {
    for (const p of points) p.clock.tick(STEP_MS);
  }, STEP_MS);
  checker = setInterval(check, CHECK_MS);
  send({ kind: 'ready', points: points.length });
}

async function handle(msg: ToWorker): Promise<void> {
  switch (msg.kind) {
    case 'setup':
      await setup(msg.setup);
      return;
    case 'speed':
      for (const p of points) p.clock.speed = msg.speed;
      break;
    case 'restart':
      restarting = true;
      try {
        for (const p of points) await p.stop();
        for (const p of points) await p.start(msg.drainStartJitterMs);
      } finally {
        restarting = false;
      }
      break;
    case 'backlog':
      for (const p of points) p.logOutage(msg.readings, msg.spanMs);
      break;
    case 'mark':
      for (const p of points) p.setMark();
      check();
      break;
    case 'progress':
      check();
      send({ kind: 'progress', points: last, rssMb: Math.round(process.memoryUsage().rss / 1e6) });
      return;
    case 'stop':
      clearInterval(ticker);
      clearInterval(checker);
      for (const p of points) await p.stop();
      send({ kind: 'done', what: 'stop' });
      process.disconnect?.();
      return;
  }
  send({ kind: 'done', what: msg.kind });
}

process.on('message', (msg: ToWorker) => {
  handle(msg).catch((err: unknown) => {
    send({ kind: 'error', message: err instanceof Error ? (err.stack ?? err.message) : String(err) });
  });
});
