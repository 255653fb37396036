// Benchmark (issue 6): drain of a 1,000,000-record backlog from the SQLite log to a local Mosquitto,
// against raw mqtt.js publishing the same payloads with the same QoS and window in the same run, and
// against mqtt.js's own offline-queue replay. Also: reconnect → first live status while the backlog
// waits, a new alarm's latency mid-drain, and peak RSS during the drain. Run: npm run bench:uplink
// (the service's heap cap: node --max-old-space-size=64 dist/bench/uplink-drain.js, as in
// systemd/pima-kiosk.service). Our drain publishes the Buffers the log builds; the raw baseline
// publishes those very Buffers, prebuilt.
import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { cpus, tmpdir } from 'node:os';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { fileURLToPath } from 'node:url';
import { connect, connectAsync } from 'mqtt';
import { ManualClock } from '../src/core/clock.js';
import { LineLogger } from '../src/core/logger.js';
import { openLog, type SqliteLog } from '../src/store/sqlite-log.js';
import { MqttUplink } from '../src/uplink/mqtt-uplink.js';
import { collect, freePort, startMosquitto } from '../test/helpers/mosquitto.js';
import { sampleStatus } from '../test/helpers/status.js';
import { drainPayloads } from './drain-payloads.js';

const N = Number(process.env.BENCH_RECORDS ?? 1_000_000);
const N_OFFLINE = Number(process.env.BENCH_OFFLINE_RECORDS ?? 20_000);
const BATCH = 500;
const WINDOW = 16;
const T0 = Date.parse('2026-12-01T08:00:00.000Z');
const quiet = new LineLogger(() => undefined, 'error');

function fill(log: SqliteLog): void {
  for (let i = 0; i < N; i += 10_000) {
    const n = Math.min(10_000, N - i);
    log.appendReadings(
      Array.from({ length: n }, (_, k) => ({
        channel: 'battery.voltage',
        value: 12 + ((i + k) % 300) / 100,
        ts: T0 + (i + k) * 1000,
      })),
    );
  }
}

async function until(cond: () => boolean, timeoutMs = 600_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!cond()) {
    if (Date.now() > deadline) throw new Error('bench: timed out');
    await new Promise((r) => setTimeout(r, 5));
  }
}

async function ours(url: string, log: SqliteLog) {
  // Not telemetry: a collector holding every batch would measure its own memory, not the drain's.
  const status = await collect(url, 'pima/bench/p1/status');
  const events = await collect(url, 'pima/bench/p1/events');
  const uplink = new MqttUplink({
    url,
    topicPrefix: 'pima/bench',
    pointId: 'p1',
    keepaliveSec: 30,
    reconnectMinMs: 100,
    reconnectMaxMs: 1000,
    batchMaxRecords: BATCH,
    inFlightMax: WINDOW,
    outbox: log,
    clock: new ManualClock(T0 + N * 1000),
    logger: quiet,
  });
  uplink.publishStatus(sampleStatus({ status: 'OPEN', ts: new Date(T0).toISOString() }));
  let peakRss = process.memoryUsage().rss;
  const rssBefore = peakRss;
  // What grows: the JS heap (objects), or external memory (the payload Buffers, mqtt.js's socket).
  const peak = { heapUsed: 0, external: 0 };
  const sampler = setInterval(() => {
    const m = process.memoryUsage();
    peakRss = Math.max(peakRss, m.rss);
    peak.heapUsed = Math.max(peak.heapUsed, m.heapUsed);
    peak.external = Math.max(peak.external, m.external);
  }, 20);
  const t0 = performance.now();
  await uplink.start();
  await status.waitFor(() => true, 10_000);
  const firstStatusMs = performance.now() - t0;
  await until(() => log.sentPosition('telemetry') >= N / 2);
  const alarm = log.appendEvent({
    type: 'alarm.fuelLow',
    level: 'alarm',
    ts: T0 + N * 1000,
    message: 'bench alarm',
  });
  const a0 = performance.now();
  uplink.notifyLogged();
  await events.waitFor((m) => m.payload.includes(`"seq":${alarm.seq}`), 10_000);
  const alarmMs = performance.now() - a0;
  await until(() => log.sentPosition('telemetry') >= N);
  const drainMs = performance.now() - t0;
  clearInterval(sampler);
  await uplink.stop();
  await status.close();
  await events.close();
  return { drainMs, firstStatusMs, alarmMs, peakRss, rssBefore, peak };
}

/** The very payloads our drain sends, built ahead (not timed) from the same log and encoder. */
function payloads(log: SqliteLog): (string | Buffer)[] {
  const from0 = Object.create(log, { sentPosition: { value: () => 0 } }) as SqliteLog;
  return drainPayloads(from0, { prefix: 'pima/bench', pointId: 'p1', maxRecords: BATCH, codec: 'none' });
}

async function rawMqttJs(url: string, all: readonly (string | Buffer)[]): Promise<number> {
  const client = await connectAsync(url, { protocolVersion: 5, clean: true, reconnectPeriod: 0 });
  const t0 = performance.now();
  await new Promise<void>((resolve, reject) => {
    let next = 0;
    let acked = 0;
    const send = (): void => {
      const payload = all[next++];
      if (payload === undefined) return;
      client.publish('pima/bench/raw/telemetry', payload, { qos: 1 }, (err) => {
        if (err) return reject(err);
        acked += 1;
        if (acked === all.length) resolve();
        else send();
      });
    };
    for (let i = 0; i < WINDOW; i++) send();
  });
  const ms = performance.now() - t0;
  await client.endAsync();
  return ms;
}

/** mqtt.js's own store: QoS 1 publishes made while offline, replayed when the broker appears. */
async function offlineReplay(): Promise<number> {
  const port = await freePort();
  const client = connect(`mqtt://127.0.0.1:${port}`, {
    protocolVersion: 5,
    reconnectPeriod: 50,
    clean: true,
  });
  client.on('error', () => undefined);
  let acked = 0;
  for (let i = 0; i < N_OFFLINE; i++) {
    const record = {
      seq: i + 1,
      ts: new Date(T0 + i * 1000).toISOString(),
      channel: 'battery.voltage',
      value: 12,
    };
    client.publish('pima/bench/offline/telemetry', JSON.stringify(record), { qos: 1 }, (err) => {
      if (!err) acked += 1;
    });
  }
  const broker = await startMosquitto({ port });
  const t0 = performance.now();
  await until(() => acked === N_OFFLINE);
  const ms = performance.now() - t0;
  await client.endAsync(true);
  await broker.stop();
  return ms;
}

async function main(): Promise<void> {
  const dir = mkdtempSync(join(tmpdir(), 'pima-bench-uplink-'));
  const broker = await startMosquitto();
  try {
    // The backlog is written by another process, as by an earlier run of the service: this process's
    // memory is then the drain's own.
    execFileSync(process.execPath, [fileURLToPath(import.meta.url), '--fill', join(dir, 'kiosk.db')]);
    const log = openLog(join(dir, 'kiosk.db'));
    const o = await ours(broker.url, log);
    console.log(
      `ours done: drain ${(o.drainMs / 1000).toFixed(2)} s, peak RSS ${(o.peakRss / 1048576).toFixed(1)} MB, heap limit ${process.execArgv.join(' ') || 'default'}`,
    );
    const all = payloads(log);
    const rawMs = await rawMqttJs(broker.url, all);
    const offlineMs = await offlineReplay();
    log.close();
    const mb = (b: number) => (b / 1024 / 1024).toFixed(1);
    const perSec = (n: number, ms: number) => Math.round((n / ms) * 1000);
    console.log(`machine: ${cpus()[0]?.model ?? '?'} × ${cpus().length}, node ${process.version}`);
    console.log(`records ${N}, batch ${BATCH}, window ${WINDOW}, messages ${all.length}`);
    console.log(`ours: drain ${(o.drainMs / 1000).toFixed(2)} s (${perSec(N, o.drainMs)} records/s)`);
    console.log(
      `raw mqtt.js, same payloads/QoS/window: ${(rawMs / 1000).toFixed(2)} s (${perSec(N, rawMs)} records/s)`,
    );
    console.log(`ratio raw/ours (1.0 = no overhead, target >= 0.8): ${(rawMs / o.drainMs).toFixed(2)}`);
    console.log(
      `mqtt.js offline-queue replay, ${N_OFFLINE} records: ${(offlineMs / 1000).toFixed(2)} s (${perSec(N_OFFLINE, offlineMs)} records/s); ours is ${(perSec(N, o.drainMs) / perSec(N_OFFLINE, offlineMs)).toFixed(1)}x faster`,
    );
    console.log(
      `connect -> first live status with ${N} waiting: ${o.firstStatusMs.toFixed(0)} ms (target <= 1000)`,
    );
    console.log(`new alarm mid-drain -> received: ${o.alarmMs.toFixed(0)} ms`);
    console.log(
      `peak RSS during drain: ${mb(o.peakRss)} MB (before: ${mb(o.rssBefore)} MB; target <= 150); peak heap used ${mb(o.peak.heapUsed)} MB, external ${mb(o.peak.external)} MB; node flags: ${process.execArgv.join(' ') || 'none'}`,
    );
  } finally {
    await broker.stop();
    rmSync(dir, { recursive: true, force: true });
  }
}

if (process.argv[2] === '--fill') {
  const log = openLog(process.argv[3] ?? '');
  fill(log);
  log.close();
} else {
  await main();
}
