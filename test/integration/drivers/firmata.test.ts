import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { buildConfigSchema } from '../../../src/config/schema.js';
import { SystemClock } from '../../../src/core/clock.js';
import { MemoryLogger } from '../../../src/core/logger.js';
import { FirmataAnalogDriver } from '../../../src/drivers/firmata/analog-driver.js';
import { FirmataConnection } from '../../../src/drivers/firmata/connection.js';
import type { SignDetail } from '../../../src/sign/output.js';
import { FirmataSign } from '../../../src/sign/outputs/firmata-sign.js';
import { PATTERNS } from '../../../src/sign/pattern.js';
import { FirmataBoardEmulator } from '../../emulators/firmata-board.js';
import { Cleanups } from '../../helpers/cleanups.js';
import { type PtyPair, startPtyPair } from '../../helpers/pty.js';
import { RecordingSink } from '../../helpers/recording-sink.js';

const WAIT = { timeout: 20_000, interval: 50 };

interface Rig {
  dir: string;
  app: string;
  device: string;
  pty: PtyPair;
  board: FirmataBoardEmulator;
}

let rigs: Rig[] = [];
const cleanups = new Cleanups();

afterEach(async () => {
  // The rigs (socat processes) are stopped even when a driver's stop throws, so a failed test leaves
  // nothing running for the next one.
  const stopping = rigs;
  rigs = [];
  try {
    await cleanups.run();
  } finally {
    for (const r of stopping) {
      await r.board.stop();
      await r.pty.stop();
      rmSync(r.dir, { recursive: true, force: true });
    }
  }
});

/** socat PTY pair at stable `link=` paths with the board emulator on the device end. */
async function rig(): Promise<Rig> {
  const dir = mkdtempSync(join(tmpdir(), 'pima-firmata-'));
  const app = join(dir, 'pima-firmata');
  const device = join(dir, 'device');
  const pty = await startPtyPair({ appLink: app, deviceLink: device });
  const board = new FirmataBoardEmulator({ path: device });
  await board.start();
  const r = { dir, app, device, pty, board };
  rigs.push(r);
  return r;
}

/** Unplug: the emulator and socat go away; plug back: both come back at the same paths. */
async function replug(r: Rig, downMs: number): Promise<FirmataBoardEmulator> {
  await r.board.stop();
  await r.pty.stop();
  await new Promise((res) => setTimeout(res, downMs));
  r.pty = await startPtyPair({ appLink: r.app, deviceLink: r.device });
  const board = new FirmataBoardEmulator({ path: r.device });
  board.analog.splice(0, 8, ...r.board.analog);
  await board.start();
  r.board = board;
  return board;
}

function firmataConfig(port: string) {
  return buildConfigSchema().parse({
    point: { id: 'firmata-test' },
    hardware: {
      firmata: {
        port,
        noDataTimeoutSec: 1.5,
        heartbeatSec: 0.5,
        reportEverySec: 1,
        analog: {
          batteryVoltage: { pin: 0, vref: 5, rTop: 30_000, rBottom: 7_500 },
          temperature: {
            sensor: 'thermistor',
            pin: 1,
            name: 'outdoor',
            beta: 3950,
            r0: 10_000,
            rSeries: 10_000,
          },
          fuel: { pin: 2, emptyRaw: 100, fullRaw: 900 },
        },
      },
    },
  }).hardware.firmata;
}

function connection(port: string): FirmataConnection {
  const cfg = firmataConfig(port);
  if (!cfg) throw new Error('no firmata config');
  return new FirmataConnection({
    path: port,
    baudRate: cfg.baudRate,
    noDataTimeoutMs: cfg.noDataTimeoutSec * 1000,
    heartbeatMs: cfg.heartbeatSec * 1000,
    handshakeTimeoutMs: 1500,
    retryMinMs: 200,
    retryMaxMs: 1000,
  });
}

async function analog(port: string) {
  const cfg = firmataConfig(port);
  if (!cfg) throw new Error('no firmata config');
  const board = connection(port);
  const driver = new FirmataAnalogDriver(cfg, board);
  const sink = new RecordingSink();
  await driver.start(sink);
  cleanups.push(() => driver.stop());
  return { driver, sink, board };
}

describe('Firmata board over a PTY (emulated Nano with StandardFirmata)', () => {
  it('handshakes, streams the analog channels and calibrates them', async () => {
    const r = await rig();
    r.board.analog[0] = 512; // 512/1023 × 5 V × (30k + 7.5k) / 7.5k = 12.51 V
    r.board.analog[1] = 512; // thermistor ≈ its r0 → ≈ 25 °C
    r.board.analog[2] = 700; // (700 - 100) / 800 = 75 %
    const { sink, board } = await analog(r.app);
    await vi.waitFor(() => expect(sink.last('battery.voltage')).toBe(12.51), WAIT);
    expect(board.state).toBe('ready');
    expect(sink.last('temperature.outdoor')).toBeCloseTo(25, 0);
    expect(sink.last('generator.fuelLevel')).toBe(75);
    expect([...r.board.reporting].sort()).toEqual([0, 1, 2]);
    r.board.analog[2] = 300;
    await vi.waitFor(() => expect(sink.last('generator.fuelLevel')).toBe(25), WAIT);
    expect(sink.healths.some((h) => h.health === 'ok' && /StandardFirmata/.test(h.message))).toBe(true);
  });

  it('an open thermistor logs null with the reason, and recovers', async () => {
    const r = await rig();
    r.board.analog[0] = 600;
    r.board.analog[1] = 1023;
    r.board.analog[2] = 500;
    const { sink } = await analog(r.app);
    await vi.waitFor(
      () => expect(sink.healths.at(-1)?.message).toMatch(/temperature.outdoor: thermistor open/),
      WAIT,
    );
    expect(sink.values('temperature.outdoor').every((v) => v === null)).toBe(true);
    r.board.analog[1] = 300;
    await vi.waitFor(() => expect(sink.last('temperature.outdoor')).toBeGreaterThan(30), WAIT);
    await vi.waitFor(() => expect(sink.lastHealth()).toBe('ok'), WAIT);
  });

  // unplug and replug at the same path (fault naming the cause, null, the same values back): driver-contract.test.ts

  it('an absent port is a fault and is retried; a board that never answers is a handshake fault', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'pima-firmata-'));
    cleanups.push(() => rmSync(dir, { recursive: true, force: true }));
    const { sink } = await analog(join(dir, 'nothing-here'));
    await vi.waitFor(() => expect(sink.lastHealth()).toBe('fault'), WAIT);
    expect(sink.healths.at(-1)?.message).toMatch(/cannot open .*nothing-here/);
    // a PTY with nothing behind it: the port opens, but nothing answers the handshake
    const r = await rig();
    await r.board.stop();
    const silent = await analog(r.app);
    await vi.waitFor(() => expect(silent.sink.lastHealth()).toBe('fault'), WAIT);
    expect(silent.sink.healths.at(-1)?.message).toMatch(/no Firmata handshake within 1500 ms/);
    expect(silent.sink.readings.every((x) => x.value === null)).toBe(true);
  });
});

const RGB = { red: 9, green: 10, blue: 11 };
const DETAIL: SignDetail = { placesLeft: 3, reasons: [], capacity: 40, services: [], uplink: 'connected' };

async function firmataSign(port: string) {
  const board = connection(port);
  const config = buildConfigSchema().parse({
    point: { id: 'firmata-sign' },
    hardware: { firmata: { port } },
    sign: {
      outputs: ['firmata'],
      firmata: { rgb: { ...RGB }, leds: { OPEN: 4, CLOSED: 7 } },
      lampTest: { atStart: true, dailyAt: null, stepMs: 100 },
    },
  });
  const sign = new FirmataSign({
    sign: config.sign.firmata,
    lampTest: config.sign.lampTest,
    board,
    timers: new SystemClock(),
    scheduler: { daily: () => () => undefined },
    logger: new MemoryLogger(),
  });
  await sign.start();
  cleanups.push(() => sign.stop());
  return { sign, board };
}

describe('Firmata sign (johnny-five LEDs and RGB on the emulated board)', () => {
  it('lamp test, then the RGB LED follows the state colour and blink; LEDs per state; dark on stop', async () => {
    const r = await rig();
    const { sign } = await firmataSign(r.app);
    sign.show(PATTERNS.OPEN, DETAIL);
    // the lamp test shows each state's colour in turn on the RGB LED
    await vi.waitFor(() => expect(r.board.rgb(RGB)).toBe('#009e73'), WAIT);
    const colours = () => {
      const seen: string[] = [];
      const level = new Map<number, number>();
      for (const w of r.board.pwmWrites) {
        level.set(w.pin, w.value);
        const hex = `#${[RGB.red, RGB.green, RGB.blue].map((p) => (level.get(p) ?? 0).toString(16).padStart(2, '0')).join('')}`;
        if (w.pin === RGB.blue && hex !== '#000000' && seen.at(-1) !== hex) seen.push(hex);
      }
      return seen;
    };
    await vi.waitFor(
      () => expect(colours().slice(0, 5)).toEqual(['#009e73', '#f0e442', '#d55e00', '#0072b2', '#cc79a7']),
      WAIT,
    );
    await vi.waitFor(() => expect(r.board.digital.get(4)).toBe(1), WAIT);
    expect(r.board.modes.get(9)).toBe(3); // PWM
    expect(r.board.modes.get(4)).toBe(1); // OUTPUT
    sign.show(PATTERNS.CLOSED, DETAIL); // reddish purple, 1000 on / 1000 off
    await vi.waitFor(() => expect(r.board.rgb(RGB)).toBe('#cc79a7'), WAIT);
    await vi.waitFor(() => expect(r.board.digital.get(4)).toBe(0), WAIT);
    await vi.waitFor(() => expect(r.board.rgb(RGB)).toBe('#000000'), WAIT);
    await vi.waitFor(() => expect(r.board.rgb(RGB)).toBe('#cc79a7'), WAIT);
    await sign.stop();
    // the dark frame was drained to the port before it closed; the board reads it a moment later, RGB
    // first and the LEDs after it (maybe in a later chunk), so all three are waited for together
    await vi.waitFor(() => {
      expect(r.board.rgb(RGB)).toBe('#000000');
      expect(r.board.digital.get(4) ?? 0).toBe(0);
      expect(r.board.digital.get(7) ?? 0).toBe(0);
    }, WAIT);
  });

  it('after an unplug the new board gets the current colour without a restart', async () => {
    const r = await rig();
    const { sign, board } = await firmataSign(r.app);
    sign.show(PATTERNS.OPEN, DETAIL);
    await vi.waitFor(() => expect(r.board.rgb(RGB)).toBe('#009e73'), WAIT);
    await vi.waitFor(() => expect(r.board.digital.get(4)).toBe(1), WAIT);
    const fresh = await replug(r, 200);
    await vi.waitFor(() => expect(board.state).toBe('ready'), WAIT);
    sign.show(PATTERNS.OPEN, DETAIL);
    await vi.waitFor(() => expect(fresh.rgb(RGB)).toBe('#009e73'), WAIT);
    await vi.waitFor(() => expect(fresh.digital.get(4)).toBe(1), WAIT);
  });
});
