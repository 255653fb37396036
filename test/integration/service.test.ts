import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildService } from '../../src/compose.js';
import { buildConfigSchema } from '../../src/config/schema.js';
import { ManualClock } from '../../src/core/clock.js';
import { MemoryLogger } from '../../src/core/logger.js';
import {
  type CollectedMessage,
  collect,
  type Mosquitto,
  sleep,
  startMosquitto,
} from '../helpers/mosquitto.js';

interface Batch {
  point: string;
  epoch: string;
  records: Array<{ seq: number; ts: string; channel?: string; type?: string; value?: number | null }>;
}

const parse = (m: CollectedMessage): Batch => JSON.parse(m.payload) as Batch;

describe('the whole service on the simulator, with a real Mosquitto', () => {
  let broker: Mosquitto;
  let dir: string;

  beforeAll(async () => {
    broker = await startMosquitto();
    dir = mkdtempSync(join(tmpdir(), 'kiosk-it-'));
  });

  afterAll(async () => {
    await broker?.stop();
    rmSync(dir, { recursive: true, force: true });
  });

  it('walks a blackout and delivers online, retained status, telemetry and events matching the log', async () => {
    const config = buildConfigSchema().parse({
      point: { id: 'it-point', capacity: 40 },
      storage: { path: join(dir, 'kiosk.db'), commitIntervalMs: 1000 },
      // No randomised drain start (field default 10 s): the test waits for the backlog to drain.
      mqtt: {
        url: broker.url,
        reconnectMinMs: 100,
        reconnectMaxMs: 1000,
        batchMaxRecords: 100,
        drainStartJitterMs: 0,
      },
      simulation: { scenario: 'blackout', seed: 5 },
      sign: { outputs: ['terminal'] },
    });
    const sub = await collect(broker.url, 'pima/v1/it-point/#');
    const clock = new ManualClock(Date.parse('2026-12-01T06:00:00Z'));
    const logger = new MemoryLogger();
    const signLines: string[] = [];
    const service = buildService({
      config,
      clock,
      logger,
      pid: 999_999,
      terminal: { write: (t) => signLines.push(t), tty: false },
    });
    await service.app.start();
    await sub.waitFor((m) => m.topic.endsWith('/online') && JSON.parse(m.payload).online === true);

    // Two simulated hours: the grid fails at 5 min, the battery carries the point, the room cools.
    for (let minute = 0; minute < 120; minute++) {
      clock.advance(60_000);
      await sleep(2);
    }
    const store = service.store();
    await waitUntil(() => store.backlog().telemetry === 0 && store.backlog().events === 0, 60_000);

    const logged = store.queryReadings({});
    const loggedEvents = store.queryEvents({});
    const lastSent = (topic: string) =>
      sub.messages
        .filter((m) => m.topic === `pima/v1/it-point/${topic}` && JSON.parse(m.payload).live !== true)
        .flatMap((m) => parse(m).records)
        .at(-1)?.seq ?? 0;
    // An empty backlog means the broker acknowledged every batch; the subscriber's copies can still be
    // on their way, later under load: wait for the last of each.
    await waitUntil(
      () =>
        lastSent('telemetry') >= (logged.at(-1)?.seq ?? 0) &&
        lastSent('events') >= (loggedEvents.at(-1)?.seq ?? 0),
      60_000,
    );
    const telemetry = sub.messages.filter((m) => m.topic === 'pima/v1/it-point/telemetry').map(parse);
    const sent = telemetry.flatMap((b) => b.records);
    expect(telemetry.every((b) => b.point === 'it-point' && b.epoch === store.epoch)).toBe(true);
    expect(sent.map((r) => r.seq)).toEqual(logged.map((r) => r.seq));
    expect(sent.map((r) => [r.channel, r.value])).toEqual(logged.map((r) => [r.channel, r.value]));
    expect(telemetry.every((b) => b.records.length <= 100)).toBe(true);

    // alarms also go out once ahead of the backlog as `live` copies (deduplicated by seq); the stream is the rest
    const events = sub.messages
      .filter((m) => m.topic === 'pima/v1/it-point/events' && JSON.parse(m.payload).live !== true)
      .flatMap((m) => parse(m).records);
    expect(events.map((e) => e.seq)).toEqual(loggedEvents.map((e) => e.seq));
    const states = events.filter((e) => e.type === 'state.changed').map((e) => e.seq);
    expect(states.length).toBeGreaterThanOrEqual(2);
    expect(signLines.some((l) => l.includes('OPEN · LIMITED (battery-only'))).toBe(true);

    const status = sub.messages.filter((m) => m.topic === 'pima/v1/it-point/status');
    expect(status.length).toBeGreaterThan(0);
    const last = JSON.parse(status.at(-1)?.payload ?? '{}');
    expect(last).toMatchObject({
      point: 'it-point',
      status: 'OPEN_LIMITED',
      capacity: 40,
      epoch: store.epoch,
    });
    expect(last.power.source).toMatch(/battery|generator/);

    // A subscriber arriving later sees the retained status and online.
    const late = await collect(broker.url, 'pima/v1/it-point/+');
    const retainedStatus = await late.waitFor((m) => m.topic.endsWith('/status') && m.retain);
    expect(JSON.parse(retainedStatus.payload).status).toBe('OPEN_LIMITED');
    await late.waitFor((m) => m.topic.endsWith('/online') && m.retain);
    await late.close();

    expect(await service.app.stop()).toBe(true);
    expect(await service.app.stop()).toBe(true);
    await sub.waitFor((m) => m.topic.endsWith('/online') && JSON.parse(m.payload).online === false);
    expect(signLines.at(-1)).toContain('dark');
    await sub.close();
    // generous: at a load of 20 the two simulated hours and the drain take well over the default 30 s
  }, 180_000);
});

async function waitUntil(pred: () => boolean, timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!pred()) {
    if (Date.now() > deadline) throw new Error('timed out waiting for the condition');
    await sleep(20);
  }
}
