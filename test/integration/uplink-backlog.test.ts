import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { connectAsync } from 'mqtt';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { codecOf, contentTypeOf } from '../../src/contract/batch-codec.js';
import { ManualClock } from '../../src/core/clock.js';
import type { PointEvent } from '../../src/core/events.js';
import { MemoryLogger } from '../../src/core/logger.js';
import type { Reading } from '../../src/core/readings.js';
import { openLog, type SqliteLog } from '../../src/store/sqlite-log.js';
import { MqttUplink, type MqttUplinkOptions, type UplinkStore } from '../../src/uplink/mqtt-uplink.js';
import { Cleanups } from '../helpers/cleanups.js';
import { FakeOutbox } from '../helpers/fake-outbox.js';
import { startLinkEmulator } from '../helpers/link-emulator.js';
import {
  type Collector,
  collect,
  type Mosquitto,
  sleep,
  startMosquitto,
  startProxy,
  type TcpProxy,
} from '../helpers/mosquitto.js';
import { connectReceiver, ReferenceReceiver } from '../helpers/receiver.js';
import { sampleStatus } from '../helpers/status.js';

const PREFIX = 'pima/backlog';
const T0 = Date.parse('2026-12-01T08:00:00.000Z');

let broker: Mosquitto;
let dir: string;
const cleanups = new Cleanups();
let nextPoint = 0;

beforeAll(async () => {
  broker = await startMosquitto();
  dir = mkdtempSync(join(tmpdir(), 'pima-uplink-'));
});

afterAll(async () => {
  await broker?.stop();
  rmSync(dir, { recursive: true, force: true });
});

afterEach(() => cleanups.run());

function readings(count: number, firstTs = T0): Reading[] {
  return Array.from({ length: count }, (_, i) => ({
    channel: 'battery.soc',
    value: i % 100,
    ts: firstTs + i,
  }));
}

function event(i: number, level: PointEvent['level']): PointEvent {
  return { type: level === 'alarm' ? 'alarm.fuelLow' : 'driver.health', level, ts: T0 + i, message: `e${i}` };
}

interface Rig {
  uplink: MqttUplink;
  logger: MemoryLogger;
  pointId: string;
  base: string;
}

function rig(url: string, outbox: UplinkStore, overrides: Partial<MqttUplinkOptions> = {}): Rig {
  const pointId = `bp-${process.pid}-${nextPoint++}`;
  const logger = new MemoryLogger();
  const uplink = new MqttUplink({
    url,
    topicPrefix: PREFIX,
    pointId,
    keepaliveSec: 10,
    reconnectMinMs: 20,
    reconnectMaxMs: 200,
    batchMaxRecords: 200,
    outbox,
    clock: new ManualClock(T0),
    logger,
    ...overrides,
  });
  cleanups.push(() => uplink.stop());
  return { uplink, logger, pointId, base: `${PREFIX}/${pointId}` };
}

function sqliteLog(name: string): SqliteLog {
  const log = openLog(join(dir, `${name}.db`));
  cleanups.push(() => log.close());
  return log;
}

async function receiver(url: string): Promise<ReferenceReceiver> {
  const r = await connectReceiver(url, PREFIX);
  cleanups.push(() => r.close());
  return r.receiver;
}

async function subscriber(url: string, filter: string): Promise<Collector> {
  const c = await collect(url, filter);
  cleanups.push(() => c.close());
  return c;
}

async function proxyTo(port: number, opts: { refuseMqtt5?: boolean } = {}): Promise<TcpProxy> {
  const p = await startProxy(port, opts);
  cleanups.push(() => p.close());
  return p;
}

async function until(what: string, cond: () => boolean, timeoutMs = 20_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!cond()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await sleep(10);
  }
}

const range = (from: number, to: number): number[] =>
  Array.from({ length: to - from + 1 }, (_, i) => from + i);

describe('store and forward against a real Mosquitto', () => {
  it('drains more than 65,535 records from the SQLite log, across a broker restart without persistence', async () => {
    let own = await startMosquitto();
    cleanups.push(() => own.stop());
    const proxy = await proxyTo(own.port);
    const log = sqliteLog('big');
    const total = 70_000;
    for (let i = 0; i < total; i += 10_000) log.appendReadings(readings(10_000, T0 + i));
    for (let i = 0; i < 30; i++) log.appendEvent(event(i, i % 10 === 0 ? 'alarm' : 'info'));
    const { uplink, pointId, base } = rig(proxy.url, log, {
      batchMaxRecords: 500,
      inFlightMax: 8,
      markIntervalMs: 0,
    });
    // One municipality receiver; it reconnects to the new broker like the point does.
    const rx = new ReferenceReceiver();
    const feed = async (url: string) => {
      const c = await connectReceiver(url, PREFIX);
      cleanups.push(() => c.close());
      c.client.on('message', (topic, payload) => rx.accept(topic, payload));
    };
    await feed(own.url);
    await uplink.start();
    await until('part of the backlog acknowledged', () => log.sentPosition('telemetry') >= 500);
    // PUBACKs stop (a stalled link), then the broker dies mid-drain and comes back empty: no session,
    // no retained messages, and batches it had forwarded but never acknowledged.
    proxy.holdDownstream();
    await sleep(100);
    proxy.setBlocked(true);
    proxy.dropConnections();
    await own.stop();
    const acknowledgedBefore = log.sentPosition('telemetry');
    expect(acknowledgedBefore).toBeLessThan(total);
    proxy.releaseDownstream();
    own = await startMosquitto({ port: own.port });
    await feed(own.url);
    const retained = await subscriber(own.url, `${base}/+`);
    proxy.setBlocked(false);
    await rx.waitFor(pointId, log.epoch, 'telemetry', total, 60_000);
    await rx.waitFor(pointId, log.epoch, 'events', 30, 60_000);
    await until('whole backlog acknowledged', () => log.backlog().telemetry === 0, 20_000);

    expect(rx.problems).toEqual([]);
    expect(rx.order(pointId, log.epoch, 'telemetry')).toEqual(range(1, total));
    expect(rx.order(pointId, log.epoch, 'events')).toEqual(range(1, 30));
    expect(log.sentPosition('telemetry')).toBe(total);
    expect(log.sentPosition('events')).toBe(30);
    // Online and status are retained again on the new broker, published by the reconnect.
    await retained.waitFor((m) => m.topic === `${base}/online` && JSON.parse(m.payload).online === true);
  }, 90_000);

  it('ends with every seq, in order, none missing, over a link cut every few hundred ms while logging', async () => {
    const proxy = await proxyTo(broker.port);
    const log = sqliteLog('flap');
    const { uplink, pointId, logger } = rig(proxy.url, log, { batchMaxRecords: 50, inFlightMax: 6 });
    const rx = await receiver(broker.url);
    await uplink.start();
    for (let round = 0; round < 12; round++) {
      for (let k = 0; k < 8; k++) {
        log.appendReadings(readings(100, T0 + round * 10_000 + k * 100));
        if (k === 4) {
          log.appendEvent(event(round, round % 3 === 0 ? 'alarm' : 'info'));
        }
        uplink.notifyLogged();
        await sleep(30);
      }
      // Each cut hits a live link, so the reconnect count below does not depend on how fast a loaded
      // machine reconnects within a round.
      await until('link up before the cut', () => uplink.state().connected);
      proxy.dropConnections();
    }
    const total = 12 * 8 * 100;
    await until(
      'all acknowledged',
      () => log.backlog().telemetry === 0 && log.backlog().events === 0,
      60_000,
    );
    await rx.waitFor(pointId, log.epoch, 'telemetry', total);
    await rx.waitFor(pointId, log.epoch, 'events', 12);
    expect(rx.problems).toEqual([]);
    expect(rx.order(pointId, log.epoch, 'telemetry')).toEqual(range(1, total));
    expect(rx.order(pointId, log.epoch, 'events')).toEqual(range(1, 12));
    expect(
      logger.lines.filter((l) => l.includes('connected') && l.startsWith('INFO')).length,
    ).toBeGreaterThan(5);
  }, 90_000);

  it('keeps the window within the broker receive maximum and resumes when the PUBACKs come', async () => {
    const own = await startMosquitto({ config: 'max_inflight_messages 5' });
    cleanups.push(() => own.stop());
    const proxy = await proxyTo(own.port);
    const outbox = new FakeOutbox();
    const { uplink, logger, base } = rig(proxy.url, outbox, { batchMaxRecords: 20, inFlightMax: 64 });
    const all = await subscriber(own.url, `${base}/#`);
    await uplink.start();
    await all.waitFor((m) => m.topic.endsWith('/online'));
    await until('online acknowledged', () => logger.lines.some((l) => l.includes('receiveMaximum=5')));
    await sleep(100);
    // Every PUBACK is held from here: what reaches the broker is what the window lets out.
    proxy.holdDownstream();
    const seen = all.messages.length;
    outbox.addReadings(readings(2000));
    uplink.notifyLogged();
    await until('window filled', () => all.messages.length - seen >= 2);
    await sleep(300);
    expect(all.messages.length - seen).toBeLessThanOrEqual(5);
    expect(all.messages.length - seen).toBeGreaterThanOrEqual(2);
    expect(outbox.sentPosition('telemetry')).toBe(0);
    proxy.releaseDownstream();
    await until('drained', () => outbox.backlog().telemetry === 0);
    expect(logger.lines.filter((l) => l.startsWith('WARN'))).toEqual([]);
  });

  it('sends status and alarms ahead of the backlog, and new ones overtake it while it drains', async () => {
    const log = sqliteLog('live');
    for (let i = 0; i < 200_000; i += 20_000) log.appendReadings(readings(20_000, T0 + i));
    log.appendEvent(event(1, 'info'));
    log.appendEvent(event(2, 'alarm'));
    const { uplink, pointId, base } = rig(broker.url, log, { batchMaxRecords: 100, inFlightMax: 4 });
    const all = await subscriber(broker.url, `${base}/#`);
    uplink.publishStatus(sampleStatus({ status: 'OPEN', ts: 'first' }));
    await uplink.start();
    await all.waitFor((m) => m.topic.endsWith('/telemetry'));
    const topics = all.messages.slice(0, 4).map((m) => m.topic.slice(base.length + 1));
    expect(topics).toEqual(['online', 'status', 'events', 'events']);
    expect(JSON.parse(all.messages[2]?.payload ?? '{}')).toMatchObject({ live: true, records: [{ seq: 2 }] });

    // While history still drains, a new alarm and a status change go out ahead of it.
    await until('draining', () => log.sentPosition('telemetry') > 1000);
    const alarm = log.appendEvent(event(3, 'critical'));
    uplink.notifyLogged();
    uplink.publishStatus(sampleStatus({ status: 'FULL', ts: 'second' }));
    const liveAlarm = await all.waitFor(
      (m) => m.topic.endsWith('/events') && m.payload.includes(`"seq":${alarm.seq}`),
    );
    const status = await all.waitFor((m) => m.topic.endsWith('/status') && m.payload.includes('second'));
    const unsent = 200_000 - log.sentPosition('telemetry');
    expect(unsent).toBeGreaterThan(1000);
    expect(all.messages.indexOf(liveAlarm)).toBeGreaterThan(0);
    expect(status.retain).toBe(true);
    const hb = uplink.heartbeat();
    expect(hb.connected).toBe(true);
    expect(hb.backlog.telemetry).toBeGreaterThan(0);
    expect(hb.oldestUnsentAgeSec).toBe(0);
    // 200,000 readings: at a load of 20 the drain alone took over 60 s
    await until('drained', () => log.backlog().telemetry === 0, 240_000);
    await until('rate measured', () => uplink.heartbeat().drainRatePerSec > 0);
    expect(uplink.heartbeat()).toMatchObject({
      backlog: { telemetry: 0, events: 0 },
      etaSec: 0,
      protocol: 'mqtt5',
    });
    expect(pointId).toContain('bp-');
  }, 300_000);

  it('falls back to MQTT 3.1.1 when the broker refuses MQTT 5, and still drains in order', async () => {
    const proxy = await proxyTo(broker.port, { refuseMqtt5: true });
    const outbox = new FakeOutbox();
    outbox.addReadings(readings(300));
    const { uplink, logger, base } = rig(proxy.url, outbox, { batchMaxRecords: 50 });
    const all = await subscriber(broker.url, `${base}/#`);
    uplink.publishStatus(sampleStatus({ status: 'OPEN' }));
    await uplink.start();
    await until('drained', () => outbox.backlog().telemetry === 0);
    expect(logger.lines.some((l) => l.includes('falling back to MQTT 3.1.1'))).toBe(true);
    expect(
      logger.lines.some((l) => l.includes('protocol="MQTT 3.1.1"') || l.includes('protocol=MQTT 3.1.1')),
    ).toBe(true);
    const status = await all.waitFor((m) => m.topic.endsWith('/status'));
    expect(status.properties?.messageExpiryInterval).toBeUndefined();
    expect(uplink.heartbeat().protocol).toBe('mqtt3.1.1');
  });

  it('stops the backlog when the hourly byte budget is spent, while status still goes out', async () => {
    const outbox = new FakeOutbox();
    outbox.addReadings(readings(5000));
    const budget = 20_000;
    const { uplink, logger, base } = rig(broker.url, outbox, {
      batchMaxRecords: 50,
      byteBudgetPerHour: budget,
    });
    const all = await subscriber(broker.url, `${base}/#`);
    await uplink.start();
    await until('budget spent', () => logger.lines.some((l) => l.includes('byte budget spent')));
    await sleep(300);
    const bytes = all.messages.reduce((sum, m) => sum + Buffer.byteLength(m.payload), 0);
    expect(bytes).toBeLessThanOrEqual(budget);
    expect(outbox.backlog().telemetry).toBeGreaterThan(3000);
    uplink.publishStatus(sampleStatus({ status: 'OPEN', ts: 'after the budget' }));
    await all.waitFor((m) => m.topic.endsWith('/status') && m.payload.includes('after the budget'));
  });
});

describe('compression, drain start and live first on a slow link', () => {
  it('signals every compressed batch: by content type on MQTT 5, by its first byte on 3.1.1', async () => {
    const proxy = await proxyTo(broker.port, { refuseMqtt5: true });
    for (const [url, version] of [
      [broker.url, 5],
      [proxy.url, 4],
    ] as const) {
      const log = sqliteLog(`codec-${version}`);
      log.appendReadings(readings(3000));
      log.appendEvent(event(1, 'alarm'));
      const { uplink, pointId, base } = rig(url, log, { compression: 'columnar' });
      const rx = await connectReceiver(broker.url, PREFIX);
      cleanups.push(() => rx.close());
      const seen: Array<{ topic: string; codec: string; contentType: string | undefined }> = [];
      rx.client.on('message', (topic, payload, packet) => {
        if (!topic.startsWith(`${base}/`)) return;
        seen.push({ topic, codec: codecOf(payload), contentType: packet.properties?.contentType });
      });
      await uplink.start();
      await rx.receiver.waitFor(pointId, log.epoch, 'telemetry', 3000);
      await rx.receiver.waitFor(pointId, log.epoch, 'events', 1);
      expect(rx.receiver.problems).toEqual([]);
      const batches = seen.filter((m) => m.topic.endsWith('/telemetry'));
      expect(batches.length).toBeGreaterThan(0);
      for (const b of batches) {
        expect(b.codec).toBe('columnar');
        expect(b.contentType).toBe(version === 5 ? contentTypeOf('columnar') : undefined);
      }
      // The live copy of the alarm stays plain JSON; the ordered batch is compressed like the rest.
      expect(seen.filter((m) => m.topic.endsWith('/events')).map((m) => m.codec)).toEqual([
        'none',
        'columnar',
      ]);
    }
  });

  /** The retained drain hint a hub publishes (docs/asyncapi.yaml); `undefined` clears it. */
  async function publishHint(spreadMs: number | undefined): Promise<void> {
    const hub = await connectAsync(broker.url, { protocolVersion: 5, reconnectPeriod: 0 });
    const payload = spreadMs === undefined ? '' : JSON.stringify({ spreadMs });
    await hub.publishAsync(`${PREFIX}/_fleet/drain`, payload, { qos: 1, retain: true });
    await hub.endAsync();
  }

  function startDelay(logger: MemoryLogger): string | undefined {
    return logger.lines.find((l) => l.includes('backlog starts'));
  }

  it('starts a lone point at once when the hub hints no herd, and spreads the start when there is no hint', async () => {
    cleanups.push(() => publishHint(undefined));
    // The hub says: quiet (spread 0). Random 0.99 of a 60 s spread would otherwise be a minute.
    await publishHint(0);
    const quiet = new FakeOutbox();
    quiet.addReadings(readings(500));
    const a = rig(broker.url, quiet, { drainStartJitterMs: 60_000, random: () => 0.99 });
    await a.uplink.start();
    await until('drained at once', () => quiet.backlog().telemetry === 0);
    expect(startDelay(a.logger)).toMatch(/delayMs=0 .*spreadMs=0 .*why=hint/);

    // A herd: the hub asks for a 2 s spread (less than the configured 60 s): 0.99 × 2 s.
    await publishHint(2000);
    const herd = new FakeOutbox();
    herd.addReadings(readings(500));
    const b = rig(broker.url, herd, { drainStartJitterMs: 60_000, random: () => 0.99 });
    await b.uplink.start();
    await until('start decided', () => startDelay(b.logger) !== undefined);
    expect(startDelay(b.logger)).toMatch(/delayMs=1980 .*spreadMs=2000/);
    await until('drained after the spread', () => herd.backlog().telemetry === 0);

    // No hint at all (no hub, or a broker that lost its retained messages): the configured spread.
    await publishHint(undefined);
    const none = new FakeOutbox();
    none.addReadings(readings(2000));
    const c = rig(broker.url, none, { drainStartJitterMs: 60_000, random: () => 0.99 });
    const status = await subscriber(broker.url, `${c.base}/status`);
    c.uplink.publishStatus(sampleStatus({ status: 'OPEN' }));
    await c.uplink.start();
    await status.waitFor(() => true);
    await until('start decided', () => startDelay(c.logger) !== undefined);
    expect(startDelay(c.logger)).toMatch(/delayMs=59400 .*spreadMs=null/);
    // Only the head start (16 KiB, ~190 readings) went while the hint was awaited.
    await sleep(300);
    expect(none.backlog().telemetry).toBeGreaterThan(1500);
  });

  it('lets a status created mid-drain overtake the bulk on a 1 Mbit/s, 100 ms link: only the byte window is ahead of it', async () => {
    const link = await startLinkEmulator(broker.port, { rateBitsPerSec: 1_000_000, rttMs: 100 });
    cleanups.push(() => link.close());
    const log = sqliteLog('slow-link');
    log.appendReadings(readings(12_000));
    const { uplink, pointId } = rig(link.url, log, { drainStartJitterMs: 0 });
    const rx = await connectReceiver(broker.url, PREFIX);
    cleanups.push(() => rx.close());
    const status = await subscriber(broker.url, `${PREFIX}/${pointId}/status`);
    await uplink.start();
    await until('draining', () => rx.receiver.contiguous(pointId, log.epoch, 'telemetry') > 2000, 60_000);
    const upBefore = link.stats.up;
    uplink.publishStatus(sampleStatus({ status: 'FULL', ts: 'mid-drain' }));
    await status.waitFor((m) => m.payload.includes('mid-drain'), 30_000);
    const aheadOfStatus = link.stats.up - upBefore;
    // Bulk still left when the status got through: it did not wait for the backlog.
    expect(rx.receiver.contiguous(pointId, log.epoch, 'telemetry')).toBeLessThan(10_000);
    // What went up the link before it: the in-flight window, sized from the link's BDP (12.5 kB) —
    // a few tens of kB, not the 256 KiB ceiling (2 s of this link).
    expect(aheadOfStatus).toBeLessThan(96 * 1024);
    await rx.receiver.waitFor(pointId, log.epoch, 'telemetry', 12_000, 60_000);
    expect(rx.receiver.problems).toEqual([]);
  }, 120_000);
});
