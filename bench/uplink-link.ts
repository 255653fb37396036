// Benchmark (issue 18): a day of backlog over a slow link. The service (simulated drivers, scenario
// normal) first logs HOURS simulated hours with no uplink; then that log drains through a userspace link
// emulator (test/helpers/link-emulator.ts, in a process of its own; default 1 Mbit/s, 100 ms RTT, no loss) to a local
// Mosquitto, once per batch encoding, and raw mqtt.js publishes the same payloads over the same link
// in the same run. Printed per run: connect → last record received, the physical limit of the bytes
// that crossed the link (bytes × 8 / rate + RTT / 2), the fraction of the link used, bytes per record on the
// wire, and the latency of status messages published at 25/50/75 % of the drain.
// Run: npm run bench:link [-- hours]. Knobs: LINK_RATE (bit/s), LINK_RTT (ms), LINK_LOSS (0..1),
// LINK_SPEED (simulation speed while the backlog is logged), LINK_BACKLOG (an existing log to drain
// instead of logging one; it is copied, never changed).
import { spawn } from 'node:child_process';
import { copyFileSync, existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { cpus, loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import Database from 'better-sqlite3';
import { connectAsync, type MqttClient } from 'mqtt';
import { BATCH_CODECS, type BatchCodec } from '../src/contract/batch-codec.js';
import { ManualClock } from '../src/core/clock.js';
import { LineLogger } from '../src/core/logger.js';
import { openLog } from '../src/store/sqlite-log.js';
import { MqttUplink } from '../src/uplink/mqtt-uplink.js';
import { startMosquitto } from '../test/helpers/mosquitto.js';
import { ReferenceReceiver } from '../test/helpers/receiver.js';
import { sampleStatus } from '../test/helpers/status.js';
import { drainPayloads } from './drain-payloads.js';
import { RemoteLink } from './remote-link.js';

const HOURS = Number(process.argv[2] ?? 24);
const RATE = Number(process.env.LINK_RATE ?? 1_000_000);
const RTT = Number(process.env.LINK_RTT ?? 100);
const LOSS = Number(process.env.LINK_LOSS ?? 0);
const SIM_SPEED = Number(process.env.LINK_SPEED ?? 1500);
const CODECS = (process.env.LINK_CODECS?.split(',') ?? BATCH_CODECS) as BatchCodec[];
const PREFIX = 'pima/bench';
const POINT = 'link-1';
const BATCH = 200;

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
const log = (msg: string) =>
  process.stderr.write(`[link ${new Date().toISOString().slice(11, 19)}] ${msg}\n`);

async function until(cond: () => boolean, what: string, timeoutMs = 600_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!cond()) {
    if (Date.now() > deadline) throw new Error(`bench: timed out waiting for ${what}`);
    await sleep(2);
  }
}

/** The built service logs HOURS simulated hours (sim drivers, no uplink, no web) into `db`. */
async function logBacklog(dir: string, db: string): Promise<void> {
  const cfg = join(dir, 'config.yaml');
  writeFileSync(
    cfg,
    `point:\n  id: ${POINT}\nstorage:\n  path: ${db}\nsign:\n  outputs: [none]\nweb:\n  enabled: false\nlogging:\n  level: warn\n`,
  );
  const child = spawn(
    process.execPath,
    ['dist/src/main.js', 'run', '--config', cfg, '--simulate', 'normal', '--speed', String(SIM_SPEED)],
    { stdio: ['ignore', 'ignore', 'inherit'] },
  );
  const exited = new Promise<void>((resolve) => child.on('exit', () => resolve()));
  // Until the log spans HOURS of simulated time (startup under load takes a while).
  const deadline = Date.now() + ((HOURS * 3600) / SIM_SPEED) * 3000 + 60_000;
  while (spanHours(db) < HOURS && Date.now() < deadline) await sleep(500);
  child.kill('SIGTERM');
  await exited;
}

function spanHours(db: string): number {
  if (!existsSync(db)) return 0;
  try {
    const d = new Database(db, { readonly: true, fileMustExist: true });
    try {
      const r = d.prepare('SELECT min(ts) AS lo, max(ts) AS hi FROM readings').get() as {
        lo: number | null;
        hi: number | null;
      };
      return r.lo === null || r.hi === null ? 0 : (r.hi - r.lo) / 3_600_000;
    } finally {
      d.close();
    }
  } catch {
    return 0; // not created yet
  }
}

interface Backlog {
  telemetry: number;
  events: number;
  epoch: string;
  jsonBytes: number;
  spanH: number;
}

function backlogOf(db: string): Backlog {
  const l = openLog(db);
  try {
    const b = l.backlog();
    const payloads = drainPayloads(l, {
      prefix: PREFIX,
      pointId: POINT,
      topicId: 'raw',
      maxRecords: BATCH,
      codec: 'none',
    });
    return {
      telemetry: b.telemetry,
      events: b.events,
      epoch: l.epoch,
      jsonBytes: payloads.reduce((n, p) => n + p.length, 0),
      spanH: spanHours(db),
    };
  } finally {
    l.close();
  }
}

interface Run {
  label: string;
  drainMs: number;
  bytes: number;
  statusMs: number[];
  /** CPU time of this process (the uplink or raw client, and the receivers' buffering) during the drain. */
  cpuMs: number;
}

function cpuMsSince(start: NodeJS.CpuUsage): number {
  const u = process.cpuUsage(start);
  return (u.user + u.system) / 1000;
}

/** Status messages published at 25/50/75 % of the drain; resolves with their latencies (ms). */
function statusProbe(
  watcher: MqttClient,
  progress: () => number,
  publish: (marker: string) => void,
): { done: Promise<number[]> } {
  const sentAt = new Map<string, number>();
  const latencies: number[] = [];
  watcher.on('message', (_topic, payload) => {
    const m = /"ts":"(probe-\d+)"/.exec(payload.toString());
    const at = m?.[1] ? sentAt.get(m[1]) : undefined;
    if (m?.[1] && at !== undefined) {
      latencies.push(performance.now() - at);
      sentAt.delete(m[1]);
    }
  });
  const done = (async () => {
    // One at a time: status messages coalesce (only the newest waiting one is sent).
    for (const fraction of [0.25, 0.5, 0.75]) {
      await until(() => progress() >= fraction, `${fraction * 100} % of the drain`);
      const marker = `probe-${fraction * 100}`;
      sentAt.set(marker, performance.now());
      publish(marker);
      await until(() => !sentAt.has(marker), `status ${marker}`, 60_000);
    }
    return latencies;
  })();
  return { done };
}

async function ours(
  codec: BatchCodec,
  db: string,
  dir: string,
  backlog: Backlog,
  brokerUrl: string,
  link: RemoteLink,
): Promise<Run> {
  const copy = join(dir, `ours-${codec}.db`);
  copyFileSync(db, copy);
  const l = openLog(copy);
  // Received messages are only kept while the drain runs (progress from their MQTT 5 key-range
  // properties) and checked by the reference receiver afterwards: a receiver decoding in this process
  // would take CPU from the uplink under test, which a real receiver does not.
  const received: Array<{ topic: string; payload: Buffer; contentType: string | undefined }> = [];
  const lastSeq: Record<string, number> = { telemetry: 0, events: 0 };
  const rx = await connectAsync(brokerUrl, { protocolVersion: 5, reconnectPeriod: 0 });
  rx.on('message', (topic, payload, packet) => {
    received.push({ topic, payload, contentType: packet.properties?.contentType });
    const props = packet.properties?.userProperties;
    const stream = typeof props?.stream === 'string' ? props.stream : undefined;
    if (stream !== undefined) lastSeq[stream] = Math.max(lastSeq[stream] ?? 0, Number(props?.lastSeq));
  });
  await rx.subscribeAsync([`${PREFIX}/${POINT}/telemetry`, `${PREFIX}/${POINT}/events`], { qos: 1 });
  const watcher = await connectAsync(brokerUrl, { protocolVersion: 5, reconnectPeriod: 0 });
  await watcher.subscribeAsync(`${PREFIX}/${POINT}/status`, { qos: 1 });
  let connectedAt = 0;
  const logger = new LineLogger(
    (line) => {
      if (process.env.LINK_DEBUG) log(line);
      if (line.includes(': connected ') && connectedAt === 0) connectedAt = performance.now();
    },
    process.env.LINK_DEBUG ? 'debug' : 'info',
  );
  const uplink = new MqttUplink({
    url: link.url,
    topicPrefix: PREFIX,
    pointId: POINT,
    keepaliveSec: 30,
    reconnectMinMs: 1000,
    reconnectMaxMs: 5000,
    batchMaxRecords: BATCH,
    compression: codec,
    // The default spread, with the hub's hint that this point is alone.
    drainStartJitterMs: 10_000,
    outbox: l,
    clock: new ManualClock(Date.now()),
    logger,
  });
  uplink.publishStatus(sampleStatus({ status: 'OPEN', ts: 'before' }));
  const total = backlog.telemetry + backlog.events;
  const progress = () => ((lastSeq.telemetry ?? 0) + (lastSeq.events ?? 0)) / total;
  const probe = statusProbe(watcher, progress, (ts) =>
    uplink.publishStatus(sampleStatus({ status: 'OPEN', ts })),
  );
  // Bytes from the CONNECT on: the CONNECT/CONNACK themselves are ~100 bytes.
  const upBefore = (await link.stats()).up;
  const trace = process.env.LINK_DEBUG
    ? setInterval(() => {
        void link.stats().then((st) => {
          const t = connectedAt ? (performance.now() - connectedAt).toFixed(0) : '-';
          log(`t+${t} ms: up ${st.up - upBefore} B, ${(progress() * 100).toFixed(0)} %`);
        });
      }, 50)
    : undefined;
  const cpu = process.cpuUsage();
  await uplink.start();
  await until(() => progress() >= 1, 'the drain');
  clearInterval(trace);
  const drainMs = performance.now() - connectedAt;
  const cpuMs = cpuMsSince(cpu);
  const bytes = (await link.stats()).up - upBefore;
  const statusMs = await probe.done;
  const receiver = new ReferenceReceiver();
  for (const m of received) receiver.accept(m.topic, m.payload, m.contentType);
  const got =
    receiver.contiguous(POINT, backlog.epoch, 'telemetry') +
    receiver.contiguous(POINT, backlog.epoch, 'events');
  if (receiver.problems.length > 0 || got !== total) {
    throw new Error(`receiver: ${got} of ${total} records; ${receiver.problems.join('; ')}`);
  }
  await uplink.stop();
  await rx.endAsync();
  await watcher.endAsync();
  l.close();
  return { label: `ours, ${codec}`, drainMs, bytes, statusMs, cpuMs };
}

/** Raw mqtt.js: the same payloads, QoS 1, all handed to the client at once, over the same link. */
async function raw(codec: BatchCodec, db: string, brokerUrl: string, link: RemoteLink): Promise<Run> {
  const l = openLog(db);
  const payloads = drainPayloads(l, {
    prefix: PREFIX,
    pointId: POINT,
    topicId: 'raw',
    maxRecords: BATCH,
    codec,
  });
  l.close();
  let received = 0;
  const rx = await connectAsync(brokerUrl, { protocolVersion: 5, reconnectPeriod: 0 });
  rx.on('message', () => {
    received += 1;
  });
  await rx.subscribeAsync(`${PREFIX}/raw/telemetry`, { qos: 1 });
  const watcher = await connectAsync(brokerUrl, { protocolVersion: 5, reconnectPeriod: 0 });
  await watcher.subscribeAsync(`${PREFIX}/raw/status`, { qos: 1 });
  const upBefore = (await link.stats()).up;
  const cpu = process.cpuUsage();
  const client = await connectAsync(link.url, { protocolVersion: 5, reconnectPeriod: 0, clean: true });
  const connectedAt = performance.now();
  const probe = statusProbe(
    watcher,
    () => received / payloads.length,
    (ts) => client.publish(`${PREFIX}/raw/status`, JSON.stringify({ status: 'OPEN', ts }), { qos: 1 }),
  );
  for (const p of payloads) client.publish(`${PREFIX}/raw/telemetry`, p, { qos: 1 });
  await until(() => received >= payloads.length, 'the raw drain');
  const drainMs = performance.now() - connectedAt;
  const cpuMs = cpuMsSince(cpu);
  const bytes = (await link.stats()).up - upBefore;
  const statusMs = await probe.done;
  await client.endAsync();
  await rx.endAsync();
  await watcher.endAsync();
  return { label: `raw mqtt.js, ${codec}`, drainMs, bytes, statusMs, cpuMs };
}

async function main(): Promise<void> {
  const dir = mkdtempSync(join(tmpdir(), 'pima-bench-link-'));
  const broker = await startMosquitto();
  let link: RemoteLink | undefined;
  try {
    const db = join(dir, 'kiosk.db');
    if (process.env.LINK_BACKLOG) {
      copyFileSync(process.env.LINK_BACKLOG, db);
    } else {
      log(`logging ${HOURS} simulated hours at ${SIM_SPEED}× (${((HOURS * 3600) / SIM_SPEED).toFixed(0)} s)`);
      await logBacklog(dir, db);
    }
    const backlog = backlogOf(db);
    const records = backlog.telemetry + backlog.events;
    log(
      `backlog: ${backlog.telemetry} readings + ${backlog.events} events over ${backlog.spanH.toFixed(1)} h`,
    );
    link = await RemoteLink.start(broker.port, { rateBitsPerSec: RATE, rttMs: RTT, loss: LOSS });
    // The hub's drain hint: this point reconnects alone.
    const hub = await connectAsync(broker.url, { protocolVersion: 5, reconnectPeriod: 0 });
    await hub.publishAsync(`${PREFIX}/_fleet/drain`, JSON.stringify({ spreadMs: 0 }), {
      qos: 1,
      retain: true,
    });
    await hub.endAsync();
    const load = loadavg()[0] ?? 0;
    const runs: Run[] = [];
    for (const codec of CODECS) {
      log(`ours, ${codec}`);
      runs.push(await ours(codec, db, dir, backlog, broker.url, link));
      log(`raw mqtt.js, ${codec}`);
      runs.push(await raw(codec, db, broker.url, link));
    }
    const f = (n: number, d = 2) => n.toFixed(d);
    console.log(
      `bench:link — ${HOURS} h backlog of scenario normal: ${backlog.telemetry} readings + ${backlog.events} events (${f(backlog.jsonBytes / 1e6)} MB as JSON batches)`,
    );
    console.log(
      `link: ${RATE / 1e6} Mbit/s, RTT ${RTT} ms, loss ${LOSS * 100} % (userspace emulator); ${new Date().toISOString()}`,
    );
    console.log(
      `machine: ${cpus()[0]?.model ?? '?'} × ${cpus().length}, node ${process.version}, load average ${f(load)} → ${f(loadavg()[0] ?? 0)}`,
    );
    console.log(
      'run                      | connect→last record | physical limit | drain/limit | link used | bytes/record | status latency 25/50/75 % (ms) | CPU ms',
    );
    for (const r of runs) {
      // The last byte cannot arrive before every byte was sent at the link rate and crossed it once.
      const limitMs = (r.bytes * 8 * 1000) / RATE + RTT / 2;
      console.log(
        `${r.label.padEnd(24)} | ${f(r.drainMs / 1000).padStart(17)} s | ${f(limitMs / 1000).padStart(12)} s | ${f(r.drainMs / limitMs).padStart(11)} | ${f((limitMs / r.drainMs) * 100, 0).padStart(7)} % | ${f(r.bytes / records, 1).padStart(12)} | ${r.statusMs.map((m) => f(m, 0)).join(' / ')} | ${f(r.cpuMs, 0)}`,
      );
    }
    for (const codec of CODECS) {
      const o = runs.find((r) => r.label === `ours, ${codec}`);
      const r = runs.find((x) => x.label === `raw mqtt.js, ${codec}`);
      if (o && r) console.log(`${codec}: raw mqtt.js / ours drain time ${f(r.drainMs / o.drainMs)}`);
    }
  } finally {
    await link?.close();
    await broker.stop();
    rmSync(dir, { recursive: true, force: true });
  }
}

await main();
