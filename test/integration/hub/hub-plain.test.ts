import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, expect, test } from 'vitest';
import { Cleanups } from '../../helpers/cleanups.js';
import type { RunningService } from '../../helpers/cli.js';
import {
  eventually,
  expectHubHasAllOf,
  startHub,
  startPoint,
  writeHubConfig,
  writePointConfig,
} from '../../helpers/hub-fleet.js';
import { persistentBrokerConfig, sleep, startMosquitto, startProxy } from '../../helpers/mosquitto.js';

/**
 * `mqtt.shared: false`: plain subscriptions. Mosquitto 2.0.11 queues for them across its restart, so a
 * point that is back (and publishing) before the hub loses nothing — the case a shared subscription on
 * that broker cannot survive (docs/hub.md).
 */

const cleanups = new Cleanups();
afterAll(() => cleanups.run());

test('one hub with plain subscriptions: a broker restart with the point back first loses nothing', async () => {
  const dir = await mkdtemp(join(tmpdir(), 'pima-hub-plain-'));
  cleanups.push(() => rm(dir, { recursive: true, force: true }));
  const brokerConf = await persistentBrokerConfig(dir);
  let broker = await startMosquitto({ config: brokerConf });
  cleanups.push(() => broker.stop());
  // The hub reaches the broker through a proxy that can keep it away after the restart.
  const hubLink = await startProxy(broker.port);
  cleanups.push(() => hubLink.close());
  const hubConfig = await writeHubConfig(dir, 'hub-plain', {
    brokerUrl: hubLink.url,
    databaseUrl: `sqlite:${join(dir, 'hub.db')}`,
    staleAfterSec: 30,
    shared: false,
  });
  const hub = await startHub(hubConfig);
  cleanups.push(async () => {
    hub.child.kill('SIGTERM');
    await hub.exited;
  });
  const pointConfig = await writePointConfig(dir, broker.url, { id: 'plain-1', lat: 58.38, lon: 26.72 });
  const point: RunningService = await startPoint(pointConfig, 20);
  cleanups.push(async () => {
    point.child.kill('SIGTERM');
    await point.exited;
  });
  await sleep(3000);

  const connects = () => point.stderr().split('uplink: connected').length;
  const before = connects();
  hubLink.setBlocked(true);
  hubLink.dropConnections();
  await broker.stop();
  await sleep(500);
  broker = await startMosquitto({ port: broker.port, config: brokerConf });
  // The point is back and sends while the hub is still away.
  await eventually(
    'the point reconnected',
    async () => connects(),
    (n) => n > before,
    20_000,
  );
  await sleep(3000);
  hubLink.setBlocked(false);

  const counts = await expectHubHasAllOf(hubConfig, 'plain-1', pointConfig);
  expect(counts.telemetry).toBeGreaterThan(20);
}, 180_000);
