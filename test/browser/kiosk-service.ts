import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { buildService, type Service } from '../../src/compose.js';
import { configSchema, type KioskConfig } from '../../src/config/schema.js';
import { ManualClock } from '../../src/core/clock.js';
import { MemoryLogger } from '../../src/core/logger.js';

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
  opts: { web?: Record<string, unknown>; point?: Record<string, unknown>; scenario?: string } = {},
): Promise<RunningKiosk> {
  const dir = mkdtempSync(join(tmpdir(), 'kiosk-web-'));
  const config = configSchema.parse({
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
    simulation: { scenario: opts.scenario ?? 'normal', seed: 3 },
    sign: { outputs: ['none'] },
    web: { enabled: true, host: '127.0.0.1', port: 0, languages: ['et', 'uk', 'ru', 'en'], ...opts.web },
  });
  const clock = new ManualClock(START);
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
