import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { connectAsync, type MqttClient } from 'mqtt';
import { scenario } from '../../src/drivers/sim/scenarios.js';
import { SimWorld } from '../../src/drivers/sim/world.js';
import { type Mosquitto, sleep, startMosquitto, startProxy, type TcpProxy } from '../helpers/mosquitto.js';
import {
  checkMemory,
  checkMilestones,
  checkSign,
  checkStream,
  integrity,
  lastReadingTs,
  type MemoryVerdict,
  type MilestoneVerdict,
  type OccupancyDrift,
  occupancyDrift,
  openReadOnly,
  runOrigin,
  type SignVerdict,
  type StreamVerdict,
} from './checks.js';
import { type SoakDisk, soakDisk } from './disk.js';
import { SoakLedger } from './ledger.js';
import { type Fault, type FaultKind, faultPlan } from './plan.js';
import { type RunRecord, ServiceRun } from './service.js';

export interface SoakOptions {
  label: string;
  /** Simulated seconds of the `week` scenario to play (7 days for the full soak). */
  simulatedSec: number;
  speed: number;
  seed: number;
  kills: number;
  brokerRestarts: number;
  flaps: number;
  diskFills: number;
  /** Size of the log's tmpfs (as root), and the byte cap used instead when not root. */
  tmpfsMiB: number;
  capBytes: number;
  /** Memory may not grow by more than this within a run (MiB). */
  memoryBoundMiB: number;
  log?: (line: string) => void;
}

export interface SoakReport {
  label: string;
  simulatedSec: number;
  speed: number;
  seed: number;
  realSec: number;
  tmpfs: boolean;
  runs: number;
  faults: Record<FaultKind | 'offlineStart', number>;
  integrity: string;
  dbCheckExit: number;
  delivery: StreamVerdict[];
  sign: SignVerdict;
  memory: MemoryVerdict;
  milestones: MilestoneVerdict;
  /** The people count the log ended with and the people the simulated world holds then (not judged). */
  occupancy: OccupancyDrift;
  messagesReceived: number;
  problems: string[];
}

const POINT = 'soak-01';
const SCENARIO = 'week';
const CAPACITY = 40;
const PREFIX = 'pima/v1';
const SAMPLE_MS = 500;

interface Harness {
  o: SoakOptions;
  base: string;
  dbPath: string;
  configPath: string;
  storageYaml: string;
  ledger: SoakLedger;
  broker: Mosquitto;
  port: number;
  proxy: TcpProxy;
  receiver: MqttClient;
  runs: Array<RunRecord & { spawnedAt: number }>;
  current?: ServiceRun;
  started: number;
  disk: SoakDisk;
}

function configYaml(h: Harness, startSec: number): string {
  return [
    'point:',
    `  id: ${POINT}`,
    `  capacity: ${CAPACITY}`,
    'storage:',
    `  path: ${h.dbPath}`,
    h.storageYaml.trimEnd(),
    'mqtt:',
    `  url: ${h.proxy.url}`,
    '  reconnectMinMs: 100',
    '  reconnectMaxMs: 1000',
    '  drainStartJitterMs: 200',
    'simulation:',
    `  scenario: ${SCENARIO}`,
    `  speed: ${h.o.speed}`,
    `  seed: ${h.o.seed}`,
    `  startSec: ${Math.floor(startSec)}`,
    'logging:',
    '  level: warn',
    '',
  ].join('\n');
}

async function connectReceiver(url: string, ledger: SoakLedger): Promise<MqttClient> {
  const client = await connectAsync(url, { protocolVersion: 5, reconnectPeriod: 0, clean: true });
  client.on('message', (topic, payload) => ledger.accept(topic, payload));
  await client.subscribeAsync([`${PREFIX}/+/telemetry`, `${PREFIX}/+/events`], { qos: 1 });
  return client;
}

/** The run's origin (its first `mains.present`, see RunRecord) and its last reading, after `afterSeq`. */
function runSpan(dbPath: string, afterSeq: number): { originTs: number | null; lastTs: number | null } {
  if (!existsSync(dbPath)) return { originTs: null, lastTs: null };
  const db = openReadOnly(dbPath);
  try {
    return { originTs: runOrigin(db, afterSeq), lastTs: lastReadingTs(db, afterSeq) };
  } catch {
    return { originTs: null, lastTs: null };
  } finally {
    db.close();
  }
}

/** Polls `done` for at least `minMs` and at most `maxMs`; true once it held. */
async function heldUntil(done: () => boolean, minMs: number, maxMs: number): Promise<boolean> {
  const start = Date.now();
  await sleep(minMs);
  for (;;) {
    if (done()) return true;
    if (Date.now() - start >= maxMs) return false;
    await sleep(250);
  }
}

function gapEvents(dbPath: string): number {
  if (!existsSync(dbPath)) return 0;
  const db = openReadOnly(dbPath);
  try {
    return (db.prepare("SELECT count(*) AS n FROM events WHERE type = 'gap'").get() as { n: number }).n;
  } finally {
    db.close();
  }
}

function highest(dbPath: string): { telemetry: number; events: number; sentT: number; sentE: number } {
  const db = openReadOnly(dbPath);
  try {
    const q = (sql: string): number => (db.prepare(sql).get() as { n: number | null } | undefined)?.n ?? 0;
    return {
      telemetry: q('SELECT max(seq) AS n FROM readings'),
      events: q('SELECT max(seq) AS n FROM events'),
      sentT: q("SELECT sent_seq AS n FROM outbox WHERE stream = 'telemetry'"),
      sentE: q("SELECT sent_seq AS n FROM outbox WHERE stream = 'events'"),
    };
  } finally {
    db.close();
  }
}

class Progress {
  /** Simulated seconds reached by the runs that already ended. */
  doneSec = 0;
}

function spawnRun(h: Harness, p: Progress): ServiceRun {
  // whole seconds: the world resumes at an integer step, and the checks map time with the same number
  p.doneSec = Math.floor(p.doneSec);
  const top = existsSync(h.dbPath) ? highest(h.dbPath) : { telemetry: 0, events: 0 };
  writeFileSync(h.configPath, configYaml(h, p.doneSec));
  const run = new ServiceRun({
    index: h.runs.length,
    startSec: p.doneSec,
    afterSeq: { telemetry: top.telemetry, events: top.events },
    configPath: h.configPath,
    sampleMs: SAMPLE_MS,
  });
  h.runs.push(Object.assign(run.record, { spawnedAt: Date.now() }));
  return run;
}

/** Simulated seconds into the week the current run has logged up to. */
function reached(h: Harness, p: Progress): number {
  const run = h.runs.at(-1);
  if (!run) return p.doneSec;
  const span = runSpan(h.dbPath, run.afterSeq.telemetry);
  // remembered at first sight: a full disk sheds the oldest rows, the offline start's among them
  if (run.originTs === undefined && span.originTs !== null) run.originTs = span.originTs;
  if (run.originTs === undefined || span.lastTs === null) return p.doneSec;
  return p.doneSec + Math.max(0, span.lastTs - run.originTs) / 1000;
}

async function quiesce(ledger: SoakLedger): Promise<void> {
  let last = -1;
  for (let i = 0; i < 20 && ledger.messages !== last; i++) {
    last = ledger.messages;
    await sleep(300);
  }
}

async function inject(h: Harness, p: Progress, f: Fault): Promise<void> {
  const log = h.o.log ?? (() => undefined);
  log(
    `${((Date.now() - h.started) / 1000).toFixed(1)} s, day ${(reached(h, p) / 86400).toFixed(2)}: ${f.kind} ${f.holdMs} ms`,
  );
  if (f.kind === 'kill') {
    await h.current?.kill();
    p.doneSec = reached(h, p);
    await sleep(f.holdMs);
    h.current = spawnRun(h, p);
  } else if (f.kind === 'flap') {
    h.proxy.setBlocked(f.holdMs > 500);
    h.proxy.dropConnections();
    await sleep(f.holdMs);
    h.proxy.setBlocked(false);
  } else if (f.kind === 'broker') {
    // Keep the point off while the broker goes, and let the receiver get what the broker already has:
    // a broker without persistence loses what it held for a subscriber, which is not the point's fault.
    h.proxy.setBlocked(true);
    h.proxy.dropConnections();
    await quiesce(h.ledger);
    await h.receiver.endAsync(true);
    await h.broker.stop();
    await sleep(f.holdMs);
    h.broker = await startMosquitto({ port: h.port });
    h.receiver = await connectReceiver(h.broker.url, h.ledger);
    h.proxy.setBlocked(false);
  } else {
    h.disk.fill();
    await sleep(f.holdMs);
    h.disk.free();
  }
}

/** Waits until the outbox has acknowledged everything logged at the time of the call; returns that cut. */
async function catchUp(h: Harness, timeoutMs: number): Promise<{ telemetry: number; events: number }> {
  const cut = highest(h.dbPath);
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const now = highest(h.dbPath);
    const done = now.sentT >= cut.telemetry && now.sentE >= cut.events;
    if (done) return { telemetry: cut.telemetry, events: cut.events };
    if (Date.now() > deadline) {
      throw new Error(
        `no catch-up in ${timeoutMs} ms: sent ${now.sentT}/${cut.telemetry} telemetry, ${now.sentE}/${cut.events} events`,
      );
    }
    await sleep(250);
  }
}

export async function runSoak(o: SoakOptions): Promise<SoakReport> {
  const log = o.log ?? (() => undefined);
  const base = mkdtempSync(join(tmpdir(), 'pima-soak-'));
  const disk = soakDisk(base, o.tmpfsMiB, o.capBytes);
  // The helper picks the port and retries one taken meanwhile; the broker restart reuses it.
  const broker = await startMosquitto();
  const port = broker.port;
  const proxy = await startProxy(port);
  const ledger = new SoakLedger();
  const receiver = await connectReceiver(broker.url, ledger);
  const durationMs = (o.simulatedSec / o.speed) * 1000;
  const plan = faultPlan({
    seed: o.seed,
    durationMs,
    kills: o.kills,
    brokerRestarts: o.brokerRestarts,
    flaps: o.flaps,
    diskFills: o.diskFills,
  });
  const counts: SoakReport['faults'] = { kill: 0, broker: 0, flap: 0, disk: 0, offlineStart: 1 };
  const p = new Progress();
  const h: Harness = {
    o,
    base,
    dbPath: join(disk.dir, 'kiosk.db'),
    configPath: join(base, 'config.yaml'),
    storageYaml: disk.storageYaml,
    ledger,
    broker,
    port,
    proxy,
    receiver,
    runs: [],
    started: Date.now(),
    disk,
  };
  try {
    // A point that has not reached its broker yet when the card fills: the shed rows were never sent,
    // so the log must name them in a gap event.
    proxy.setBlocked(true);
    h.current = spawnRun(h, p);
    h.current.record.offlineStart = true;
    await sleep(Math.min(durationMs * 0.04, 6000));
    // Under load the service may not even have made its schema by then: fill the disk under a log that
    // is logging, as the scenario says, not under one still starting.
    if (!(await heldUntil(() => runSpan(h.dbPath, 0).lastTs !== null, 0, 120_000)))
      throw new Error('the offline start logged no reading within 120 s');
    log(`offline start: disk full at day ${(reached(h, p) / 86400).toFixed(2)}`);
    disk.fill();
    // Held until the log names what it shed (a fixed hold let a roomy WAL ride it out unshed), bounded.
    const shed = await heldUntil(() => gapEvents(h.dbPath) > 0, 3000, 30_000);
    log(`offline start: ${shed ? 'unsent readings shed, gap event logged' : 'no gap event within 30 s'}`);
    disk.free();
    proxy.setBlocked(false);
    for (const f of plan) {
      const wait = f.atMs - (Date.now() - h.started);
      if (wait > 0) await sleep(wait);
      if (reached(h, p) >= o.simulatedSec) break;
      await inject(h, p, f);
      counts[f.kind] += 1;
    }
    while (reached(h, p) < o.simulatedSec) await sleep(500);
    log(
      `day ${(reached(h, p) / 86400).toFixed(2)} reached after ${((Date.now() - h.started) / 1000).toFixed(0)} s: catching up`,
    );
    const cut = await catchUp(h, 120_000);
    await quiesce(ledger);
    const last = h.current;
    const exit = await last.stop();
    if (exit !== 0) log(`last run exited ${exit}: ${last.record.stderrTail.join(' | ')}`);
    return verdict(h, counts, cut, reached(h, p));
  } finally {
    if (h.current?.alive) await h.current.kill();
    await h.receiver.endAsync(true).catch(() => undefined);
    await proxy.close();
    await h.broker.stop();
    disk.cleanup();
    rmSync(base, { recursive: true, force: true });
  }
}

function verdict(
  h: Harness,
  counts: SoakReport['faults'],
  cut: { telemetry: number; events: number },
  endSec: number,
): SoakReport {
  const o = h.o;
  let dbCheckExit = 0;
  try {
    execFileSync(process.execPath, ['dist/src/main.js', 'db', 'check', '--config', h.configPath], {
      stdio: 'ignore',
    });
  } catch (err) {
    dbCheckExit = (err as { status?: number }).status ?? 1;
  }
  const db = openReadOnly(h.dbPath);
  try {
    const delivery = [
      checkStream(db, h.ledger, POINT, 'telemetry', cut.telemetry),
      checkStream(db, h.ledger, POINT, 'events', cut.events),
    ];
    const sign = checkSign(db, h.runs);
    const memory = checkMemory(h.runs, o.memoryBoundMiB, 40);
    const milestones = checkMilestones(db, h.runs, scenario(SCENARIO).milestones, o.simulatedSec / 3600);
    const occupancy = occupancyDrift(
      db,
      new SimWorld(scenario(SCENARIO), o.seed, CAPACITY, Math.floor(endSec)),
    );
    const ok = integrity(db);
    const problems = [
      ...(ok === 'ok' ? [] : [`integrity_check: ${ok}`]),
      ...(dbCheckExit === 0 ? [] : [`pima-kiosk db check exited ${dbCheckExit}`]),
      ...delivery.flatMap((d) => d.problems),
      ...sign.problems,
      ...memory.problems,
      ...milestones.problems,
    ];
    const report: SoakReport = {
      label: o.label,
      simulatedSec: o.simulatedSec,
      speed: o.speed,
      seed: o.seed,
      realSec: Math.round((Date.now() - h.started) / 1000),
      tmpfs: h.disk.mounted,
      runs: h.runs.length,
      faults: counts,
      integrity: ok,
      dbCheckExit,
      delivery,
      sign,
      memory,
      milestones,
      occupancy,
      messagesReceived: h.ledger.messages,
      problems,
    };
    mkdirSync('test-artifacts/soak', { recursive: true });
    writeFileSync(join('test-artifacts/soak', `${o.label}.json`), `${JSON.stringify(report, null, 2)}\n`);
    return report;
  } finally {
    db.close();
  }
}
