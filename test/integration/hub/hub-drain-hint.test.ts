import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { connectAsync } from 'mqtt';
import { afterAll, beforeAll, expect, test } from 'vitest';
import { parseDrainHint } from '../../../src/uplink/drain-hint.js';
import { Cleanups } from '../../helpers/cleanups.js';
import type { RunningService } from '../../helpers/cli.js';
import { startHub, writeHubConfig } from '../../helpers/hub-fleet.js';
import { collect, type Mosquitto, startMosquitto } from '../../helpers/mosquitto.js';
import { sampleStatus } from '../../helpers/status.js';

/**
 * Issue 18: the real hub sizes its drain hint to the backlog the points that just came online report
 * in their first status, not only to how many they are.
 */

const cleanups = new Cleanups();
let broker: Mosquitto;
let hub: RunningService;

beforeAll(async () => {
  const dir = await mkdtemp(join(tmpdir(), 'pima-hub-hint-'));
  cleanups.push(() => rm(dir, { recursive: true, force: true }));
  broker = await startMosquitto();
  cleanups.push(() => broker.stop());
  const config = await writeHubConfig(dir, 'hub', {
    brokerUrl: broker.url,
    databaseUrl: `sqlite:${join(dir, 'hub.db')}`,
    staleAfterSec: 60,
  });
  // 10 kB/s: a backlog of 1,000 records (~90 kB) asks for a 9 s spread.
  const text = await readFile(config, 'utf8');
  await writeFile(
    config,
    text.replace('  reconnectMinMs: 200\n', '  reconnectMinMs: 200\n  drainHintBytesPerSec: 10000\n'),
  );
  hub = await startHub(config);
  cleanups.push(async () => {
    hub.child.kill('SIGTERM');
    await hub.exited;
  });
}, 60_000);

afterAll(() => cleanups.run());

test('the hint grows with the backlog the points that came online report', async () => {
  const hint = await collect(broker.url, 'pima/v1/_fleet/drain');
  cleanups.push(() => hint.close());
  expect(parseDrainHint((await hint.waitFor(() => true, 10_000)).payload)).toBe(0);
  const points = await connectAsync(broker.url, { protocolVersion: 5, reconnectPeriod: 0 });
  cleanups.push(() => points.endAsync());
  const ts = new Date().toISOString();
  for (const [id, backlog] of [
    ['hint-a', { telemetry: 900, events: 100 }],
    ['hint-b', { telemetry: 0, events: 0 }],
  ] as const) {
    // Live first, as a point does after its connect: online, then its status with the backlog.
    await points.publishAsync(`pima/v1/${id}/online`, JSON.stringify({ online: true, ts, epoch: 'e' }), {
      qos: 1,
    });
    const status = sampleStatus({ point: id, ts, uplink: { connected: true, backlog } });
    await points.publishAsync(`pima/v1/${id}/status`, JSON.stringify(status), { qos: 1 });
  }
  // Two points by count alone would be 50 ms.
  const sized = await hint.waitFor((m) => parseDrainHint(m.payload) === 9000, 20_000);
  expect(sized.retain).toBe(true); // retained, so points connecting later read it
});
