import { cpSync, mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { SystemClock } from '../../../src/core/clock.js';
import { MemoryLogger } from '../../../src/core/logger.js';
import type { DriverHealth, DriverSink } from '../../../src/drivers/interfaces.js';
import { Ds18b20Driver } from '../../../src/drivers/onewire/driver.js';

/**
 * The DS18B20 contract suite on real files and real time. Against a copy of test/fixtures/w1 always;
 * against the Pi's bus when PIMA_TEST_W1_ROOT names it (e.g. /sys/bus/w1/devices): every 28-* sensor
 * found there is read, and only plausibility and sequential reading are checked.
 */
const realRoot = process.env.PIMA_TEST_W1_ROOT;

class Sink implements DriverSink {
  readings: Array<[string, number | null]> = [];
  healths: Array<[string, DriverHealth]> = [];
  reading(c: string, v: number | null): void {
    this.readings.push([c, v]);
  }
  passage(): void {}
  health(d: string, h: DriverHealth): void {
    this.healths.push([d, h]);
  }
}

describe(`DS18B20 contract on ${realRoot ?? 'a copy of the w1 fixture tree'}`, () => {
  let root: string;
  let driver: Ds18b20Driver;
  const sink = new Sink();
  let inFlight = 0;
  let maxInFlight = 0;
  let sensors: Record<string, string>;

  beforeAll(async () => {
    root = realRoot ?? mkdtempSync(join(tmpdir(), 'w1-contract-'));
    if (!realRoot) cpSync('test/fixtures/w1', root, { recursive: true });
    const ids = readdirSync(root).filter((d) => /^28-[0-9a-f]{12}$/.test(d));
    sensors = Object.fromEntries(ids.map((id, i) => [`s${i}`, id]));
    driver = new Ds18b20Driver({
      root,
      intervalMs: 60_000,
      sensors,
      clock: new SystemClock(),
      logger: new MemoryLogger(),
      readText: async (p) => {
        maxInFlight = Math.max(maxInFlight, ++inFlight);
        try {
          return await readFile(p, 'latin1');
        } finally {
          inFlight--;
        }
      },
    });
    await driver.start(sink);
    await driver.idle();
  });

  afterAll(async () => {
    await driver?.stop();
    await driver?.stop();
    if (!realRoot) rmSync(root, { recursive: true, force: true });
  });

  it('reads each sensor once per cycle, one at a time, a plausible °C or null with a fault', () => {
    expect(Object.keys(sensors).length).toBeGreaterThan(0);
    expect(sink.readings.map(([c]) => c).sort()).toEqual(
      Object.keys(sensors)
        .map((n) => `temperature.${n}`)
        .sort(),
    );
    expect(maxInFlight).toBe(1);
    for (const [channel, value] of sink.readings) {
      const health = sink.healths
        .filter(([d]) => d === channel.replace('temperature.', 'ds18b20.'))
        .at(-1)?.[1];
      if (value === null) expect(health).toBe('fault');
      else {
        expect(value).toBeGreaterThanOrEqual(-55);
        expect(value).toBeLessThanOrEqual(125);
        expect(health).toBe('ok');
      }
    }
    if (realRoot) return;
    const values = Object.fromEntries(sink.readings.map(([c, v]) => [sensors[c.slice(12)], v]));
    expect(values).toEqual({
      '28-0316a2795a01': 23.125,
      '28-0316a2795a02': -1.25,
      '28-0316a2795a03': 21.5,
      '28-0316a2795a04': null,
      '28-0316a2795a05': null,
      '28-0316a2795a06': null,
      '28-0316a2795a07': null,
      '28-0316a2795a08': 21.5,
      // counterfeit families (cpetrich/counterfeit_DS18B20): read on their CRC and range
      '28-00000bbb9b13': 23.125,
      '28-02109246bc1c': 21.5,
      '28-020491771d24': 20.25,
      '28-8000001f9c9e': 19,
    });
  });
});
