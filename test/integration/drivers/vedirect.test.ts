import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildService, type Service } from '../../../src/compose.js';
import { buildConfigSchema } from '../../../src/config/schema.js';
import { SystemClock } from '../../../src/core/clock.js';
import { MemoryLogger } from '../../../src/core/logger.js';
import type { LoggedReading } from '../../../src/core/readings.js';
import { VeDirectDevice } from '../../emulators/vedirect-device.js';
import { type PtyPair, startPtyPair } from '../../helpers/pty.js';
import { until } from '../../helpers/until.js';

const BATTERY = ['battery.voltage', 'battery.current', 'battery.power', 'battery.soc', 'battery.timeToGo'];

describe('the service with hardware.battery: vedirect, against the emulator on a socat PTY', () => {
  let dir: string;
  let pty: PtyPair;
  let device: VeDirectDevice;
  let service: Service;
  const logger = new MemoryLogger();
  const links = (): { appLink: string; deviceLink: string } => ({
    appLink: join(dir, 'ttyVE'),
    deviceLink: join(dir, 'ttyVE-device'),
  });
  const readingsAfter = (seq: number, channel: string): LoggedReading[] =>
    service.store().queryReadings({ channel, afterSeq: seq });
  const lastSeq = (): number => service.store().queryReadings({}).at(-1)?.seq ?? 0;
  /**
   * Good blocks already on the wire (in socat, or read but not yet logged) may still arrive with the
   * good value after a mark, however long one waits before taking it; after the first null, only nulls.
   */
  const expectGoodThenNull = (values: Array<number | null>, good: number): void => {
    const first = values.indexOf(null);
    expect(first).toBeGreaterThanOrEqual(0);
    expect(values.slice(0, first).every((v) => v === good)).toBe(true);
    expect(values.slice(first).every((v) => v === null)).toBe(true);
  };

  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'kiosk-vedirect-'));
    pty = await startPtyPair(links());
    device = new VeDirectDevice({ path: pty.device, intervalMs: 250, hex: true, noise: true });
    await device.start();
    const config = buildConfigSchema().parse({
      point: { id: 'vedirect-it' },
      // every sample logged: the test checks each decoded block, not the log's deadbands
      storage: { path: join(dir, 'kiosk.db'), commitIntervalMs: 100, logging: { heartbeatSec: 0 } },
      hardware: {
        battery: { driver: 'vedirect', port: links().appLink, intervalSec: 0, staleAfterMs: 2000 },
      },
      sign: { outputs: ['none'] },
    });
    service = buildService({ config, clock: new SystemClock(), logger, pid: 999_998 });
    await service.app.start();
  });

  afterAll(async () => {
    await service?.app.stop();
    await device?.stop();
    await pty?.stop();
    rmSync(dir, { recursive: true, force: true });
  });

  it('logs correct battery.* readings from blocks with HEX frames and line noise', async () => {
    await until(() => (readingsAfter(0, 'battery.timeToGo').length >= 3 ? true : undefined), 'readings');
    const latest = (c: string) => service.store().queryReadings({ channel: c }).at(-1)?.value;
    expect(BATTERY.map(latest)).toEqual([12.85, -3.25, -42, 87.6, 1320]);
    const volts = service.store().queryReadings({ channel: 'battery.voltage' });
    expect(volts.every((r) => r.value === 12.85)).toBe(true);
    const health = service
      .store()
      .queryEvents({})
      .filter((e) => e.type === 'driver.health');
    expect(health.map((e) => e.data?.health)).toContain('ok');
  });

  it('corrupt blocks yield no value: the channels go null (stale) and come back when blocks are good', async () => {
    const from = lastSeq();
    device.corrupt('flip-value');
    await until(
      () => (readingsAfter(from, 'battery.voltage').some((r) => r.value === null) ? true : undefined),
      'stale null',
    );
    await new Promise((r) => setTimeout(r, 1000)); // corrupt blocks keep coming: none may get through
    // never 2.85 from "02850": before the null only good blocks sent before the corruption
    expectGoodThenNull(
      readingsAfter(from, 'battery.voltage').map((r) => r.value),
      12.85,
    );
    expectGoodThenNull(
      readingsAfter(from, 'battery.soc').map((r) => r.value),
      87.6,
    );
    const stale = service
      .store()
      .queryEvents({})
      .filter((e) => e.type === 'driver.health' && e.data?.health === 'stale');
    expect(stale.at(-1)?.message).toMatch(/no valid data.*rejected: \d+ checksum/);

    device.corrupt('none');
    const good = lastSeq();
    const back = await until(
      () => readingsAfter(good, 'battery.voltage').find((r) => r.value !== null),
      'valid readings again',
    );
    expect(back.value).toBe(12.85);
  });

  it('survives unplug and replug (emulator and PTY pair gone, then recreated at the same path)', async () => {
    const eventsBefore = service.store().queryEvents({}).at(-1)?.seq ?? 0;
    const unplugged = lastSeq();
    await device.stop();
    await pty.stop();
    // a vanished PTY shows up as an I/O error or as silence (then the reopen fails): a fault either way
    await until(
      () =>
        service
          .store()
          .queryEvents({ afterSeq: eventsBefore })
          .find((e) => e.type === 'driver.health' && e.data?.health === 'fault'),
      'a fault event',
    );
    await until(
      () => (readingsAfter(unplugged, 'battery.voltage').some((r) => r.value === null) ? true : undefined),
      'a null',
    );
    expectGoodThenNull(
      readingsAfter(unplugged, 'battery.voltage').map((r) => r.value),
      12.85,
    );

    pty = await startPtyPair(links());
    device = new VeDirectDevice({ path: pty.device, intervalMs: 250 });
    await device.start();
    const replugged = lastSeq();
    const back = await until(
      () => readingsAfter(replugged, 'battery.voltage').find((r) => r.value !== null),
      'readings after replug',
      30_000,
    );
    expect(back.value).toBe(12.85);
  });
});
