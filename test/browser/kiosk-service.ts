import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { buildService, type Service } from '../../src/compose.js';
import { buildConfigSchema, type KioskConfig } from '../../src/config/schema.js';
import { ManualClock } from '../../src/core/clock.js';
import { MemoryLogger } from '../../src/core/logger.js';
import { type Mosquitto, startMosquitto, startProxy, type TcpProxy } from '../helpers/mosquitto.js';

export interface RunningKiosk {
  service: Service;
  clock: ManualClock;
  config: KioskConfig;
  logger: MemoryLogger;
  /** http://127.0.0.1:PORT */
  url: string;
  dir: string;
  /** Moves simulated time on in one-minute steps, yielding to the event loop so HTTP keeps being served. */
  advanceMinutes(minutes: number): Promise<void>;
  stop(): Promise<void>;
}

export const START = Date.parse('2026-12-01T06:00:00Z');

/** The real service (buildService) on the simulator and a ManualClock, serving its page on a free port. */
export async function startKiosk(
  opts: {
    web?: Record<string, unknown>;
    point?: Record<string, unknown>;
    scenario?: string;
    /** Simulated seconds into the scenario at the first clock tick. */
    startSec?: number;
    mqtt?: Record<string, unknown>;
    /** Clock start (ms); START unless given. */
    start?: number;
    /** Technician PIN, written to a private file the service reads (web.pinFile). */
    pin?: string;
  } = {},
): Promise<RunningKiosk> {
  const dir = mkdtempSync(join(tmpdir(), 'kiosk-web-'));
  let pinFile: string | undefined;
  if (opts.pin !== undefined) {
    pinFile = join(dir, 'tech-pin');
    writeFileSync(pinFile, opts.pin, { mode: 0o600 });
  }
  const config = buildConfigSchema().parse({
    point: {
      id: 'web-test-01',
      name: 'Lasnamäe kerksuskeskus',
      capacity: 80,
      timezone: 'Europe/Tallinn',
      services: ['heat', 'charging', 'internet', 'water', 'toilets', 'firstAid', 'stepFree', 'motherChild'],
      ...opts.point,
    },
    // every sample logged: the history tests compare bucket means with dense logged data
    storage: { path: join(dir, 'kiosk.db'), commitIntervalMs: 200, logging: { heartbeatSec: 0 } },
    simulation: { scenario: opts.scenario ?? 'normal', seed: 3, startSec: opts.startSec ?? 0 },
    sign: { outputs: ['none'] },
    web: {
      enabled: true,
      host: '127.0.0.1',
      port: 0,
      languages: ['et', 'uk', 'ru', 'en'],
      ...(pinFile ? { pinFile } : {}),
      ...opts.web,
    },
    ...(opts.mqtt ? { mqtt: opts.mqtt } : {}),
  });
  const clock = new ManualClock(opts.start ?? START);
  const logger = new MemoryLogger();
  const service = buildService({ config, clock, logger, pid: 999_999 });
  await service.app.start();
  const address = service.web()?.address();
  if (!address) throw new Error(`the web server did not start:\n${logger.lines.join('\n')}`);
  return {
    service,
    clock,
    config,
    logger,
    url: `http://127.0.0.1:${address.port}`,
    dir,
    advanceMinutes: async (minutes) => {
      for (let i = 0; i < minutes; i++) {
        clock.advance(60_000);
        await new Promise((r) => setImmediate(r));
      }
    },
    stop: async () => {
      await service.app.stop();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

/** Polls until `pred` holds (real time), for conditions that arrive asynchronously. */
export async function waitFor(
  pred: () => boolean | Promise<boolean>,
  timeoutMs: number,
  what: string,
): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await pred())) {
    if (Date.now() > deadline) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 25));
  }
}

/** Where the blackout kiosk stands when the docs' screenshots are taken (15:30 in Tallinn, at dusk):
 * the generator has run long enough for its fuel to fall visibly on the chart. */
export const BLACKOUT_MOMENT = Date.parse('2026-12-01T13:30:00Z');
/** The week scenario's first blackout begins 6 h in; starting 3 h in leaves 3 h of grid before it. */
const BLACKOUT_START = Date.parse('2026-12-01T07:00:00Z');
const BLACKOUT_SCENARIO_SEC = 3 * 3600;
const GRID_FAILS = Date.parse('2026-12-01T10:00:00Z');

export interface BlackoutKiosk {
  kiosk: RunningKiosk;
  broker: Mosquitto;
  proxy: TcpProxy;
  stop(): Promise<void>;
}

/**
 * The moment the docs show, computed by the real service rather than drawn: a point on the grid with
 * its uplink sending to a broker, then the grid fails (the week scenario), the mobile link goes with it
 * (the proxy to the broker refuses), the battery carries the point until the generator starts, and the
 * backlog piles up. Every figure on the page is what the model makes of that.
 */
export async function startBlackoutKiosk(pin: string): Promise<BlackoutKiosk> {
  const broker = await startMosquitto();
  let proxy: TcpProxy | undefined;
  let kiosk: RunningKiosk | undefined;
  const stop = async (): Promise<void> => {
    await kiosk?.stop();
    await proxy?.close();
    await broker.stop();
  };
  // A failure half-way must not leave the broker (a child process) and the service running: the caller
  // gets no handle to stop them.
  try {
    proxy = await startProxy(broker.port);
    const link = proxy;
    const k = await startKiosk({
      scenario: 'week',
      startSec: BLACKOUT_SCENARIO_SEC,
      start: BLACKOUT_START,
      pin,
      // no random drain start, quick reconnects: the backlog is sent while the link is up
      mqtt: { url: link.url, drainStartJitterMs: 0, reconnectMinMs: 100, reconnectMaxMs: 1000 },
    });
    kiosk = k;
    // Connected before the clock moves: otherwise the point would start out with its internet down.
    await waitFor(
      () => k.logger.lines.some((l) => l.includes('kiosk:uplink: connected')),
      15_000,
      'the uplink to connect',
    );
    // The log's own count: the status is re-evaluated only as the clock moves, and here it stands still.
    const backlog = () => Object.values(k.service.store().backlog()).reduce((a, b) => a + b, 0);
    await k.advanceMinutes((GRID_FAILS - BLACKOUT_START) / 60_000);
    await waitFor(() => backlog() < 500, 20_000, 'the uplink to catch up before the grid fails');
    link.setBlocked(true);
    link.dropConnections();
    await k.advanceMinutes((BLACKOUT_MOMENT - GRID_FAILS) / 60_000);
    return { kiosk: k, broker, proxy: link, stop };
  } catch (err) {
    await stop();
    throw err;
  }
}
