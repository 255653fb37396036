import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { stringify } from 'yaml';
import { type Fields, SMARTSHUNT, VeDirectDevice } from '../emulators/vedirect-device.js';
import { cli, type RunningService, startService } from '../helpers/cli.js';
import { type Collector, collect, type Mosquitto, startMosquitto } from '../helpers/mosquitto.js';
import { type PtyPair, startPtyPair } from '../helpers/pty.js';

/**
 * Issue 12, Deliver 8, on real processes: the built service reads a VE.Direct battery monitor (the
 * emulator on a socat PTY) and publishes to a real Mosquitto. The status heartbeat is set to an hour, so
 * every fresh value below can only have come from publishing on change: the battery's first value at
 * once (the report: null for the first minute), a move past the deadband soon, in the CLI's `status`,
 * the MQTT `status` and the page's /api/status alike, and never null again while the device talks.
 */
let dir: string;
let pty: PtyPair;
let device: VeDirectDevice | undefined;
let broker: Mosquitto;
let sub: Collector;
let service: RunningService;
let configFile: string;
let webUrl: string;

const withSoc = (soc: string): Fields[] =>
  SMARTSHUNT.map((block) => block.map(([l, v]) => [l, l === 'SOC' ? soc : v] as const));

interface Battery {
  soc: number | null;
}

async function cliBattery(): Promise<Battery | undefined> {
  const r = await cli(['status', '--json', '--config', configFile]);
  return r.code === 0 ? (JSON.parse(r.stdout) as { battery: Battery }).battery : undefined;
}

async function webBattery(): Promise<Battery | undefined> {
  const res = await fetch(`${webUrl}/api/status`);
  return res.ok ? ((await res.json()) as { battery: Battery }).battery : undefined;
}

function mqttSocs(): Array<number | null> {
  return sub.messages.map((m) => (JSON.parse(m.payload) as { battery: Battery }).battery.soc);
}

async function until(what: string, cond: () => Promise<boolean>, timeoutMs = 30_000): Promise<void> {
  for (const deadline = Date.now() + timeoutMs; Date.now() < deadline; ) {
    if (await cond()) return;
    await new Promise((r) => setTimeout(r, 200));
  }
  throw new Error(`timed out waiting for ${what}`);
}

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'kiosk-fresh-'));
  broker = await startMosquitto();
  sub = await collect(broker.url, 'pima/v1/fresh-point/status');
  pty = await startPtyPair({ appLink: join(dir, 'vedirect-app'), deviceLink: join(dir, 'vedirect-dev') });
  configFile = join(dir, 'config.yaml');
  writeFileSync(
    configFile,
    stringify({
      point: { id: 'fresh-point', capacity: 40 },
      storage: { path: join(dir, 'kiosk.db'), commitIntervalMs: 200 },
      mqtt: { url: broker.url, statusIntervalSec: 3600, drainStartJitterMs: 0 },
      hardware: {
        battery: {
          driver: 'vedirect',
          port: join(dir, 'vedirect-app'),
          intervalSec: 1,
          staleAfterMs: 10_000,
        },
      },
      web: { enabled: true, host: '127.0.0.1', port: 0 },
      sign: { outputs: ['none'] },
    }),
  );
  // the service first, the monitor's first block after: the first status has no battery yet
  service = await startService(['--config', configFile]);
  await service.waitForStderr(/status page on http:\/\/127\.0\.0\.1:\d+\//, 30_000);
  const port = /status page on http:\/\/127\.0\.0\.1:(\d+)\//.exec(service.stderr())?.[1];
  webUrl = `http://127.0.0.1:${port}`;
  await until('the first status', async () => (await cliBattery()) !== undefined);
}, 120_000);

afterAll(async () => {
  if (service && service.child.exitCode === null) service.child.kill('SIGTERM');
  await service?.exited;
  await device?.stop();
  await pty?.stop();
  await sub?.close();
  await broker?.stop();
  rmSync(dir, { recursive: true, force: true });
});

describe('a fresh status (heartbeat one hour)', () => {
  it("shows the battery's first value at once, then each move past the deadband, everywhere", async () => {
    expect((await cliBattery())?.soc).toBeNull(); // no monitor yet: null is the truth
    device = new VeDirectDevice({ path: join(dir, 'vedirect-dev'), intervalMs: 250, blocks: withSoc('876') });
    await device.start();
    await until('87.6 % in the CLI status', async () => (await cliBattery())?.soc === 87.6);
    expect((await webBattery())?.soc).toBe(87.6);
    await until('87.6 % on MQTT', async () => mqttSocs().includes(87.6));

    // 87.6 → 80.0 %: past the 1 % deadband
    device.setBlocks(withSoc('800'));
    await until('80 % in the CLI status', async () => (await cliBattery())?.soc === 80);
    await until('80 % on the page', async () => (await webBattery())?.soc === 80);
    await until('80 % on MQTT', async () => mqttSocs().includes(80));

    // once delivered, never null again while the monitor talks (every status since, in every channel)
    const socs = mqttSocs();
    expect(socs.slice(socs.indexOf(87.6)).every((s) => s !== null)).toBe(true);
    for (let i = 0; i < 5; i++) {
      expect((await cliBattery())?.soc).not.toBeNull();
      expect((await webBattery())?.soc).not.toBeNull();
    }
  }, 120_000);
});
