import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildService } from '../../../src/compose.js';
import { buildConfigSchema } from '../../../src/config/schema.js';
import { ManualClock, SystemClock } from '../../../src/core/clock.js';
import { MemoryLogger } from '../../../src/core/logger.js';
import type { DriverEvent, DriverHealth, DriverSink } from '../../../src/drivers/interfaces.js';
import { dseConfig } from '../../../src/drivers/modbus/config.js';
import { DseDriver } from '../../../src/drivers/modbus/dse-driver.js';
import { modbusConnector } from '../../../src/drivers/modbus/transport.js';
import {
  DseController,
  LEGACY_GENSET,
  namedAlarmRegister,
  RUNNING_GENSET,
} from '../../emulators/dse-controller.js';
import { freePort } from '../../helpers/mosquitto.js';
import { until } from '../../helpers/until.js';

class Sink implements DriverSink {
  readings: Array<[string, number | null]> = [];
  healths: Array<[DriverHealth, string]> = [];
  events: DriverEvent[] = [];
  reading(c: string, v: number | null): void {
    this.readings.push([c, v]);
  }
  passage(): void {}
  health(_d: string, h: DriverHealth, m: string): void {
    this.healths.push([h, m]);
  }
  event(e: DriverEvent): void {
    this.events.push(e);
  }
  latest(): Record<string, number | null> {
    return Object.fromEntries(this.readings);
  }
}

/**
 * The DSE contract suite. Against the emulator always; against a real controller when
 * PIMA_TEST_DSE_HOST (Modbus TCP, optional PIMA_TEST_DSE_TCP_PORT) or PIMA_TEST_DSE_PORT (RTU serial,
 * optional PIMA_TEST_DSE_BAUD, PIMA_TEST_DSE_UNIT) names one; then only plausibility is checked.
 */
const realHost = process.env.PIMA_TEST_DSE_HOST;
const realPort = process.env.PIMA_TEST_DSE_PORT;
const real = realHost || realPort;
/** Cases that need control over the registers exist only against the emulator (never skipped). */
const emulatorOnly = (name: string, fn: () => Promise<void>): void => {
  if (!real) it(name, fn);
};

describe(`DSE driver contract against ${real ? `the controller at ${real}` : 'the ServerTCP emulator'}`, () => {
  let emulator: DseController | undefined;
  let port: number;
  let clock: ManualClock;
  let sink: Sink;
  let driver: DseDriver;

  const poll = async (): Promise<void> => {
    clock.advance(10_000);
    await driver.idle();
  };

  beforeAll(async () => {
    port = await freePort();
    if (!real) {
      emulator = new DseController({ port });
      await emulator.start();
    }
    const cfg = dseConfig().parse(
      real
        ? {
            driver: 'dse',
            transport: realHost ? 'tcp' : 'rtu',
            host: realHost,
            port: realPort,
            tcpPort: Number(process.env.PIMA_TEST_DSE_TCP_PORT ?? 502),
            baudRate: Number(process.env.PIMA_TEST_DSE_BAUD ?? 9600),
            unitId: Number(process.env.PIMA_TEST_DSE_UNIT ?? 1),
          }
        : { driver: 'dse', transport: 'tcp', host: '127.0.0.1', tcpPort: port, ratedPowerW: 6000 },
    );
    clock = new ManualClock(0);
    sink = new Sink();
    driver = new DseDriver({
      connect: modbusConnector(cfg),
      where: 'test controller',
      intervalMs: 10_000,
      ratedPowerW: cfg.ratedPowerW,
      clock,
      logger: new MemoryLogger(),
    });
    await driver.start(sink);
    await driver.idle();
  });

  afterAll(async () => {
    await driver?.stop();
    await driver?.stop();
    await emulator?.stop();
  });

  it('reads the generator channels, each a number in range or null', () => {
    const v = sink.latest();
    expect(sink.healths.at(-1)?.[0]).toBe('ok');
    const inRange = (x: number | null | undefined, lo: number, hi: number) =>
      x === null || (typeof x === 'number' && x >= lo && x <= hi);
    expect(inRange(v['generator.running'], 0, 1)).toBe(true);
    expect(inRange(v['generator.fuelLevel'], 0, 100)).toBe(true);
    expect(inRange(v['generator.rpm'], 0, 5000)).toBe(true);
    expect(inRange(v['generator.runHours'], 0, 500_000)).toBe(true);
    if (real) return;
    expect(v).toMatchObject({
      'generator.running': 1,
      'generator.engineState': 3,
      'generator.fuelLevel': 64,
      'generator.rpm': 1500,
      'generator.load': 45,
      'generator.power': 2700,
      'generator.runHours': 100,
      'generator.coolantTemperature': 82,
      'generator.starterVoltage': 13.5,
      'generator.frequency': 50,
    });
  });

  emulatorOnly('"not available" sentinels and missing registers are null, never numbers', async () => {
    const emu = emulator as DseController;
    emu.set(1027, 0xffff); // fuel sender unimplemented
    emu.registers.delete(1558); // this model has no load register: load comes from watts / rating
    await poll();
    const v = sink.latest();
    expect(v['generator.fuelLevel']).toBeNull();
    expect(v['generator.load']).toBe(45);
    emu.set(1537, 3000);
    await poll();
    expect(sink.latest()['generator.load']).toBe(50);
    expect(sink.latest()['generator.rpm']).toBe(1500);
  });

  emulatorOnly(
    'names the model (an emulated 7310 MKII) and its alarm system in the health message',
    async () => {
      expect(sink.healths.at(-1)).toEqual([
        'ok',
        'polling test controller: DSE 7310 MKII (1-32840, serial 123456); alarms from Named Alarm Conditions (page 154)',
      ]);
    },
  );

  emulatorOnly(
    'a named alarm condition (page 154) on the 7xxx becomes an event, and its clearing too',
    async () => {
      const emu = emulator as DseController;
      emu.set(namedAlarmRegister(2), 0x1311); // conditions 5..8: condition 6 shutdown
      emu.set(namedAlarmRegister(20), 0x1112); // condition 80: warning
      await poll();
      expect(sink.events.slice(-2)).toMatchObject([
        {
          type: 'generator.alarm',
          level: 'alarm',
          message: 'generator controller named alarm condition 6: shutdown',
          data: { system: 'named', index: 6, alarm: 'shutdown', active: true },
        },
        { level: 'warning', message: 'generator controller named alarm condition 80: warning' },
      ]);
      emu.set(namedAlarmRegister(2), 0x1111);
      emu.set(namedAlarmRegister(20), 0x1111);
      await poll();
      expect(sink.events.slice(-2).map((e) => [e.level, e.message])).toEqual([
        ['info', 'generator controller named alarm condition 6 cleared'],
        ['info', 'generator controller named alarm condition 80 cleared'],
      ]);
    },
  );
  // going away and coming back (fault, nulls, ok and the same values again): driver-contract.test.ts
});

describe('DSE alarm systems by model, against the ServerTCP emulator', () => {
  /** Starts an emulator with these registers, polls it once, and returns what the driver reported. */
  async function onePoll(registers: ReadonlyMap<number, number>, change?: (emu: DseController) => void) {
    const port = await freePort();
    const emu = new DseController({ port, registers });
    await emu.start();
    change?.(emu);
    const clock = new ManualClock(0);
    const sink = new Sink();
    const driver = new DseDriver({
      connect: modbusConnector(
        dseConfig().parse({ driver: 'dse', transport: 'tcp', host: '127.0.0.1', tcpPort: port }),
      ),
      where: 'emulator',
      intervalMs: 10_000,
      clock,
      logger: new MemoryLogger(),
    });
    try {
      await driver.start(sink);
      await driver.idle();
      return sink;
    } finally {
      await driver.stop();
      await emu.stop();
    }
  }

  it('an older controller (4620/4623) keeps the legacy page-8 alarms, named as GenComm lists them', async () => {
    const sink = await onePoll(LEGACY_GENSET, (emu) => emu.set(2049, 0x1311));
    expect(sink.healths.at(-1)?.[1]).toBe(
      'polling emulator: DSE 4620/4623 (1-4623); alarms from legacy alarms (page 8)',
    );
    expect(sink.events).toMatchObject([
      {
        level: 'alarm',
        message: 'generator controller alarm 2 (low oil pressure): shutdown',
        data: { system: 'legacy' },
      },
    ]);
  });

  it('a model not in the table is probed: page 154 when it answers', async () => {
    const regs = new Map(RUNNING_GENSET);
    regs.set(769, 40_000);
    regs.set(39_424, 8);
    const sink = await onePoll(regs, (emu) => emu.set(namedAlarmRegister(1), 0x4111));
    expect(sink.healths.at(-1)?.[1]).toMatch(
      /DSE model 40000 \(1-40000, serial 123456\); alarms from Named Alarm Conditions/,
    );
    expect(sink.events.map((e) => e.message)).toEqual(['generator controller named alarm condition 1: trip']);
  });

  it('a model not in the table without page 154 falls back to page 8', async () => {
    const regs = new Map(LEGACY_GENSET);
    regs.set(769, 5);
    const sink = await onePoll(regs, (emu) => emu.set(2050, 0x1121));
    expect(sink.healths.at(-1)?.[1]).toContain('DSE model 5 (1-5); alarms from legacy alarms (page 8)');
    expect(sink.events.map((e) => e.message)).toEqual([
      'generator controller alarm 7 (fail to start): warning',
    ]);
  });

  it('a controller that does not identify itself and has no alarm table still gives readings, and says so', async () => {
    const regs = new Map([...LEGACY_GENSET].filter(([a]) => a !== 768 && a !== 769 && a !== 2048));
    const sink = await onePoll(regs);
    expect(sink.healths.at(-1)?.[1]).toBe(
      'polling emulator: DSE unidentified model (unknown); no alarm registers readable',
    );
    expect(sink.latest()['generator.rpm']).toBe(1500);
  });
});

describe('the service with hardware.generator: dse against an emulated 7310 MKII', () => {
  it('logs a named alarm condition as a generator.alarm event, and the model in the driver health', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'kiosk-dse-'));
    const port = await freePort();
    const emu = new DseController({ port });
    await emu.start();
    emu.set(namedAlarmRegister(1), 0x3111); // condition 1: shutdown
    const config = buildConfigSchema().parse({
      point: { id: 'dse-it' },
      storage: { path: join(dir, 'kiosk.db'), commitIntervalMs: 100 },
      hardware: {
        generator: { driver: 'dse', transport: 'tcp', host: '127.0.0.1', tcpPort: port, intervalSec: 1 },
      },
      sign: { outputs: ['none'] },
    });
    const service = buildService({
      config,
      clock: new SystemClock(),
      logger: new MemoryLogger(),
      pid: 999_996,
    });
    try {
      await service.app.start();
      const events = () => service.store().queryEvents({});
      const alarm = await until(
        () => events().find((e) => e.type === 'generator.alarm'),
        'a generator.alarm event',
      );
      expect(alarm).toMatchObject({
        level: 'alarm',
        message: 'generator controller named alarm condition 1: shutdown',
      });
      const report = service
        .store()
        .driverReports()
        .find((r) => r.driver === 'dse.generator');
      expect(report?.message).toContain(
        'DSE 7310 MKII (1-32840, serial 123456); alarms from Named Alarm Conditions',
      );
    } finally {
      await service.app.stop();
      await emu.stop();
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
