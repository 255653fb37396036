import { cpSync, mkdtempSync, readdirSync, renameSync, rmSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { buildConfigSchema } from '../../../src/config/schema.js';
import { type Clock, ManualClock, SystemClock } from '../../../src/core/clock.js';
import { MemoryLogger } from '../../../src/core/logger.js';
import { channelUnit } from '../../../src/core/readings.js';
import { FirmataAnalogDriver } from '../../../src/drivers/firmata/analog-driver.js';
import { FirmataConnection } from '../../../src/drivers/firmata/connection.js';
import { buildGpioDrivers } from '../../../src/drivers/gpio/build.js';
import { GPIO_HEARTBEAT_MS } from '../../../src/drivers/gpio/gpio-driver.js';
import { dseConfig } from '../../../src/drivers/modbus/config.js';
import { DseDriver } from '../../../src/drivers/modbus/dse-driver.js';
import { modbusConnector } from '../../../src/drivers/modbus/transport.js';
import { Ds18b20Driver } from '../../../src/drivers/onewire/driver.js';
import { openSerialPort, type PortOpener } from '../../../src/drivers/serial/port.js';
import { SeededRandom } from '../../../src/drivers/sim/random.js';
import { scenario } from '../../../src/drivers/sim/scenarios.js';
import { SimSampler, sampleBattery, sampleTemperature } from '../../../src/drivers/sim/sim-drivers.js';
import { SimWorld } from '../../../src/drivers/sim/world.js';
import { VeDirectDriver } from '../../../src/drivers/vedirect/driver.js';
import { InternetProbe } from '../../../src/system/internet-probe.js';
import { internetProbeConfig } from '../../../src/system/internet-probe-config.js';
import { DseController } from '../../emulators/dse-controller.js';
import { FirmataBoardEmulator } from '../../emulators/firmata-board.js';
import { MPPT, VeDirectDevice } from '../../emulators/vedirect-device.js';
import { FakeGpioKernel } from '../../fixtures/gpio/fake-kernel.js';
import { describeDriverContract } from '../../helpers/driver-contract.js';
import { freePort } from '../../helpers/mosquitto.js';
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
/** What any VE.Direct device may send; real hardware is held to this. */
const vedirectPlausible = (channel: string, v: number): boolean => {
  if (channel === 'battery.voltage') return v > 8 && v < 70;
  if (channel === 'battery.soc') return v >= 0 && v <= 100;
  // a Phoenix inverter: its AC output is 0 (off) or near the 120/230 V of its model
  if (channel === 'inverter.acVoltage') return v === 0 || (v >= 90 && v <= 260);
  if (channel === 'inverter.inverting' || channel === 'battery.timeToGoInfinite') return v === 0 || v === 1;
  return true;
};
describeDriverContract(
  `VE.Direct on ${realPort ?? 'the emulated MPPT (HEX frames between blocks) on a socat PTY'}`,
  async (cleanups) => {
    const dir = mkdtempSync(join(tmpdir(), 'contract-vedirect-'));
    cleanups.push(() => rmSync(dir, { recursive: true, force: true }));
    const links = { appLink: join(dir, 'ttyVE'), deviceLink: join(dir, 'ttyVE-device') };
    let pty: PtyPair | undefined;
    let device: VeDirectDevice | undefined;
    const plug = async (): Promise<void> => {
      pty = await startPtyPair(links);
      device = new VeDirectDevice({ path: pty.device, blocks: MPPT, intervalMs: 250, hex: true });
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
      plausible: vedirectPlausible,
      // an MPPT in the battery role: its V is battery.voltage
      expected: realPort
        ? undefined
        : { 'solar.power': 42, 'solar.voltage': 20.45, 'solar.yieldTotal': 60.78, 'battery.voltage': 14.99 },
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
      plausible: (_c, v) => v >= -55 && v <= 125,
      expected: realW1 ? undefined : { 'temperature.s0': 23.125 },
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

describeDriverContract('GPIO mains input on the Pi 4 sysfs fixture (manual clock)', async (cleanups) => {
  const k = new FakeGpioKernel('pi4-kernel6.6');
  cleanups.push(() => k.dispose());
  const config = buildConfigSchema().parse({
    point: { id: 'gpio-contract' },
    hardware: {
      gpio: { backend: 'sysfs', sysfsRoot: k.root, pollMs: 1000, retrySec: 5 },
      mains: { driver: 'gpio', pin: 17 },
    },
  });
  const clock = new ManualClock(Date.UTC(2026, 0, 10, 8));
  const [driver, ...more] = buildGpioDrivers(config, { fs: k, timers: clock });
  if (!driver || more.length > 0) throw new Error('expected exactly the mains driver');
  const line = 512 + 17;
  return {
    driver,
    declares: (c) => c === 'mains.present',
    plausible: (_c, v) => v === 0 || v === 1,
    expected: { 'mains.present': 0 },
    io: () => k.writes.length,
    pump: () => clock.advance(GPIO_HEARTBEAT_MS),
    // the line vanishes under the driver (unexported by someone else, the kernel refuses it), then returns
    device: {
      unplug: async () => {
        k.refuse.add(line);
        k.write(join(k.root, 'unexport'), String(line));
      },
      replug: async () => {
        k.refuse.delete(line);
      },
    },
    quietMs: 300,
  };
});

describeDriverContract('Firmata analog inputs on the emulated Nano over a socat PTY', async (cleanups) => {
  const dir = mkdtempSync(join(tmpdir(), 'contract-firmata-'));
  cleanups.push(() => rmSync(dir, { recursive: true, force: true }));
  const links = { appLink: join(dir, 'firmata'), deviceLink: join(dir, 'firmata-device') };
  let pty: PtyPair | undefined;
  let board: FirmataBoardEmulator | undefined;
  let received = 0;
  const plug = async (raw = 512): Promise<void> => {
    pty = await startPtyPair(links);
    board = new FirmataBoardEmulator({ path: links.deviceLink });
    board.analog[0] = raw;
    await board.start();
  };
  const unplug = async (): Promise<void> => {
    received += board?.received.length ?? 0;
    await board?.stop();
    await pty?.stop();
    board = undefined;
  };
  await plug();
  cleanups.push(unplug);
  const cfg = buildConfigSchema().parse({
    point: { id: 'firmata-contract' },
    hardware: {
      firmata: {
        port: links.appLink,
        noDataTimeoutSec: 1.5,
        heartbeatSec: 0.5,
        reportEverySec: 1,
        analog: { batteryVoltage: { pin: 0, vref: 5, rTop: 30_000, rBottom: 7_500 } },
      },
    },
  }).hardware.firmata;
  if (!cfg) throw new Error('no firmata config');
  const connection = new FirmataConnection({
    path: cfg.port,
    baudRate: cfg.baudRate,
    noDataTimeoutMs: cfg.noDataTimeoutSec * 1000,
    heartbeatMs: cfg.heartbeatSec * 1000,
    handshakeTimeoutMs: 1500,
    retryMinMs: 200,
    retryMaxMs: 1000,
  });
  return {
    driver: new FirmataAnalogDriver(cfg, connection),
    declares: (c) => c === 'battery.voltage',
    // 512/1023 × 5 V × (30k + 7.5k) / 7.5k
    expected: { 'battery.voltage': 12.51 },
    lostMessage: /no data from the board|port (lost|closed|error)/,
    io: () => received + (board?.received.length ?? 0),
    // the board that comes back reads 716 (17.5 V): a value seen after replug is the new board's
    device: { unplug, replug: () => plug(716), expectedAfterReplug: { 'battery.voltage': 17.5 } },
    quietMs: 2500,
  };
});

const realDse = process.env.PIMA_TEST_DSE_HOST || process.env.PIMA_TEST_DSE_PORT;
describeDriverContract(
  `DSE generator controller ${realDse ? `at ${realDse}` : 'emulated by a Modbus TCP server'} (manual clock)`,
  async (cleanups) => {
    const port = await freePort();
    let emulator: DseController | undefined;
    let requests = 0;
    const plug = async (): Promise<void> => {
      emulator = new DseController({ port });
      await emulator.start();
    };
    const unplug = async (): Promise<void> => {
      requests += emulator?.requests ?? 0;
      await emulator?.stop();
      emulator = undefined;
    };
    if (!realDse) {
      await plug();
      cleanups.push(unplug);
    }
    const host = process.env.PIMA_TEST_DSE_HOST;
    const cfg = dseConfig().parse(
      realDse
        ? {
            driver: 'dse',
            transport: host ? 'tcp' : 'rtu',
            host,
            port: process.env.PIMA_TEST_DSE_PORT,
            tcpPort: Number(process.env.PIMA_TEST_DSE_TCP_PORT ?? 502),
            baudRate: Number(process.env.PIMA_TEST_DSE_BAUD ?? 9600),
            unitId: Number(process.env.PIMA_TEST_DSE_UNIT ?? 1),
          }
        : { driver: 'dse', transport: 'tcp', host: '127.0.0.1', tcpPort: port },
    );
    const clock = new ManualClock(0);
    let connects = 0;
    const connect = modbusConnector(cfg);
    const driver = new DseDriver({
      connect: () => {
        connects++;
        return connect();
      },
      where: 'contract controller',
      intervalMs: 10_000,
      ratedPowerW: cfg.ratedPowerW,
      clock,
      logger: new MemoryLogger(),
    });
    return {
      driver,
      declares: (c) => c.startsWith('generator.'),
      plausible: (c, v) =>
        c === 'generator.running'
          ? v === 0 || v === 1
          : c === 'generator.fuelLevel'
            ? v >= 0 && v <= 100
            : true,
      expected: realDse
        ? undefined
        : { 'generator.running': 1, 'generator.rpm': 1500, 'generator.fuelLevel': 64 },
      io: () => connects + requests + (emulator?.requests ?? 0),
      pump: () => clock.advance(10_000),
      device: realDse ? undefined : { unplug, replug: plug },
      quietMs: 300,
    };
  },
  realDse ? { noDevice: 'real hardware: unplug it by hand' } : {},
);

describeDriverContract(
  'internet probe against a listening loopback port (manual clock)',
  async (cleanups) => {
    let accepted = 0;
    const server = createServer((sock) => {
      accepted++;
      sock.destroy();
    });
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    cleanups.push(() => new Promise<void>((r) => server.close(() => r())));
    const port = (server.address() as { port: number }).port;
    const clock = new ManualClock(0);
    const cfg = internetProbeConfig().parse({
      driver: 'probe',
      targets: [{ host: '127.0.0.1', port }],
      intervalSec: 30,
    });
    return {
      driver: new InternetProbe(cfg, clock),
      declares: (c) => c === 'internet.up',
      plausible: (_c, v) => v === 0 || v === 1,
      expected: { 'internet.up': 1 },
      io: () => accepted,
      pump: () => clock.advance(30_000),
      quietMs: 300,
    };
  },
  // what it measures is reachability: targets gone is internet.up = 0, a value, with health ok (the
  // model turns a run of zeros into "no internet"); unit/system/internet-probe.test.ts covers it
  { noDevice: 'unreachable targets are a measurement (internet.up = 0), not a lost device' },
);
