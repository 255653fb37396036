import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { MemoryLogger } from '../../../src/core/logger.js';
import type { DriverHealth, DriverSink } from '../../../src/drivers/interfaces.js';
import { VeDirectDriver } from '../../../src/drivers/vedirect/driver.js';
import { MPPT, VeDirectDevice } from '../../emulators/vedirect-device.js';
import { type PtyPair, startPtyPair } from '../../helpers/pty.js';
import { until } from '../../helpers/until.js';

/**
 * The VE.Direct contract suite: the real driver on a real serial port. Against the emulator on a socat
 * PTY always; against a real device when PIMA_TEST_VEDIRECT names its port (e.g. /dev/ttyUSB0), then
 * only the plausibility of what it sends is checked.
 */
const realPort = process.env.PIMA_TEST_VEDIRECT;

class Sink implements DriverSink {
  readings: Array<[string, number | null]> = [];
  healths: DriverHealth[] = [];
  reading(c: string, v: number | null): void {
    this.readings.push([c, v]);
  }
  passage(): void {}
  health(_d: string, h: DriverHealth): void {
    this.healths.push(h);
  }
  latest(c: string): number | null | undefined {
    return this.readings.filter(([k]) => k === c).at(-1)?.[1];
  }
}

describe(`VE.Direct contract on ${realPort ?? 'the emulated MPPT on a socat PTY'}`, () => {
  let dir: string;
  let pty: PtyPair | undefined;
  let device: VeDirectDevice | undefined;
  let driver: VeDirectDriver;
  const sink = new Sink();

  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'vedirect-contract-'));
    let port = realPort;
    if (!port) {
      pty = await startPtyPair();
      device = new VeDirectDevice({ path: pty.device, blocks: MPPT, intervalMs: 300, hex: true });
      await device.start();
      port = pty.app;
    }
    driver = new VeDirectDriver({
      name: 'vedirect.contract',
      port,
      baudRate: 19_200,
      intervalMs: 0,
      staleAfterMs: 5000,
      logger: new MemoryLogger(),
    });
    await driver.start(sink);
  });

  afterAll(async () => {
    await driver?.stop();
    await driver?.stop();
    await device?.stop();
    await pty?.stop();
    rmSync(dir, { recursive: true, force: true });
  });

  it('becomes ok and reports a plausible battery voltage within a few blocks', async () => {
    await until(() => sink.healths.includes('ok'), 'health ok');
    await until(() => typeof sink.latest('battery.voltage') === 'number', 'battery.voltage');
    const v = sink.latest('battery.voltage') ?? 0;
    expect(v).toBeGreaterThan(8);
    expect(v).toBeLessThan(70);
    for (const [channel, value] of sink.readings) {
      if (value === null) continue;
      if (channel === 'battery.soc') expect(value >= 0 && value <= 100).toBe(true);
      // a Phoenix inverter: its AC output is 0 (off) or near the 120/230 V of its model
      if (channel === 'inverter.acVoltage') expect(value === 0 || (value >= 90 && value <= 260)).toBe(true);
      if (channel === 'inverter.inverting' || channel === 'battery.timeToGoInfinite')
        expect([0, 1]).toContain(value);
      expect(Number.isFinite(value)).toBe(true);
    }
    if (realPort) return;
    expect(sink.latest('solar.power')).toBe(42);
    expect(sink.latest('solar.voltage')).toBe(20.45);
    expect(sink.latest('solar.yieldTotal')).toBe(60.78);
    expect(sink.latest('battery.voltage')).toBe(14.99);
  });
});
