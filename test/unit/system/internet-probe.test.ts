import { createServer, type Server } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { hardwareSchema } from '../../../src/config/hardware-schema.js';
import { ManualClock } from '../../../src/core/clock.js';
import type { DriverSink } from '../../../src/drivers/interfaces.js';
import { InternetProbe } from '../../../src/system/internet-probe.js';
import {
  DEFAULT_INTERNET_TARGETS,
  type InternetProbeConfig,
} from '../../../src/system/internet-probe-config.js';
import { Cleanups } from '../../helpers/cleanups.js';
import { freePort } from '../../helpers/mosquitto.js';

/** Real TCP on loopback: a listening port is "the internet", a port nobody listens on is not. */
const cleanups = new Cleanups();
afterEach(() => cleanups.run());

async function listening(): Promise<{ server: Server; port: number }> {
  const server = createServer((s) => s.destroy());
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  cleanups.push(() => new Promise<void>((r) => server.close(() => r())));
  return { server, port: (server.address() as { port: number }).port };
}

function recorder(): { sink: DriverSink; readings: number[]; health: string[] } {
  const readings: number[] = [];
  const health: string[] = [];
  return {
    readings,
    health,
    sink: {
      reading: (channel, value) => {
        if (channel === 'internet.up' && value !== null) readings.push(value);
      },
      passage: () => undefined,
      health: (driver, h, message) => health.push(`${driver}: ${h} (${message})`),
    },
  };
}

async function until(cond: () => boolean): Promise<void> {
  for (const deadline = Date.now() + 10_000; !cond(); ) {
    if (Date.now() > deadline) throw new Error('timed out');
    await new Promise((r) => setTimeout(r, 10));
  }
}

function probe(targets: Array<{ host: string; port: number }>, clock: ManualClock): InternetProbe {
  const config: InternetProbeConfig = { driver: 'probe', targets, intervalSec: 30, timeoutMs: 2000 };
  const p = new InternetProbe(config, clock);
  cleanups.push(() => p.stop());
  return p;
}

describe('InternetProbe', () => {
  it('says up when any target accepts, down when none does, each round on the service clock', async () => {
    const clock = new ManualClock(0);
    const up = await listening();
    const down = await freePort();
    const r = recorder();
    const p = probe(
      [
        { host: '127.0.0.1', port: down },
        { host: '127.0.0.1', port: up.port },
      ],
      clock,
    );
    await p.start(r.sink);
    await until(() => r.readings.length === 1);
    expect(r.readings).toEqual([1]);
    expect(r.health).toEqual([`internet.probe: ok (probing 127.0.0.1:${down}, 127.0.0.1:${up.port})`]);
    // the host goes away: the next round says down
    await new Promise<void>((res) => up.server.close(() => res()));
    clock.advance(30_000);
    await until(() => r.readings.length === 2);
    expect(r.readings).toEqual([1, 0]);
    // no round before the interval
    clock.advance(29_000);
    await new Promise((res) => setTimeout(res, 100));
    expect(r.readings).toHaveLength(2);
  });

  it('reports nothing after stop, and stop is safe twice', async () => {
    const clock = new ManualClock(0);
    const r = recorder();
    const p = probe([{ host: '127.0.0.1', port: await freePort() }], clock);
    await p.start(r.sink);
    await p.stop();
    await p.stop();
    clock.advance(60_000);
    await new Promise((res) => setTimeout(res, 200));
    expect(r.readings).toEqual([]);
  });

  it('is configured under hardware.internet with a documented default and refuses bad targets', () => {
    expect(hardwareSchema().parse({}).internet).toEqual({ driver: 'sim' });
    const probeCfg = hardwareSchema().parse({ internet: { driver: 'probe' } }).internet;
    expect(probeCfg).toEqual({
      driver: 'probe',
      targets: DEFAULT_INTERNET_TARGETS.map((t) => ({ ...t })),
      intervalSec: 30,
      timeoutMs: 3000,
    });
    expect(hardwareSchema().safeParse({ internet: { driver: 'probe', targets: [] } }).success).toBe(false);
    expect(
      hardwareSchema().safeParse({ internet: { driver: 'probe', targets: [{ host: 'x', port: 0 }] } })
        .success,
    ).toBe(false);
  });
});
