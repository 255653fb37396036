import { cpSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { ManualClock } from '../../../../src/core/clock.js';
import { MemoryLogger } from '../../../../src/core/logger.js';
import type { DriverEvent, DriverHealth, DriverSink } from '../../../../src/drivers/interfaces.js';
import { Ds18b20Driver } from '../../../../src/drivers/onewire/driver.js';

class Sink implements DriverSink {
  readings: Array<[string, number | null]> = [];
  healths: Array<[string, DriverHealth, string]> = [];
  reading(c: string, v: number | null): void {
    this.readings.push([c, v]);
  }
  events: DriverEvent[] = [];
  passage(): void {}
  health(d: string, h: DriverHealth, m: string): void {
    this.healths.push([d, h, m]);
  }
  event(e: DriverEvent): void {
    this.events.push(e);
  }
}

describe('DS18B20 driver on a copy of the w1 fixture tree', () => {
  let root: string;
  let clock: ManualClock;
  let sink: Sink;
  let driver: Ds18b20Driver;

  const make = (sensors: Record<string, string>): Ds18b20Driver =>
    new Ds18b20Driver({ root, intervalMs: 30_000, sensors, clock, logger: new MemoryLogger() });

  beforeEach(() => {
    root = mkdtempSync(join(tmpdir(), 'w1-'));
    cpSync('test/fixtures/w1', root, { recursive: true });
    clock = new ManualClock(0);
    sink = new Sink();
  });
  afterEach(async () => {
    await driver?.stop();
    rmSync(root, { recursive: true, force: true });
  });

  it('reads every named sensor at start and on schedule, into temperature.<name>', async () => {
    driver = make({ indoor: '28-0316a2795a01', outdoor: '28-0316a2795a02', hall: '28-0316a2795a08' });
    await driver.start(sink);
    await driver.idle();
    expect(sink.readings).toEqual([
      ['temperature.indoor', 23.125],
      ['temperature.outdoor', -1.25],
      ['temperature.hall', 21.5],
    ]);
    writeFileSync(
      join(root, '28-0316a2795a01', 'w1_slave'),
      '72 01 4b 46 7f ff 0e 10 57 : crc=57 YES\n72 01 4b 46 7f ff 0e 10 57 t=19000\n',
    );
    clock.advance(29_999);
    await driver.idle();
    expect(sink.readings).toHaveLength(3);
    clock.advance(1);
    await driver.idle();
    expect(sink.readings[3]).toEqual(['temperature.indoor', 19]);
    expect(sink.healths.filter(([, h]) => h === 'ok').map(([d]) => d)).toEqual([
      'ds18b20.indoor',
      'ds18b20.outdoor',
      'ds18b20.hall',
    ]);
  });

  it('counterfeit sensors give their temperature; the family is in the health message and one event', async () => {
    driver = make({
      maxim: '28-00000bbb9b13',
      d1: '28-02109246bc1c',
      d2: '28-020491771d24',
      e: '28-8000001f9c9e',
    });
    await driver.start(sink);
    await driver.idle();
    expect(sink.readings).toEqual([
      ['temperature.maxim', 23.125],
      ['temperature.d1', 21.5],
      ['temperature.d2', 20.25],
      ['temperature.e', 19],
    ]);
    const ok = sink.healths.filter(([, h]) => h === 'ok').map(([d, , m]) => [d, m]);
    expect(ok).toEqual([
      ['ds18b20.maxim', '28-00000bbb9b13 reads; family A (authentic Maxim DS18B20)'],
      ['ds18b20.d1', expect.stringMatching(/^28-02109246bc1c reads; family D1 \(counterfeit: byte 7 = 0x66/)],
      ['ds18b20.d2', expect.stringMatching(/^28-020491771d24 reads; family D2 \(counterfeit/)],
      ['ds18b20.e', expect.stringMatching(/^28-8000001f9c9e reads; family E \(counterfeit/)],
    ]);
    expect(sink.events.map((e) => [e.type, e.level, e.data?.family])).toEqual([
      ['ds18b20.family', 'info', 'A'],
      ['ds18b20.family', 'warning', 'D1'],
      ['ds18b20.family', 'warning', 'D2'],
      ['ds18b20.family', 'warning', 'E'],
    ]);
    clock.advance(30_000);
    await driver.idle();
    expect(sink.readings).toHaveLength(8);
    expect(sink.events).toHaveLength(4); // once per sensor, not every read
  });

  it('every bad case logs null with a fault, and the good sensors are untouched', async () => {
    driver = make({
      crcNo: '28-0316a2795a04',
      empty: '28-0316a2795a05',
      powerOn: '28-0316a2795a06',
      zero: '28-0316a2795a07',
      gone: '28-0316a2795aff',
      good: '28-0316a2795a03',
    });
    await driver.start(sink);
    await driver.idle();
    expect(Object.fromEntries(sink.readings)).toEqual({
      'temperature.crcNo': null,
      'temperature.empty': null,
      'temperature.powerOn': null,
      'temperature.zero': null,
      'temperature.gone': null,
      'temperature.good': 21.5,
    });
    const faults = Object.fromEntries(
      sink.healths.filter(([, h]) => h === 'fault').map(([d, , m]) => [d, m]),
    );
    expect(faults['ds18b20.crcNo']).toMatch(/CRC error/);
    expect(faults['ds18b20.empty']).toMatch(/empty read/);
    expect(faults['ds18b20.powerOn']).toMatch(/power-on value/);
    expect(faults['ds18b20.zero']).toMatch(/all-zero/);
    expect(faults['ds18b20.gone']).toMatch(/28-0316a2795aff not found under/);
  });

  it('a sensor unplugged and plugged back: null and one fault event, then readings and ok again', async () => {
    driver = make({ indoor: '28-0316a2795a01' });
    await driver.start(sink);
    await driver.idle();
    const saved = join(root, 'saved');
    cpSync(join(root, '28-0316a2795a01'), saved, { recursive: true });
    rmSync(join(root, '28-0316a2795a01'), { recursive: true });
    for (let i = 0; i < 3; i++) {
      clock.advance(30_000);
      await driver.idle();
    }
    cpSync(saved, join(root, '28-0316a2795a01'), { recursive: true });
    clock.advance(30_000);
    await driver.idle();
    expect(sink.readings.map(([, v]) => v)).toEqual([23.125, null, null, null, 23.125]);
    expect(sink.healths.map(([, h]) => h)).toEqual(['starting', 'ok', 'fault', 'ok']);
  });

  it('85 °C is believed when the sensor was already near it', async () => {
    driver = make({ boiler: '28-0316a2795a06' });
    const file = join(root, '28-0316a2795a06', 'w1_slave');
    writeFileSync(file, '50 05 4b 46 7f ff 0c 10 1c : crc=1c YES\n50 05 4b 46 7f ff 0c 10 1c t=84000\n');
    await driver.start(sink);
    await driver.idle();
    writeFileSync(file, '50 05 4b 46 7f ff 0c 10 1c : crc=1c YES\n50 05 4b 46 7f ff 0c 10 1c t=85000\n');
    clock.advance(30_000);
    await driver.idle();
    expect(sink.readings.map(([, v]) => v)).toEqual([84, 85]);
  });

  it('an empty read is retried once at once, and a second good read counts', async () => {
    let reads = 0;
    driver = new Ds18b20Driver({
      root,
      intervalMs: 30_000,
      sensors: { indoor: '28-0316a2795a01' },
      clock,
      logger: new MemoryLogger(),
      readText: async () =>
        ++reads === 1
          ? ''
          : '72 01 4b 46 7f ff 0e 10 57 : crc=57 YES\nxx t=1\n'.replace('xx', '72 01 4b 46 7f ff 0e 10 57'),
    });
    await driver.start(sink);
    await driver.idle();
    expect(reads).toBe(2);
    expect(sink.readings).toEqual([['temperature.indoor', 0.001]]);
  });
});
