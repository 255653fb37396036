import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { ManualClock } from '../../src/core/clock.js';
import type { PointEvent } from '../../src/core/events.js';
import { MemoryLogger } from '../../src/core/logger.js';
import type { Reading } from '../../src/core/readings.js';
import { MqttUplink, type MqttUplinkOptions } from '../../src/uplink/mqtt-uplink.js';
import { Cleanups } from '../helpers/cleanups.js';
import { FakeOutbox } from '../helpers/fake-outbox.js';
import {
  type CollectedMessage,
  type Collector,
  collect,
  freePort,
  type Mosquitto,
  sleep,
  startMosquitto,
  startProxy,
  type TcpProxy,
} from '../helpers/mosquitto.js';
import { sampleStatus } from '../helpers/status.js';

const PREFIX = 'pima/test';
const T0 = Date.parse('2026-12-01T08:00:00.000Z');

interface Batch {
  point: string;
  epoch: string;
  records: Array<{ seq: number } & Record<string, unknown>>;
}

let broker: Mosquitto;
const cleanups = new Cleanups();
let nextPoint = 0;

beforeAll(async () => {
  broker = await startMosquitto();
});

afterAll(async () => {
  await broker?.stop();
});

afterEach(() => cleanups.run());

function readings(count: number, firstTs = T0): Reading[] {
  return Array.from({ length: count }, (_, i) => ({
    channel: 'battery.voltage',
    value: 12 + i / 100,
    ts: firstTs + i,
  }));
}

function events(count: number): PointEvent[] {
  return Array.from({ length: count }, (_, i) => ({
    type: 'state.changed',
    level: 'info' as const,
    ts: T0 + i,
    message: `event ${i + 1}`,
    data: { seq: -1, to: 'open' },
  }));
}

interface Rig {
  uplink: MqttUplink;
  outbox: FakeOutbox;
  logger: MemoryLogger;
  base: string;
}

function rig(url: string, overrides: Partial<MqttUplinkOptions> = {}): Rig {
  const pointId = `point-${process.pid}-${nextPoint++}`;
  const outbox = new FakeOutbox();
  const logger = new MemoryLogger();
  const uplink = new MqttUplink({
    url,
    topicPrefix: PREFIX,
    pointId,
    keepaliveSec: 10,
    reconnectMinMs: 20,
    reconnectMaxMs: 100,
    batchMaxRecords: 10,
    markIntervalMs: 0,
    outbox,
    clock: new ManualClock(T0),
    logger,
    random: () => 0.5,
    ...overrides,
  });
  cleanups.push(() => uplink.stop());
  return { uplink, outbox, logger, base: `${PREFIX}/${pointId}` };
}

async function subscriber(url: string, filter: string): Promise<Collector> {
  const c = await collect(url, filter);
  cleanups.push(() => c.close());
  return c;
}

async function proxyTo(port: number): Promise<TcpProxy> {
  const p = await startProxy(port);
  cleanups.push(() => p.close());
  return p;
}

async function until(what: string, cond: () => boolean, timeoutMs = 5000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!cond()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await sleep(5);
  }
}

function json(m: CollectedMessage): Record<string, unknown> {
  return JSON.parse(m.payload) as Record<string, unknown>;
}

function batches(c: Collector, topic: string): Batch[] {
  return c.messages.filter((m) => m.topic === topic).map((m) => JSON.parse(m.payload) as Batch);
}

function seqs(bs: Batch[]): number[] {
  return bs.flatMap((b) => b.records.map((r) => r.seq));
}

/** Waits until the subscriber has seen `seq` on `topic` (a PUBACK can overtake the delivery). */
function received(c: Collector, topic: string, seq: number): Promise<CollectedMessage> {
  return c.waitFor(
    (m) => m.topic === topic && (JSON.parse(m.payload) as Batch).records.some((r) => r.seq === seq),
  );
}

function range(from: number, to: number): number[] {
  return Array.from({ length: to - from + 1 }, (_, i) => from + i);
}

function warnings(logger: MemoryLogger): string[] {
  return logger.lines.filter((l) => l.startsWith('WARN'));
}

describe('MqttUplink against a real Mosquitto', () => {
  it('publishes online retained, and the broker sends the last will when the link dies uncleanly', async () => {
    const proxy = await proxyTo(broker.port);
    const { uplink, outbox, base } = rig(proxy.url);
    const live = await subscriber(broker.url, `${base}/online`);
    await uplink.start();
    const online = await live.waitFor((m) => json(m).online === true);
    expect(online.retain).toBe(true);
    expect(json(online)).toEqual({ online: true, ts: '2026-12-01T08:00:00.000Z', epoch: outbox.epoch });
    const late = await subscriber(broker.url, `${base}/online`);
    expect((await late.waitFor(() => true)).retain).toBe(true);

    proxy.dropConnections();
    const will = await live.waitFor((m) => json(m).reason === 'lost');
    expect(will.retain).toBe(true);
    expect(json(will)).toMatchObject({ online: false, ts: '2026-12-01T08:00:00.000Z' });
    await live.waitFor((m) => m !== online && json(m).online === true);
    expect(uplink.state()).toEqual({ connected: true, lastConnectedAt: T0 });

    const started = Date.now();
    await uplink.stop();
    expect(Date.now() - started).toBeLessThan(2000);
    const bye = await live.waitFor((m) => json(m).reason === 'stopped');
    expect(bye.retain).toBe(true);
    expect(uplink.state().connected).toBe(false);
    await sleep(100);
    expect(live.messages.at(-1)).toBe(bye);
  });

  it('sends online, then the retained status with an expiry, then events, then telemetry', async () => {
    const { uplink, outbox, base } = rig(broker.url, { statusExpirySec: 90 });
    outbox.addReadings(readings(3));
    outbox.addEvents(events(2));
    uplink.publishStatus(sampleStatus({ status: 'OPEN', ts: 'a' }));
    const all = await subscriber(broker.url, `${base}/#`);
    await uplink.start();
    await received(all, `${base}/telemetry`, 3);
    expect(all.messages.map((m) => m.topic.slice(base.length + 1))).toEqual([
      'online',
      'status',
      'events',
      'telemetry',
    ]);
    const status = all.messages[1];
    expect(status?.retain).toBe(true);
    expect(status?.properties?.messageExpiryInterval).toBe(90);

    // Coalescing: while one status is in flight only the newest of the rest follows it.
    for (const ts of ['b', 'c', 'd']) uplink.publishStatus(sampleStatus({ status: 'OPEN', ts }));
    await all.waitFor((m) => m.topic.endsWith('/status') && json(m).ts === 'd');
    const sent = all.messages.filter((m) => m.topic.endsWith('/status')).map((m) => json(m).ts);
    // 'b' goes at once or waits for 'a'; either way 'c' is overtaken by 'd' before it is sent.
    expect(sent.slice(0, 1)).toEqual(['a']);
    expect(sent.at(-1)).toBe('d');
    expect(sent).not.toContain('c');
    expect([
      ['a', 'b', 'd'],
      ['a', 'd'],
    ]).toContainEqual(sent);

    const late = await subscriber(broker.url, `${base}/status`);
    const retained = await late.waitFor(() => true);
    expect(retained.retain).toBe(true);
    expect(json(retained).ts).toBe('d');
    expect(retained.properties?.messageExpiryInterval).toBeGreaterThan(0);
    expect(retained.properties?.messageExpiryInterval).toBeLessThanOrEqual(90);
  });

  it('drains events before telemetry, in batches, with exactly the records of the outbox', async () => {
    const { uplink, outbox, base } = rig(broker.url);
    outbox.addReadings(readings(25));
    outbox.addEvents(events(13));
    const all = await subscriber(broker.url, `${base}/+`);
    await uplink.start();
    await until('telemetry drained', () => outbox.sentPosition('telemetry') === 25);
    await received(all, `${base}/telemetry`, 25);

    const topics = all.messages
      .map((m) => m.topic)
      .filter((t) => t.endsWith('/events') || t.endsWith('/telemetry'));
    expect(topics.map((t) => t.slice(base.length + 1))).toEqual([
      'events',
      'events',
      'telemetry',
      'telemetry',
      'telemetry',
    ]);
    const tel = batches(all, `${base}/telemetry`);
    expect(tel.map((b) => b.records.length)).toEqual([10, 10, 5]);
    expect(tel.every((b) => b.point === base.slice(PREFIX.length + 1) && b.epoch === outbox.epoch)).toBe(
      true,
    );
    expect(tel.flatMap((b) => b.records)).toEqual(
      outbox.readings.map((r) => ({
        seq: r.seq,
        ts: new Date(r.ts).toISOString(),
        channel: r.channel,
        value: r.value,
      })),
    );
    const ev = batches(all, `${base}/events`);
    expect(ev.map((b) => b.records.length)).toEqual([10, 3]);
    expect(ev[0]?.records[0]).toEqual({
      seq: 1,
      ts: '2026-12-01T08:00:00.000Z',
      type: 'state.changed',
      level: 'info',
      message: 'event 1',
      data: { seq: -1, to: 'open' },
    });
    expect(seqs(ev)).toEqual(range(1, 13));
    expect(outbox.markSentCalls).toEqual([
      { stream: 'events', seq: 10 },
      { stream: 'events', seq: 13 },
      { stream: 'telemetry', seq: 10 },
      { stream: 'telemetry', seq: 20 },
      { stream: 'telemetry', seq: 25 },
    ]);

    outbox.addReadings(readings(4, T0 + 1000));
    uplink.notifyLogged();
    await until('new records sent', () => outbox.sentPosition('telemetry') === 29);
    await received(all, `${base}/telemetry`, 29);
    expect(seqs(batches(all, `${base}/telemetry`))).toEqual(range(1, 29));
  });

  it('marks records sent only on PUBACK, and resends an unacknowledged batch after a reconnect', async () => {
    const proxy = await proxyTo(broker.port);
    const { uplink, outbox, base } = rig(proxy.url);
    const tel = await subscriber(broker.url, `${base}/telemetry`);
    outbox.addReadings(readings(5));
    await uplink.start();
    await until('first batch acknowledged', () => outbox.sentPosition('telemetry') === 5);

    proxy.holdDownstream();
    outbox.addReadings(readings(5, T0 + 100));
    uplink.notifyLogged();
    await received(tel, `${base}/telemetry`, 10);
    await sleep(200);
    expect(outbox.sentPosition('telemetry')).toBe(5);

    // The PUBACK is lost with the connection: nothing is marked, the batch goes out again.
    proxy.dropConnections();
    proxy.releaseDownstream();
    await until('resent batch acknowledged', () => outbox.sentPosition('telemetry') === 10);
    await until('resent batch received', () => batches(tel, `${base}/telemetry`).length === 3);
    expect(seqs(batches(tel, `${base}/telemetry`))).toEqual([
      ...range(1, 5),
      ...range(6, 10),
      ...range(6, 10),
    ]);
    expect(outbox.markSentCalls).toEqual([
      { stream: 'telemetry', seq: 5 },
      { stream: 'telemetry', seq: 10 },
    ]);

    proxy.holdDownstream();
    outbox.addReadings(readings(1, T0 + 200));
    uplink.notifyLogged();
    await received(tel, `${base}/telemetry`, 11);
    await sleep(100);
    expect(outbox.sentPosition('telemetry')).toBe(10);
    proxy.releaseDownstream();
    await until('held PUBACK delivered', () => outbox.sentPosition('telemetry') === 11);
  });

  it('resumes the drain after the broker is stopped and restarted on the same port', async () => {
    let own = await startMosquitto();
    cleanups.push(() => own.stop());
    const proxy = await proxyTo(own.port);
    const { uplink, outbox, logger, base } = rig(proxy.url);
    const before = await subscriber(own.url, `${base}/+`);
    outbox.addReadings(readings(10));
    await uplink.start();
    await until('first records sent', () => outbox.sentPosition('telemetry') === 10);
    await received(before, `${base}/telemetry`, 10);
    expect(seqs(batches(before, `${base}/telemetry`))).toEqual(range(1, 10));

    await own.stop();
    await until('link down noticed', () => !uplink.state().connected);
    outbox.addReadings(readings(15, T0 + 1000));
    outbox.addEvents(events(2));
    uplink.notifyLogged();
    // retries while the broker is down: waited for, not assumed from a fixed time under any load
    const failedAttempts = () => logger.lines.filter((l) => l.includes('reconnect attempt failed')).length;
    await until('reconnect attempts while down', () => failedAttempts() > 2);
    await sleep(400);
    expect(outbox.backlog()).toEqual({ telemetry: 15, events: 2 });

    // The gate only makes sure the new subscriber is listening before the uplink is back.
    proxy.setBlocked(true);
    own = await startMosquitto({ port: own.port });
    const after = await subscriber(own.url, `${base}/+`);
    proxy.setBlocked(false);
    await until('backlog drained', () => outbox.backlog().telemetry === 0, 10_000);
    await received(after, `${base}/telemetry`, 25);
    expect(outbox.sentPosition('telemetry')).toBe(25);
    expect(outbox.sentPosition('events')).toBe(2);
    expect(seqs(batches(after, `${base}/events`))).toEqual([1, 2]);
    expect(seqs(batches(after, `${base}/telemetry`))).toEqual(range(11, 25));
    expect(warnings(logger).filter((l) => l.includes('lost'))).toHaveLength(1);
    expect(failedAttempts()).toBeGreaterThan(2);
  });

  it('starts without a broker, keeps retrying quietly, and stops promptly (twice)', async () => {
    const port = await freePort();
    const { uplink, logger } = rig(`mqtt://127.0.0.1:${port}`);
    const timersBefore = activeTimers();
    await expect(uplink.start()).resolves.toBeUndefined();
    // more than 3 retries (20..100 ms apart) is about 400 ms unloaded: waited for, with a generous bound
    await until(
      'retries',
      () => logger.lines.filter((l) => l.includes('reconnect attempt failed')).length > 3,
      10_000,
    );
    expect(uplink.state()).toEqual({ connected: false, lastConnectedAt: null });
    // quietly: however many retries, still the one warning
    expect(warnings(logger)).toHaveLength(1);
    expect(warnings(logger)[0]).toContain('ECONNREFUSED');

    const started = Date.now();
    await Promise.all([uplink.stop(), uplink.stop()]);
    await uplink.stop();
    expect(Date.now() - started).toBeLessThan(2000);
    const settled = logger.lines.length;
    await sleep(200);
    expect(logger.lines.slice(settled)).toEqual([]);
    expect(activeTimers()).toBeLessThanOrEqual(timersBefore);
  });
});

function activeTimers(): number {
  return process.getActiveResourcesInfo().filter((r) => r === 'Timeout').length;
}
