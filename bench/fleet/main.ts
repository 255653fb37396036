// Benchmark (issues 9, 18): a fleet of N simulated points (default 200) on one Mosquitto with per-point
// credentials and the shipped ACL (docs/broker/aclfile). Measures the broker's load at normal rates and
// during a synchronised reconnect of every point after a grid return, twice in the same run: with
// mqtt.drainStartJitterMs 0 (the baseline) and with the default jitter. In the same run, a lone point
// (one more, behind an emulated 1 Mbit/s, 100 ms link) comes back with hours of backlog while the fleet
// is quiet: the drain hint the hub publishes then lets it start at once instead of the default spread.
// The lone point's log (hours of the normal scenario, logged alone at full speed) is then the template
// of every fleet point's outage backlog: 200 points cannot log hours each in the bench's seconds.
// Run: npm run bench:fleet
// Knobs: FLEET_POINTS, FLEET_WORKERS, FLEET_NORMAL_S, FLEET_OUTAGE_S, FLEET_OUTAGE_SPEED, FLEET_DIR,
// FLEET_BACKLOG_H (hours of outage backlog each fleet point comes back with), FLEET_JITTER_MS (the
// second grid-return round's drainStartJitterMs; default the configured default),
// FLEET_LONE_S and FLEET_LONE_SPEED (the lone point's time offline), LINK_RATE, LINK_RTT (its link).
import { type ChildProcess, fork } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { createServer } from 'node:net';
import { cpus, tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { buildConfigSchema } from '../../src/config/schema.js';
import { openLog } from '../../src/store/sqlite-log.js';
import { BACKLOG_HEAD_START_BYTES } from '../../src/uplink/mqtt-uplink.js';
import { RemoteLink } from '../remote-link.js';
import { SecuredBroker } from './broker.js';
import { type Credential, MONITOR_USER, newCredential, RECEIVER_USER } from './credentials.js';
import { Meter } from './meter.js';
import type { BacklogReading, FromWorker, PointProgress, ToWorker, WorkerSetup } from './protocol.js';
import { percentile } from './stats.js';

const env = process.env;
const N = Number(env.FLEET_POINTS ?? 200);
const WORKERS = Number(env.FLEET_WORKERS ?? 4);
const NORMAL_S = Number(env.FLEET_NORMAL_S ?? 30);
const OUTAGE_S = Number(env.FLEET_OUTAGE_S ?? 20);
const OUTAGE_SPEED = Number(env.FLEET_OUTAGE_SPEED ?? 360);
const BACKLOG_H = Number(env.FLEET_BACKLOG_H ?? 8);
const DRAIN_TIMEOUT_MS = 240_000;
const LONE_S = Number(env.FLEET_LONE_S ?? 20);
const LONE_SPEED = Number(env.FLEET_LONE_SPEED ?? 1440);
const LINK_RATE = Number(env.LINK_RATE ?? 1_000_000);
const LINK_RTT = Number(env.LINK_RTT ?? 100);
const LONE_ID = 'fleet-lone';
const DEFAULT_JITTER =
  buildConfigSchema().parse({ point: { id: 'x' }, mqtt: { url: 'mqtt://x' } }).mqtt?.drainStartJitterMs ?? 0;

/** The spread of the second grid return (the first is 0): the default, or longer for a larger backlog. */
const ROUND_JITTER = Number(env.FLEET_JITTER_MS ?? DEFAULT_JITTER);

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
const log = (msg: string) =>
  process.stderr.write(`[fleet ${new Date().toISOString().slice(11, 19)}] ${msg}\n`);

class Worker {
  private waiting: ((m: FromWorker) => void)[] = [];
  constructor(readonly child: ChildProcess) {
    child.on('message', (m: FromWorker) => {
      if (m.kind === 'error') log(`worker ${child.pid} error: ${m.message}`);
      this.waiting.shift()?.(m);
    });
  }
  ask(msg: ToWorker): Promise<FromWorker> {
    return new Promise((resolve) => {
      this.waiting.push(resolve);
      this.child.send(msg);
    });
  }
}

async function all(workers: Worker[], msg: ToWorker): Promise<FromWorker[]> {
  return Promise.all(workers.map((w) => w.ask(msg)));
}

async function progress(workers: Worker[]): Promise<{ points: PointProgress[]; rssMb: number }> {
  const answers = await all(workers, { kind: 'progress' });
  const points: PointProgress[] = [];
  let rssMb = 0;
  for (const a of answers) {
    if (a.kind !== 'progress') throw new Error(`worker answered ${a.kind}`);
    points.push(...a.points);
    rssMb += a.rssMb;
  }
  return { points, rssMb };
}

async function until(
  cond: () => boolean | Promise<boolean>,
  timeoutMs: number,
  what: string,
): Promise<number> {
  const t0 = Date.now();
  while (!(await cond())) {
    if (Date.now() - t0 > timeoutMs) throw new Error(`timed out waiting for ${what}`);
    await sleep(100);
  }
  return Date.now();
}

/** A multi-hour outage's readings, as the lone point logged them, repeated or cut to `hours`. */
interface OutageBacklog {
  readings: BacklogReading[];
  spanMs: number;
}

function outageBacklog(logPath: string, hours: number): OutageBacklog {
  const log = openLog(logPath, { readonly: true });
  let logged: { channel: string; value: number | null; ts: number }[];
  try {
    logged = log.queryReadings({ limit: 1_000_000 });
  } finally {
    log.close();
  }
  const first = logged[0]?.ts;
  const last = logged[logged.length - 1]?.ts;
  if (first === undefined || last === undefined || last <= first)
    throw new Error('the lone point logged no outage');
  const loggedSpan = last - first + 1;
  const spanMs = Math.round(hours * 3_600_000);
  const readings: BacklogReading[] = [];
  for (let offset = 0; offset < spanMs; offset += loggedSpan) {
    for (const r of logged) {
      const atMs = offset + r.ts - first;
      if (atMs >= spanMs) break;
      readings.push({ channel: r.channel, value: r.value, atMs });
    }
  }
  return { readings, spanMs };
}

interface Round {
  jitterMs: number;
  backlogRecords: number;
  /** Topic + payload bytes at the receiver from the return to the end of the drain (all points). */
  bytesReceived: number;
  allConnectedS: number;
  allStatusS: number;
  drainP50S: number;
  drainS: number;
  peakMsgs: number;
  peakBytes: number;
  sysPeakPackets: number;
  sysPeakBytes: number;
  meanBytes: number;
  perSecond: number[];
}

async function reconnectRound(
  jitterMs: number,
  ctx: { broker: SecuredBroker; meter: Meter; workers: Worker[]; outage: OutageBacklog },
): Promise<Round> {
  const { broker, meter, workers, outage } = ctx;
  log(
    `grid return, drainStartJitterMs ${jitterMs}: broker down, points reboot and log ${OUTAGE_S} s at ${OUTAGE_SPEED}x`,
  );
  await broker.stop();
  meter.resetRound();
  await all(workers, { kind: 'restart', drainStartJitterMs: jitterMs });
  await all(workers, { kind: 'speed', speed: OUTAGE_SPEED });
  await sleep(OUTAGE_S * 1000);
  await all(workers, { kind: 'speed', speed: 1 });
  await all(workers, { kind: 'backlog', readings: outage.readings, spanMs: outage.spanMs });
  await all(workers, { kind: 'mark' });
  const before = await progress(workers);
  const backlogRecords = before.points.reduce((s, p) => s + p.backlogAtMark, 0);
  await broker.start();
  const up = Date.now();
  log(`broker up; ${backlogRecords} records wait in ${N} logs`);
  const connectedAt = until(() => meter.connected >= N + 2, DRAIN_TIMEOUT_MS, 'every point connected');
  const statusAt = until(() => meter.statusAt.size >= N, DRAIN_TIMEOUT_MS, 'every status');
  let last: PointProgress[] = [];
  await until(
    async () => {
      last = (await progress(workers)).points;
      return last.every((p) => p.drainedAt !== null);
    },
    DRAIN_TIMEOUT_MS,
    'every backlog drained',
  );
  const drained = last.map((p) => (p.drainedAt ?? up) - up);
  const end = up + Math.max(...drained);
  await Promise.all([connectedAt, statusAt]);
  await sleep(2500); // the broker's last $SYS second of the drain
  const w = meter.received.window(up, end + 1000);
  const s = meter.sys;
  const round: Round = {
    jitterMs,
    backlogRecords,
    bytesReceived: w.bytes,
    allConnectedS: ((await connectedAt) - up) / 1000,
    allStatusS: (Math.max(...meter.statusAt.values()) - up) / 1000,
    drainP50S: (percentile(drained, 50) ?? 0) / 1000,
    drainS: Math.max(...drained) / 1000,
    peakMsgs: w.peakCount,
    peakBytes: w.peakBytes,
    sysPeakPackets: s.packetsReceived.peak(up, end + 2000) ?? 0,
    sysPeakBytes: s.bytesReceived.peak(up, end + 2000) ?? 0,
    meanBytes: (w.bytes * 1000) / Math.max(1, end - up),
    perSecond: meter.received.series(up, Math.ceil((end - up) / 1000) + 1),
  };
  log(`drained in ${round.drainS.toFixed(1)} s`);
  return round;
}

interface LoneRound {
  /** The spread the hub published (from the points it saw come online in the last minute). */
  hintMs: number;
  backlogRecords: number;
  connectToStartMs: number;
  delayMs: number;
  why: string;
  connectToFirstBatchMs: number;
  connectToLastMs: number;
  bytesUp: number;
  limitMs: number;
}

/** A free loopback port: the lone point is configured with it while nothing listens there yet. */
async function freePort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const address = server.address();
  await new Promise<void>((resolve) => server.close(() => resolve()));
  if (address === null || typeof address === 'string') throw new Error('no free port');
  return address.port;
}

/**
 * One more point, alone behind a slow link, offline for LONE_S s at LONE_SPEED× while the fleet stays
 * connected and quiet; then its link comes back. The hub's hint says how far to spread its drain start
 * (from how many points came online in the last minute: none but this one, so 0): it drains at once.
 */
async function loneRound(ctx: {
  broker: SecuredBroker;
  meter: Meter;
  cred: Credential;
  dir: string;
}): Promise<LoneRound> {
  const { broker, meter, cred } = ctx;
  const port = await freePort();
  const worker = new Worker(fork(workerScript(), [], { stdio: ['ignore', 'inherit', 'inherit', 'ipc'] }));
  let link: RemoteLink | undefined;
  try {
    const setup: WorkerSetup = {
      url: `mqtt://127.0.0.1:${port}`,
      dir: ctx.dir,
      points: [cred],
      drainStartJitterMs: DEFAULT_JITTER,
      reconnectMaxMs: 1000,
      seed: 9001,
      traceUplink: true,
    };
    await worker.ask({ kind: 'setup', setup });
    log(`lone point: link down, logging ${LONE_S} s at ${LONE_SPEED}x`);
    await worker.ask({ kind: 'speed', speed: LONE_SPEED });
    await sleep(LONE_S * 1000);
    await worker.ask({ kind: 'speed', speed: 1 });
    await worker.ask({ kind: 'mark' });
    const before = (await progress([worker])).points[0];
    const mark = before?.markSeq;
    if (!before || !mark) throw new Error('lone point has no mark');
    const hintMs = meter.hubSpreadMs();
    await meter.publishHint(hintMs);
    const seen = meter.watch(cred.username);
    link = await RemoteLink.start(broker.port, { rateBitsPerSec: LINK_RATE, rttMs: LINK_RTT, port });
    log(
      `lone point: link up (${LINK_RATE / 1e6} Mbit/s, ${LINK_RTT} ms); ${before.backlogAtMark} records wait; hub hint ${hintMs} ms`,
    );
    await until(
      () => seen.lastSeq.telemetry >= mark.telemetry && seen.lastSeq.events >= mark.events,
      DRAIN_TIMEOUT_MS,
      'the lone point drained',
    );
    const bytesUp = (await link.stats()).up;
    const trace = (await progress([worker])).points[0]?.uplink;
    const connectedAt = trace?.connectedAt;
    if (
      !trace ||
      !connectedAt ||
      trace.backlogStartAt === null ||
      seen.firstBatchAt === null ||
      !seen.lastAt
    ) {
      throw new Error('lone point: no connect or drain start seen');
    }
    return {
      hintMs,
      backlogRecords: before.backlogAtMark,
      connectToStartMs: trace.backlogStartAt - connectedAt,
      delayMs: trace.backlogDelayMs ?? 0,
      why: trace.why ?? '?',
      connectToFirstBatchMs: seen.firstBatchAt - connectedAt,
      connectToLastMs: seen.lastAt - connectedAt,
      bytesUp,
      // Every byte through the link at its rate, the last one crossing it once (as bench:link).
      limitMs: (bytesUp * 8 * 1000) / LINK_RATE + LINK_RTT / 2,
    };
  } finally {
    await worker.ask({ kind: 'stop' }).catch(() => undefined);
    await link?.close();
    // The fleet rounds run without a hub: no hint, the configured spread (the safe side).
    await meter.publishHint(undefined);
  }
}

function workerScript(): string {
  return join(dirname(fileURLToPath(import.meta.url)), 'worker.js');
}

const fmt = (n: number, digits = 0) =>
  n.toLocaleString('en-US', { maximumFractionDigits: digits, minimumFractionDigits: digits });
const kb = (bytes: number) => `${fmt(bytes / 1024, 1)} KiB`;

async function main(): Promise<void> {
  const isRoot = process.getuid?.() === 0;
  const points: Credential[] = Array.from({ length: N }, (_, i) =>
    newCredential(`fleet-${String(i + 1).padStart(3, '0')}`),
  );
  const lone = newCredential(LONE_ID);
  const receiver = newCredential(RECEIVER_USER);
  const monitor = newCredential(MONITOR_USER);
  // The point logs on tmpfs: this bench measures the broker, not 200 logs fsyncing to one disk.
  const base = env.FLEET_DIR ?? (existsSync('/dev/shm') ? '/dev/shm' : tmpdir());
  const dir = mkdtempSync(join(base, 'pima-fleet-'));
  const broker = new SecuredBroker({
    users: [...points, lone, receiver, monitor],
    isRoot,
    config: 'sys_interval 1\nmax_queued_messages 100000',
  });
  await broker.start();
  const meter = new Meter(broker.url, receiver, monitor);
  await meter.start();
  const per = Math.ceil(N / WORKERS);
  const workers: Worker[] = [];
  const t0 = Date.now();
  try {
    for (let w = 0; w < WORKERS; w++) {
      const slice = points.slice(w * per, (w + 1) * per);
      if (slice.length === 0) continue;
      const child = fork(workerScript(), [], { stdio: ['ignore', 'inherit', 'inherit', 'ipc'] });
      const worker = new Worker(child);
      workers.push(worker);
      const setup = {
        url: broker.url,
        dir: join(dir, `w${w}`),
        points: slice,
        drainStartJitterMs: DEFAULT_JITTER,
        reconnectMaxMs: 1000,
        seed: 1000 * w + 1,
      };
      await worker.ask({ kind: 'setup', setup });
    }
    await until(() => meter.connected >= N + 2, 120_000, 'every point connected');
    log(
      `${N} points in ${workers.length} workers up in ${((Date.now() - t0) / 1000).toFixed(1)} s; warming up`,
    );
    await sleep(DEFAULT_JITTER + 5000);

    // Normal rates: real time (speed 1), the default sensor rates of the simulator.
    const n0 = Date.now();
    await sleep(NORMAL_S * 1000);
    const n1 = Date.now();
    const normal = meter.received.window(n0, n1);
    // Then the receiver commands every point once (cmd/status): the ACL lets it, each point answers.
    const results0 = meter.commandResults;
    for (const p of points) meter.command(p.username, 'status', { id: 'fleet' });
    await until(() => meter.commandResults - results0 >= N, 20_000, 'every command result').catch(() => 0);
    const secs = (n1 - n0) / 1000;
    const rss = (await progress(workers)).rssMb;
    const normalRow = {
      msgs: normal.count / secs,
      bytes: normal.bytes / secs,
      sysPackets: meter.sys.packetsReceived.mean(n0, n1) ?? 0,
      sysBytes: meter.sys.bytesReceived.mean(n0, n1) ?? 0,
      peakMsgs: normal.peakCount,
      commandResults: meter.commandResults - results0,
    };
    log(`normal: ${fmt(normalRow.msgs, 1)} msg/s, ${kb(normalRow.bytes)}/s at the receiver`);

    // Before the grid returns: the fleet's own connects are over a minute old, so the hub counts none.
    const loneRow = await loneRound({ broker, meter, cred: lone, dir: join(dir, 'lone') });
    const outage = outageBacklog(join(dir, 'lone', LONE_ID, 'kiosk.db'), BACKLOG_H);
    log(
      `each point's outage backlog: ${outage.readings.length} readings over ${BACKLOG_H} h (the lone point's log)`,
    );
    const rounds: Round[] = [];
    for (const jitter of [0, ROUND_JITTER])
      rounds.push(await reconnectRound(jitter, { broker, meter, workers, outage }));
    print({ normalRow, rounds, rss, secs, lone: loneRow });
  } finally {
    await Promise.all(workers.map((w) => w.ask({ kind: 'stop' }).catch(() => undefined)));
    await meter.stop();
    await broker.dispose();
    rmSync(dir, { recursive: true, force: true });
  }
}

function print(r: {
  normalRow: {
    msgs: number;
    bytes: number;
    sysPackets: number;
    sysBytes: number;
    peakMsgs: number;
    commandResults: number;
  };
  rounds: Round[];
  rss: number;
  secs: number;
  lone: LoneRound;
}): void {
  const { normalRow: n, rounds } = r;
  const out: string[] = [];
  out.push('');
  out.push(
    `fleet: ${N} points (real buildService each, own SQLite log on tmpfs, own credentials) in ${WORKERS} worker processes, one Mosquitto`,
  );
  out.push(
    `machine: ${cpus()[0]?.model ?? '?'} x ${cpus().length}, Node ${process.version}; workers' RSS ${r.rss} MB in total`,
  );
  out.push('');
  out.push(`normal rates (speed 1, ${fmt(r.secs, 0)} s)     | whole fleet        | per point`);
  out.push(`receiver: messages/s                | ${fmt(n.msgs, 1).padStart(18)} | ${fmt(n.msgs / N, 2)}`);
  out.push(`receiver: bytes/s (topic+payload)   | ${kb(n.bytes).padStart(18)} | ${fmt(n.bytes / N, 0)} B`);
  out.push(
    `broker $SYS: MQTT packets received/s     | ${fmt(n.sysPackets, 1).padStart(18)} | ${fmt(n.sysPackets / N, 2)}`,
  );
  out.push(
    `broker $SYS: bytes received/s       | ${kb(n.sysBytes).padStart(18)} | ${fmt(n.sysBytes / N, 0)} B`,
  );
  out.push(`busiest second at the receiver      | ${fmt(n.peakMsgs).padStart(18)} |`);
  out.push(`cmd/status to every point: results  | ${`${n.commandResults} / ${N}`.padStart(18)} |`);
  out.push('');
  out.push(
    `grid return: all points reconnect at once         | jitter 0 (baseline) | jitter ${fmt(ROUND_JITTER)} ms`,
  );
  const row = (label: string, f: (x: Round) => string) =>
    out.push(`${label.padEnd(50)}| ${rounds.map((x) => f(x).padStart(19)).join(' | ')}`);
  row('drainStartJitterMs', (x) => fmt(x.jitterMs));
  row('backlog at the return (records, all points)', (x) => fmt(x.backlogRecords));
  row('backlog per point (records, mean)', (x) => fmt(x.backlogRecords / N));
  row('received, return → drained (all points)', (x) => kb(x.bytesReceived));
  row('every point connected ($SYS, 1-2 s steps) (s)', (x) => fmt(x.allConnectedS, 1));
  row("every point's status received after (s)", (x) => fmt(x.allStatusS, 1));
  row('backlog drained, median point (s)', (x) => fmt(x.drainP50S, 1));
  row('backlog drained, last point = time-to-drain (s)', (x) => fmt(x.drainS, 1));
  row('peak messages/s at the receiver', (x) => fmt(x.peakMsgs));
  row('peak bytes/s at the receiver', (x) => kb(x.peakBytes));
  row('mean bytes/s over the drain', (x) => kb(x.meanBytes));
  row('broker $SYS peak MQTT packets received/s', (x) => fmt(x.sysPeakPackets));
  row('broker $SYS peak bytes received/s', (x) => kb(x.sysPeakBytes));
  const [a, b] = rounds;
  if (a && b && a.peakBytes > 0)
    out.push(
      `peak bytes/s with jitter / without: ${fmt(b.peakBytes / a.peakBytes, 2)}; time-to-drain ratio ${fmt(b.drainS / Math.max(0.001, a.drainS), 2)}`,
    );
  // Before the hint (or its absence) is known each point may send this much unspread.
  const headStart = BACKLOG_HEAD_START_BYTES * N;
  if (b)
    out.push(
      `head start before the drain start is decided: ${kb(BACKLOG_HEAD_START_BYTES)} x ${N} points = ${kb(headStart)} unspread at most, ${fmt((100 * headStart) / Math.max(1, b.bytesReceived), 1)} % of what the jitter round received`,
    );
  const l = r.lone;
  out.push('');
  out.push(
    `lone point back with a backlog while the fleet is quiet (${LINK_RATE / 1e6} Mbit/s, ${LINK_RTT} ms RTT link, default drainStartJitterMs ${fmt(DEFAULT_JITTER)})`,
  );
  out.push(`backlog (records)                                 | ${fmt(l.backlogRecords)}`);
  out.push(`hub's drain hint (spreadMs)                       | ${fmt(l.hintMs)}`);
  out.push(
    `connect → backlog start at the point (ms)         | ${fmt(l.connectToStartMs)} (delay ${fmt(l.delayMs)} ms, decided by: ${l.why})`,
  );
  out.push(`connect → first backlog batch received (ms)       | ${fmt(l.connectToFirstBatchMs)}`);
  out.push(`connect → last record received (s)                | ${fmt(l.connectToLastMs / 1000, 2)}`);
  out.push(
    `physical limit of its ${kb(l.bytesUp)} over the link (s)     | ${fmt(l.limitMs / 1000, 2)}: drain / limit ${fmt(l.connectToLastMs / l.limitMs, 2)}`,
  );
  out.push('');
  for (const x of rounds)
    out.push(`messages per second after the return, jitter ${x.jitterMs}: ${x.perSecond.join(' ')}`);
  process.stdout.write(`${out.join('\n')}\n`);
}

main().catch((err: unknown) => {
  process.stderr.write(`${err instanceof Error ? (err.stack ?? err.message) : String(err)}\n`);
  process.exitCode = 1;
});
