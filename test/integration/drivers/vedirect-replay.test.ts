import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildService, type Service } from '../../../src/compose.js';
import { buildConfigSchema } from '../../../src/config/schema.js';
import { SystemClock } from '../../../src/core/clock.js';
import { MemoryLogger } from '../../../src/core/logger.js';
import { readCapture, SMARTSHUNT, VeDirectDevice } from '../../emulators/vedirect-device.js';
import { type PtyPair, startPtyPair } from '../../helpers/pty.js';
import { until } from '../../helpers/until.js';

/**
 * Captures (test/fixtures/vedirect/*.hex, built from the fields of Victron's published document) replayed
 * byte for byte through a socat PTY into the running service, as a real device's recording would be.
 */
const capture = (name: string): Buffer =>
  readCapture(readFileSync(join(import.meta.dirname, '../../fixtures/vedirect', name), 'latin1'));

async function runService(dir: string, port: string, inverterPort?: string): Promise<Service> {
  const config = buildConfigSchema().parse({
    point: { id: 'vedirect-replay' },
    storage: { path: join(dir, 'kiosk.db'), commitIntervalMs: 100, logging: { heartbeatSec: 0 } },
    hardware: {
      battery: { driver: 'vedirect', port, intervalSec: 0, staleAfterMs: 5000 },
      vedirect: inverterPort
        ? [{ name: 'inverter', port: inverterPort, intervalSec: 0, staleAfterMs: 5000 }]
        : [],
    },
    sign: { outputs: ['none'] },
  });
  const service = buildService({
    config,
    clock: new SystemClock(),
    logger: new MemoryLogger(),
    pid: 999_997,
  });
  await service.app.start();
  return service;
}

for (const [file, title] of [
  ['phoenix-inverter.hex', 'a Phoenix inverter capture gives AC output readings and inverter events'],
  ['bmv712-at-rest.hex', 'a BMV-712 at rest: time-to-go infinite, told apart from no data'],
] as const) {
  describe(`VE.Direct replay: ${title}`, () => {
    let dir: string;
    let pty: PtyPair;
    let device: VeDirectDevice;
    let service: Service;

    beforeAll(async () => {
      dir = mkdtempSync(join(tmpdir(), 'kiosk-vedirect-replay-'));
      pty = await startPtyPair();
      device = new VeDirectDevice({ path: pty.device, capture: capture(file) });
      await device.start();
      service = await runService(dir, pty.app);
    });

    afterAll(async () => {
      await service?.app.stop();
      await device?.stop();
      await pty?.stop();
      rmSync(dir, { recursive: true, force: true });
    });

    const values = (channel: string) =>
      service
        .store()
        .queryReadings({ channel })
        .map((r) => r.value);
    const events = (type: string) =>
      service
        .store()
        .queryEvents({})
        .filter((e) => e.type === type);

    if (file === 'phoenix-inverter.hex') {
      it('logs inverter.acVoltage/acCurrent/acApparentPower exactly as the capture carries them', async () => {
        await until(() => device.cyclesSent >= 2, 'the capture replayed twice');
        await until(() => values('inverter.acVoltage').length >= 4 || undefined, 'AC voltage readings');
        expect(new Set(values('inverter.acVoltage'))).toEqual(new Set([230.01, 229.98, 230.03, 230]));
        expect(new Set(values('inverter.acCurrent'))).toEqual(new Set([0.7, 0.8]));
        expect(new Set(values('inverter.acApparentPower'))).toEqual(new Set([161, 184]));
        expect(new Set(values('inverter.inverting'))).toEqual(new Set([1]));
        expect(new Set(values('inverter.state'))).toEqual(new Set([9]));
        expect(new Set(values('inverter.mode'))).toEqual(new Set([2]));
        expect(values('battery.voltage').every((v) => v !== null && v > 12.3 && v < 12.4)).toBe(true);
        // an inverter is not a battery monitor: no state of charge is made up
        expect(values('battery.soc')).toEqual([]);
        const health = events('driver.health').map((e) => e.message);
        expect(health.some((m) => m.includes('inverter (PID 0xA201'))).toBe(true);
        expect(events('inverter.state')[0]?.message).toBe('inverter: inverting (AC output on)');
        expect(events('inverter.warning').map((e) => e.message)).toContain('inverter warning: low voltage');
      });
    } else {
      it('logs timeToGo null with timeToGoInfinite 1, SOC 100 % and the history counters', async () => {
        await until(() => device.cyclesSent >= 2, 'the capture replayed twice');
        await until(() => values('battery.history.chargedEnergy').length > 0 || undefined, 'history');
        expect(new Set(values('battery.timeToGo'))).toEqual(new Set([null]));
        expect(new Set(values('battery.timeToGoInfinite'))).toEqual(new Set([1]));
        expect(new Set(values('battery.soc'))).toEqual(new Set([100]));
        expect(new Set(values('battery.history.hoursSinceFullCharge'))).toEqual(new Set([24]));
        expect(new Set(values('battery.history.chargedEnergy'))).toEqual(new Set([51]));
        expect(new Set(values('battery.chargeCycles'))).toEqual(new Set([17]));
      });
    }
  });
}

describe('VE.Direct: a SmartShunt in the battery role and a Phoenix inverter beside it (hardware.vedirect)', () => {
  let dir: string;
  const ptys: PtyPair[] = [];
  const devices: VeDirectDevice[] = [];
  let service: Service;

  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'kiosk-vedirect-two-'));
    for (const opts of [
      { blocks: SMARTSHUNT, intervalMs: 250 },
      { capture: capture('phoenix-inverter.hex') },
    ]) {
      const pty = await startPtyPair();
      ptys.push(pty);
      const device = new VeDirectDevice({ path: pty.device, ...opts });
      await device.start();
      devices.push(device);
    }
    service = await runService(dir, ptys[0]?.app ?? '', ptys[1]?.app ?? '');
  });

  afterAll(async () => {
    await service?.app.stop();
    for (const d of devices) await d.stop();
    for (const p of ptys) await p.stop();
    rmSync(dir, { recursive: true, force: true });
  });

  it('each fills its own channels: battery.voltage only from the monitor, the inverter its AC and dcVoltage', async () => {
    const values = (channel: string) =>
      service
        .store()
        .queryReadings({ channel })
        .map((r) => r.value);
    await until(() => values('inverter.acVoltage').length >= 2 || undefined, 'inverter readings');
    await until(() => values('battery.soc').length >= 2 || undefined, 'monitor readings');
    expect(new Set(values('battery.voltage'))).toEqual(new Set([12.85]));
    expect(values('inverter.dcVoltage').every((v) => v !== null && v > 12.3 && v < 12.4)).toBe(true);
    expect(new Set(values('inverter.inverting'))).toEqual(new Set([1]));
    const health = service
      .store()
      .driverReports()
      .map((r) => [r.driver, r.health]);
    expect(health).toEqual(
      expect.arrayContaining([
        ['vedirect.battery', 'ok'],
        ['vedirect.inverter', 'ok'],
      ]),
    );
  });
});
