import { cpSync, mkdtempSync, readdirSync, renameSync, rmSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { type Clock, ManualClock, SystemClock } from '../../../src/core/clock.js';
import { MemoryLogger } from '../../../src/core/logger.js';
import { channelUnit } from '../../../src/core/readings.js';
import { Ds18b20Driver } from '../../../src/drivers/onewire/driver.js';
import { openSerialPort, type PortOpener } from '../../../src/drivers/serial/port.js';
import { SeededRandom } from '../../../src/drivers/sim/random.js';
import { scenario } from '../../../src/drivers/sim/scenarios.js';
import { SimSampler, sampleBattery, sampleTemperature } from '../../../src/drivers/sim/sim-drivers.js';
import { SimWorld } from '../../../src/drivers/sim/world.js';
import { VeDirectDriver } from '../../../src/drivers/vedirect/driver.js';
import { VeDirectDevice } from '../../emulators/vedirect-device.js';
import { describeDriverContract } from '../../helpers/driver-contract.js';
import { type PtyPair, startPtyPair } from '../../helpers/pty.js';

/**
 * The shared Driver contract (test/helpers/driver-contract.ts) against every device family: its emulator
 * or fixture always, and real hardware when a PIMA_TEST_* variable names it (unplug/replug is then left
 * to the technician's hands and not checked). The family-specific behaviour stays in each family's file.
 */

/** The service clock, counting what a driver schedules on it (a simulated driver's only "I/O"). */
class CountingClock implements Clock {
  scheduled = 0;
  constructor(readonly inner: ManualClock) {}
  now(): number {
    return this.inner.now();
  }
  every(ms: number, fn: () => void): () => void {
    this.scheduled++;
    return this.inner.every(ms, fn);
  }
  after(ms: number, fn: () => void): () => void {
    this.scheduled++;
    return this.inner.after(ms, fn);
  }
}

const canonical = (prefix: string) => (c: string) => c.startsWith(prefix) && channelUnit(c) !== undefined;

for (const [name, sample, prefix] of [
  ['sim.battery', sampleBattery, 'battery.'],
  ['sim.temperature', sampleTemperature, 'temperature.'],
] as const) {
  describeDriverContract(
    `${name} (simulated world, manual clock)`,
    async () => {
      const clock = new CountingClock(new ManualClock(Date.UTC(2026, 0, 15)));
      const world = new SimWorld(scenario('blackout'), 7, 60, 0);
      const driver = new SimSampler(
        name,
        { world, clock, rng: SeededRandom.stream(7, 'sensors') },
        5000,
        sample,
      );
      return {
        driver,
        declares: canonical(prefix),
        io: () => clock.scheduled,
        pump: () => clock.inner.advance(5000),
        quietMs: 300,
      };
    },
    { noDevice: 'a simulated device cannot be unplugged' },
  );
}

const realPort = process.env.PIMA_TEST_VEDIRECT;
describeDriverContract(
  `VE.Direct on ${realPort ?? 'the emulated SmartShunt on a socat PTY'}`,
  async (cleanups) => {
    const dir = mkdtempSync(join(tmpdir(), 'contract-vedirect-'));
    cleanups.push(() => rmSync(dir, { recursive: true, force: true }));
    const links = { appLink: join(dir, 'ttyVE'), deviceLink: join(dir, 'ttyVE-device') };
    let pty: PtyPair | undefined;
    let device: VeDirectDevice | undefined;
    const plug = async (): Promise<void> => {
      pty = await startPtyPair(links);
      device = new VeDirectDevice({ path: pty.device, intervalMs: 250, hex: true });
      await device.start();
    };
    const unplug = async (): Promise<void> => {
      await device?.stop();
      await pty?.stop();
    };
    if (!realPort) {
      await plug();
      cleanups.push(unplug);
    }
    let opens = 0;
    const open: PortOpener = (s, e) => {
      opens++;
      return openSerialPort(s, e);
    };
    const driver = new VeDirectDriver({
      name: 'vedirect.contract',
      port: realPort ?? links.appLink,
      baudRate: 19_200,
      intervalMs: 0,
      staleAfterMs: 2000,
      logger: new MemoryLogger(),
      open,
      retryMinMs: 200,
      retryMaxMs: 1000,
    });
    return {
      driver,
      declares: (c) => /^(battery|solar|inverter)\./.test(c),
      io: () => opens,
      device: realPort ? undefined : { unplug, replug: plug },
      quietMs: 1500,
    };
  },
  realPort ? { noDevice: 'real hardware: unplug it by hand' } : {},
);

const realW1 = process.env.PIMA_TEST_W1_ROOT;
const GOOD = '28-0316a2795a01';
describeDriverContract(
  `DS18B20 on ${realW1 ?? 'a copy of the w1 fixture tree'}`,
  async (cleanups) => {
    const root = realW1 ?? mkdtempSync(join(tmpdir(), 'contract-w1-'));
    if (!realW1) {
      cpSync(join('test/fixtures/w1', GOOD), join(root, GOOD), { recursive: true });
      cleanups.push(() => rmSync(root, { recursive: true, force: true }));
    }
    const ids = realW1 ? readdirSync(root).filter((d) => /^28-[0-9a-f]{12}$/.test(d)) : [GOOD];
    let reads = 0;
    const driver = new Ds18b20Driver({
      root,
      intervalMs: 500,
      sensors: Object.fromEntries(ids.map((id, i) => [`s${i}`, id])),
      clock: new SystemClock(),
      logger: new MemoryLogger(),
      readText: (p) => {
        reads++;
        return readFile(p, 'latin1');
      },
    });
    const away = join(root, `gone-${GOOD}`);
    return {
      driver,
      declares: (c) => /^temperature\.s\d+$/.test(c),
      io: () => reads,
      device: realW1
        ? undefined
        : {
            unplug: async () => renameSync(join(root, GOOD), away),
            replug: async () => renameSync(away, join(root, GOOD)),
          },
      quietMs: 1500,
    };
  },
  realW1 ? { noDevice: 'real hardware: unplug it by hand' } : {},
);
