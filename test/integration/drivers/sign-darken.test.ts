import { afterEach, describe, expect, it } from 'vitest';
import { buildConfigSchema } from '../../../src/config/schema.js';
import { ManualClock } from '../../../src/core/clock.js';
import { MemoryLogger } from '../../../src/core/logger.js';
import { darkenGpioSign, signPins } from '../../../src/sign/outputs/darken.js';
import { GpioLampSign } from '../../../src/sign/outputs/gpio-lamps.js';
import { PATTERNS } from '../../../src/sign/pattern.js';
import { FakeGpioKernel } from '../../fixtures/gpio/fake-kernel.js';

const BASE = 571; // Pi 5 fixture
const PINS = [7, 12, 16, 18, 20, 21, 22, 23, 24, 25];

let kernel: FakeGpioKernel | undefined;
let sign: GpioLampSign | undefined;

afterEach(async () => {
  await sign?.stop();
  kernel?.dispose();
  sign = undefined;
  kernel = undefined;
});

function configFor(k: FakeGpioKernel, activeLow: boolean) {
  return buildConfigSchema().parse({
    point: { id: 'darken-test' },
    hardware: { gpio: { backend: 'sysfs', sysfsRoot: k.root } },
    sign: {
      outputs: ['gpio'],
      gpio: {
        lamps: { OPEN: 22, OPEN_LIMITED: 23, FULL: 24, STANDBY: 25, CLOSED: 16 },
        services: { heat: 12, charging: 20, water: 21, internet: 18 },
        uplinkPin: 7,
        activeLow,
      },
      lampTest: { atStart: false, dailyAt: null, stepMs: 200 },
    },
  });
}

/** A lamp box showing OPEN whose controller then "dies": the pins keep their levels, nobody stops it. */
async function litThenAbandoned(activeLow: boolean) {
  kernel = new FakeGpioKernel('pi5-kernel6.6');
  const config = configFor(kernel, activeLow);
  sign = new GpioLampSign({
    sign: config.sign.gpio,
    lampTest: config.sign.lampTest,
    gpio: config.hardware.gpio,
    timers: new ManualClock(0),
    scheduler: { daily: () => () => undefined },
    logger: new MemoryLogger(),
    fs: kernel,
  });
  await sign.start();
  sign.show(PATTERNS.OPEN, {
    placesLeft: 3,
    reasons: [],
    capacity: 9,
    services: ['heat'],
    uplink: 'connected',
  });
  const k = kernel;
  const lit = () => PINS.filter((b) => k.raw(BASE + b) === (activeLow ? 0 : 1));
  expect(lit()).toEqual([7, 12, 22]);
  return { config, k, lit };
}

describe('darkening the GPIO sign after the controller died', () => {
  it('lists every lamp pin once', () => {
    const k = new FakeGpioKernel('pi5-kernel6.6');
    expect(signPins(configFor(k, false).sign.gpio)).toEqual(PINS);
    k.dispose();
  });

  it('turns every lamp off, so a dead controller never leaves OPEN lit', async () => {
    const { config, k, lit } = await litThenAbandoned(false);
    const result = await darkenGpioSign(config, { fs: k });
    expect(result).toEqual({ darkened: PINS, problems: [] });
    expect(lit()).toEqual([]);
  });

  it('drives active-low relay boards high to turn them off', async () => {
    const { config, k, lit } = await litThenAbandoned(true);
    await darkenGpioSign(config, { fs: k });
    expect(lit()).toEqual([]);
    expect(PINS.every((b) => k.raw(BASE + b) === 1)).toBe(true);
  });

  it('reports a machine without the header chip as a problem, without throwing', async () => {
    const k = new FakeGpioKernel('not-a-pi');
    const result = await darkenGpioSign(configFor(k, false), { fs: k });
    k.dispose();
    expect(result.darkened).toEqual([]);
    expect(result.problems).toEqual([expect.stringMatching(/^GPIO sign: /)]);
  });

  it('does nothing when the sign has no GPIO output', async () => {
    const config = buildConfigSchema().parse({ point: { id: 'p' } });
    expect(await darkenGpioSign(config)).toEqual({ darkened: [], problems: [] });
  });
});
