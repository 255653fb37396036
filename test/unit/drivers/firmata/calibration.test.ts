import { describe, expect, it } from 'vitest';
import { analogInputs } from '../../../../src/drivers/firmata/analog-driver.js';
import { calibrate } from '../../../../src/drivers/firmata/calibration.js';

const value = (r: ReturnType<typeof calibrate>) => (r.ok ? r.value : Number.NaN);

describe('analog calibration', () => {
  it('divider: V = raw/1023 × vref × (rTop + rBottom) / rBottom', () => {
    const c = { kind: 'divider', vref: 5, rTop: 30_000, rBottom: 7_500 } as const;
    expect(value(calibrate(0, 1023, c))).toBe(0);
    expect(value(calibrate(1023, 1023, c))).toBeCloseTo(25);
    expect(value(calibrate(512, 1023, c))).toBeCloseTo(12.512, 3);
  });

  it('thermistor (Beta equation): r0 reads t0; more resistance is colder', () => {
    const c = { kind: 'thermistor', beta: 3950, r0: 10_000, t0C: 25, rSeries: 10_000 } as const;
    expect(value(calibrate(511.5, 1023, c))).toBeCloseTo(25, 6);
    // R = 10 kΩ × 767/256 ≈ 30 kΩ: about 0 °C
    const r = (10_000 * 767) / (1023 - 767);
    const expected = 1 / (1 / 298.15 + Math.log(r / 10_000) / 3950) - 273.15;
    expect(value(calibrate(767, 1023, c))).toBeCloseTo(expected, 9);
    expect(expected).toBeLessThan(5);
    expect(calibrate(0, 1023, c)).toEqual({ ok: false, reason: 'thermistor shorted (reads 0)' });
    expect(calibrate(1023, 1023, c)).toMatchObject({
      ok: false,
      reason: expect.stringMatching(/open circuit/),
    });
  });

  it('TMP36: 10 mV/°C with 500 mV at 0 °C', () => {
    const c = { kind: 'tmp36', vref: 5 } as const;
    expect(value(calibrate((0.75 / 5) * 1023, 1023, c))).toBeCloseTo(25);
    expect(value(calibrate((0.4 / 5) * 1023, 1023, c))).toBeCloseTo(-10);
  });

  it('two-point fuel sender, rising or falling, clamped near the marks, broken wire far outside', () => {
    const rising = { kind: 'two-point', emptyRaw: 100, fullRaw: 900 } as const;
    const falling = { kind: 'two-point', emptyRaw: 900, fullRaw: 100 } as const;
    expect(value(calibrate(500, 1023, rising))).toBe(50);
    expect(value(calibrate(300, 1023, falling))).toBe(75);
    expect(value(calibrate(95, 1023, rising))).toBe(0);
    expect(value(calibrate(920, 1023, rising))).toBe(100);
    expect(calibrate(1023, 1023, rising).ok).toBe(false);
    expect(calibrate(5, 1023, rising).ok).toBe(false);
    expect(calibrate(5, 1023, { kind: 'two-point', emptyRaw: 10, fullRaw: 10 }).ok).toBe(false);
  });

  it('rejects raw values outside the ADC range', () => {
    for (const raw of [-1, 1024, Number.NaN]) {
      expect(calibrate(raw, 1023, { kind: 'tmp36', vref: 5 }).ok).toBe(false);
    }
  });

  it('maps the config to channels', () => {
    const inputs = analogInputs({
      batteryVoltage: { pin: 0, channel: 'battery.voltage', vref: 5, rTop: 1, rBottom: 1 },
      temperature: { sensor: 'tmp36', pin: 3, name: 'indoor', vref: 5 },
      fuel: { pin: 2, emptyRaw: 1, fullRaw: 2 },
    });
    expect(inputs.map((i) => [i.channel, i.analogChannel])).toEqual([
      ['battery.voltage', 0],
      ['temperature.indoor', 3],
      ['generator.fuelLevel', 2],
    ]);
  });
});
