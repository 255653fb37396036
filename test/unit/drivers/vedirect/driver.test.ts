import { SerialPortMock } from 'serialport';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { ManualClock } from '../../../../src/core/clock.js';
import { MemoryLogger } from '../../../../src/core/logger.js';
import type { DriverEvent, DriverHealth, DriverSink } from '../../../../src/drivers/interfaces.js';
import { streamOpener } from '../../../../src/drivers/serial/port.js';
import { VeDirectDriver } from '../../../../src/drivers/vedirect/driver.js';
import { encodeBlock, PHOENIX_INVERTER, SMARTSHUNT } from '../../../emulators/vedirect-device.js';
import { until } from '../../../helpers/until.js';

const PATH = '/dev/ttyVE-mock';

class RecordingSink implements DriverSink {
  readings: Array<[string, number | null]> = [];
  healths: Array<[DriverHealth, string]> = [];
  events: DriverEvent[] = [];
  reading(channel: string, value: number | null): void {
    this.readings.push([channel, value]);
  }
  passage(): void {}
  health(_driver: string, health: DriverHealth, message: string): void {
    this.healths.push([health, message]);
  }
  event(e: DriverEvent): void {
    this.events.push(e);
  }
  value(channel: string): number | null | undefined {
    return this.readings.filter(([c]) => c === channel).at(-1)?.[1];
  }
}

describe('VE.Direct driver on a mock serial port (same code path as a real port)', () => {
  let clock: ManualClock;
  let sink: RecordingSink;
  let ports: SerialPortMock[];
  let driver: VeDirectDriver;

  const make = (intervalMs = 0): VeDirectDriver =>
    new VeDirectDriver({
      name: 'vedirect.battery',
      port: PATH,
      baudRate: 19_200,
      intervalMs,
      staleAfterMs: 10_000,
      logger: new MemoryLogger(),
      timers: clock,
      retryMinMs: 1000,
      retryMaxMs: 4000,
      open: streamOpener((s) => {
        const p = new SerialPortMock({ path: s.path, baudRate: s.baudRate, autoOpen: false });
        ports.push(p);
        return p;
      }),
    });
  const device = (): SerialPortMock => {
    const p = ports.at(-1);
    if (!p?.port) throw new Error('port not open');
    return p;
  };
  const send = (bytes: Buffer): void => device().port?.emitData(bytes);
  const flush = (): Promise<void> => new Promise((r) => setTimeout(r, 20));

  beforeEach(() => {
    clock = new ManualClock(1_000_000);
    sink = new RecordingSink();
    ports = [];
  });
  afterEach(async () => {
    await driver?.stop();
    SerialPortMock.binding.reset();
  });

  it('turns valid blocks into battery readings and reports ok', async () => {
    SerialPortMock.binding.createPort(PATH, { echo: false, record: true });
    driver = make();
    await driver.start(sink);
    await until(() => ports.at(-1)?.isOpen === true, 'open');
    send(encodeBlock(SMARTSHUNT[0] ?? []));
    await until(() => sink.value('battery.voltage') !== undefined, 'a reading');
    expect(sink.value('battery.voltage')).toBe(12.85);
    expect(sink.value('battery.soc')).toBe(87.6);
    expect(sink.healths.map(([h]) => h)).toEqual(['starting', 'ok']);
  });

  it('a corrupt block yields nothing; the next valid one does', async () => {
    SerialPortMock.binding.createPort(PATH, { echo: false });
    driver = make();
    await driver.start(sink);
    await until(() => ports.at(-1)?.isOpen === true, 'open');
    const bad = encodeBlock(SMARTSHUNT[0] ?? []);
    bad[bad.indexOf('12850')] = 0x39; // '1' → '9': 92850 mV would be a lie
    send(bad);
    await flush();
    expect(sink.readings).toEqual([]);
    send(encodeBlock(SMARTSHUNT[0] ?? []));
    await until(() => sink.readings.length > 0, 'a reading');
    expect(sink.readings.filter(([c]) => c === 'battery.voltage')).toEqual([['battery.voltage', 12.85]]);
  });

  it('a block with a repeated label yields nothing, is counted apart in the health message, and the next good one counts', async () => {
    SerialPortMock.binding.createPort(PATH, { echo: false });
    driver = make();
    await driver.start(sink);
    await until(() => ports.at(-1)?.isOpen === true, 'open');
    const main = SMARTSHUNT[0] ?? [];
    // its checksum holds: only the repeat gives it away
    const twice = encodeBlock([...main, ['V', '24850']]);
    send(Buffer.concat([twice, twice]));
    await flush();
    expect(sink.readings).toEqual([]);
    clock.advance(10_000);
    await until(() => sink.healths.some(([h]) => h === 'stale'), 'stale');
    expect(sink.healths.at(-1)?.[1]).toMatch(/no valid data .*; rejected: 2 repeated-label$/);
    clock.advance(1000); // the reopen after backoff
    await until(() => ports.length === 2 && ports[1]?.isOpen === true, 'reopened');
    send(Buffer.concat([twice, encodeBlock(main)]));
    await until(() => sink.value('battery.voltage') !== undefined, 'a reading');
    expect(sink.readings.filter(([c]) => c === 'battery.voltage')).toEqual([['battery.voltage', 12.85]]);
  });

  it('merges the blocks of one interval into one set of readings', async () => {
    SerialPortMock.binding.createPort(PATH, { echo: false });
    driver = make(5000);
    await driver.start(sink);
    await until(() => ports.at(-1)?.isOpen === true, 'open');
    const [main, history] = SMARTSHUNT.map(encodeBlock);
    send(Buffer.concat([main ?? Buffer.alloc(0)]));
    await until(() => sink.readings.length > 0, 'first send');
    const first = sink.readings.length;
    clock.advance(1000);
    send(history ?? Buffer.alloc(0));
    await flush();
    expect(sink.readings.length).toBe(first); // within the interval: merged, not sent yet
    clock.advance(4000);
    send(main ?? Buffer.alloc(0));
    await until(() => sink.readings.length > first, 'second send');
    const second = sink.readings.slice(first).map(([c]) => c);
    expect(second).toContain('battery.chargeCycles'); // from the history block
    expect(second).toContain('battery.voltage'); // from the main block
  });

  it('silence: reports stale, logs null once per channel, reopens the port and recovers', async () => {
    SerialPortMock.binding.createPort(PATH, { echo: false });
    driver = make();
    await driver.start(sink);
    await until(() => ports.at(-1)?.isOpen === true, 'open');
    send(encodeBlock(SMARTSHUNT[0] ?? []));
    await until(() => sink.value('battery.voltage') === 12.85, 'a reading');
    clock.advance(10_000);
    await until(() => sink.healths.some(([h]) => h === 'stale'), 'stale');
    expect(sink.value('battery.voltage')).toBeNull();
    expect(sink.value('battery.soc')).toBeNull();
    expect(sink.readings.filter(([c, v]) => c === 'battery.voltage' && v === null)).toHaveLength(1);
    clock.advance(1000); // the reopen after backoff
    await until(() => ports.length === 2 && ports[1]?.isOpen === true, 'reopened');
    send(encodeBlock(SMARTSHUNT[0] ?? []));
    await until(() => sink.value('battery.voltage') === 12.85, 'readings again');
    expect(sink.healths.map(([h]) => h)).toEqual(['starting', 'ok', 'stale', 'ok']);
  });

  it('an absent device is a fault that does not throw; it is picked up when it appears', async () => {
    driver = make();
    await driver.start(sink);
    await until(() => sink.healths.some(([h]) => h === 'fault'), 'fault');
    expect(sink.healths.at(-1)?.[1]).toMatch(/cannot open \/dev\/ttyVE-mock/);
    clock.advance(1000);
    await flush();
    expect(sink.healths.filter(([h]) => h === 'fault')).toHaveLength(1); // one outage, one event
    SerialPortMock.binding.createPort(PATH, { echo: false });
    clock.advance(2000);
    await until(() => ports.at(-1)?.isOpen === true, 'open');
    send(encodeBlock(SMARTSHUNT[0] ?? []));
    await until(() => sink.value('battery.voltage') === 12.85, 'a reading');
  });

  it('turns alarm reasons into events, raised and cleared', async () => {
    SerialPortMock.binding.createPort(PATH, { echo: false });
    driver = make();
    await driver.start(sink);
    await until(() => ports.at(-1)?.isOpen === true, 'open');
    const withAr = (ar: string) =>
      encodeBlock((SMARTSHUNT[0] ?? []).map(([l, v]) => [l, l === 'AR' ? ar : v] as const));
    send(withAr('5'));
    await until(() => sink.events.length === 2, 'two alarms');
    send(withAr('4'));
    await until(() => sink.events.length === 3, 'one cleared');
    expect(sink.events.map((e) => [e.level, e.message])).toEqual([
      ['alarm', 'battery monitor alarm: low voltage'],
      ['alarm', 'battery monitor alarm: low state of charge'],
      ['info', 'battery monitor alarm cleared: low voltage'],
    ]);
    expect(sink.events[0]?.type).toBe('battery.alarm');
  });

  it('a Phoenix inverter: AC output channels, identified in its health, state and warnings as events', async () => {
    SerialPortMock.binding.createPort(PATH, { echo: false });
    driver = make();
    await driver.start(sink);
    await until(() => ports.at(-1)?.isOpen === true, 'open');
    const inverter = (changes: Record<string, string>) =>
      encodeBlock((PHOENIX_INVERTER[0] ?? []).map(([l, v]) => [l, changes[l] ?? v] as const));
    send(inverter({}));
    await until(() => sink.value('inverter.acVoltage') !== undefined, 'AC readings');
    expect(sink.value('inverter.acVoltage')).toBe(230.01);
    expect(sink.value('inverter.acCurrent')).toBe(0.7);
    expect(sink.value('inverter.acApparentPower')).toBe(161);
    expect(sink.value('inverter.inverting')).toBe(1);
    expect(sink.value('battery.voltage')).toBe(12.39);
    expect(sink.healths.at(-1)).toEqual([
      'ok',
      `valid blocks from ${PATH}: inverter (PID 0xA201, FW 0114, SER# HQ1731ABCDE)`,
    ]);
    // overload alarm, then the inverter stops: AC gone
    send(inverter({ AR: '256', CS: '2', WARN: '0', AC_OUT_V: '0', AC_OUT_I: '0', AC_OUT_S: '0' }));
    await until(() => sink.value('inverter.inverting') === 0, 'not inverting');
    expect(sink.value('inverter.state')).toBe(2);
    expect(sink.events.map((e) => [e.type, e.level, e.message])).toEqual([
      ['inverter.warning', 'warning', 'inverter warning: low voltage'],
      ['inverter.state', 'info', 'inverter: inverting (AC output on)'],
      ['inverter.alarm', 'alarm', 'inverter alarm: overload'],
      ['inverter.warning', 'info', 'inverter warning cleared: low voltage'],
      ['inverter.state', 'alarm', 'inverter: fault (not inverting)'],
    ]);
  });

  it('stop is safe twice and sends nothing afterwards', async () => {
    SerialPortMock.binding.createPort(PATH, { echo: false });
    driver = make();
    await driver.start(sink);
    await until(() => ports.at(-1)?.isOpen === true, 'open');
    await driver.stop();
    await driver.stop();
    clock.advance(60_000);
    await flush();
    expect(ports).toHaveLength(1);
    expect(sink.readings).toEqual([]);
  });
});
