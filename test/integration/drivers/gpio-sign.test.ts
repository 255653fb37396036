import { afterEach, describe, expect, it } from 'vitest';
import { buildConfigSchema } from '../../../src/config/schema.js';
import { ManualClock } from '../../../src/core/clock.js';
import { MemoryLogger } from '../../../src/core/logger.js';
import type { SignDetail } from '../../../src/sign/output.js';
import { GpioLampSign } from '../../../src/sign/outputs/gpio-lamps.js';
import { PATTERNS } from '../../../src/sign/pattern.js';
import { FakeGpioKernel } from '../../fixtures/gpio/fake-kernel.js';

const BASE = 571; // Pi 5 fixture
const PIN = {
  OPEN: 22,
  OPEN_LIMITED: 23,
  FULL: 24,
  STANDBY: 25,
  CLOSED: 16,
  heat: 12,
  charging: 20,
  water: 21,
  internet: 18,
  uplink: 7,
};

let kernel: FakeGpioKernel | undefined;
let sign: GpioLampSign | undefined;

afterEach(async () => {
  await sign?.stop();
  kernel?.dispose();
  sign = undefined;
  kernel = undefined;
});

const detail: SignDetail = {
  placesLeft: 5,
  reasons: [],
  capacity: 50,
  services: ['heat', 'charging'],
  uplink: 'buffering 12',
};

async function lampBox(opts: { activeLow?: boolean; atStart?: boolean } = {}) {
  kernel = new FakeGpioKernel('pi5-kernel6.6');
  const config = buildConfigSchema().parse({
    point: { id: 'sign-test' },
    hardware: { gpio: { backend: 'sysfs', sysfsRoot: kernel.root } },
    sign: {
      outputs: ['gpio'],
      gpio: {
        lamps: { OPEN: 22, OPEN_LIMITED: 23, FULL: 24, STANDBY: 25, CLOSED: 16 },
        services: { heat: 12, charging: 20, water: 21, internet: 18 },
        uplinkPin: 7,
        activeLow: opts.activeLow ?? false,
      },
      lampTest: { atStart: opts.atStart ?? false, dailyAt: null, stepMs: 200 },
    },
  });
  const clock = new ManualClock(0);
  const k = kernel;
  sign = new GpioLampSign({
    sign: config.sign.gpio,
    lampTest: config.sign.lampTest,
    gpio: config.hardware.gpio,
    timers: clock,
    scheduler: { daily: () => () => undefined },
    logger: new MemoryLogger(),
    fs: k,
  });
  await sign.start();
  /** Which lamps are physically lit (the relay board's view: lit = driven high, or low if activeLow). */
  const litNow = () =>
    Object.entries(PIN)
      .filter(([, bcm]) => k.raw(BASE + bcm) === (opts.activeLow ? 0 : 1))
      .map(([name]) => name)
      .sort();
  return { clock, sign, k, litNow };
}

describe('GPIO lamp box on a fixture sysfs tree (Pi 5 numbering)', () => {
  it('exports every lamp pin as an output, off', async () => {
    const { k, litNow } = await lampBox();
    expect(k.exported()).toEqual(
      Object.values(PIN)
        .map((b) => BASE + b)
        .sort((a, b) => a - b),
    );
    expect(litNow()).toEqual([]);
  });

  it('lights the state lamp in its blink pattern, the services, and blinks the uplink lamp while buffering', async () => {
    const { clock, sign: s, litNow } = await lampBox();
    s.show(PATTERNS.STANDBY, detail); // STANDBY blinks 300 on / 2700 off
    expect(litNow()).toEqual(['STANDBY', 'charging', 'heat', 'uplink']);
    clock.advance(350); // STANDBY's flash is over; the uplink lamp (500 on / 500 off) is still on
    expect(litNow()).toEqual(['charging', 'heat', 'uplink']);
    clock.advance(300); // 650 ms: the uplink lamp is in its off half
    expect(litNow()).toEqual(['charging', 'heat']);
    clock.advance(2400); // 3050 ms: STANDBY's next flash
    expect(litNow()).toContain('STANDBY');
    s.show(PATTERNS.OPEN, { ...detail, uplink: 'connected', services: ['water', 'internet'] });
    expect(litNow()).toEqual(['OPEN', 'internet', 'uplink', 'water']);
    clock.advance(5000);
    expect(litNow()).toEqual(['OPEN', 'internet', 'uplink', 'water']);
  });

  it('active-low relay boards: lit = driven low, and all off = all high', async () => {
    const { k, sign: s, litNow } = await lampBox({ activeLow: true });
    expect(Object.values(PIN).every((b) => k.raw(BASE + b) === 1)).toBe(true);
    s.show(PATTERNS.OPEN, { ...detail, uplink: 'connected' });
    expect(litNow()).toEqual(['OPEN', 'charging', 'heat', 'uplink']);
  });

  it('lamp test at start lights each lamp alone for 200 ms, then shows the state', async () => {
    const { clock, sign: s, litNow } = await lampBox({ atStart: true });
    s.show(PATTERNS.FULL, { ...detail, services: [], uplink: 'off' });
    const seen: string[][] = [];
    for (let i = 0; i < 10; i++) {
      seen.push(litNow());
      clock.advance(200);
    }
    expect(seen).toEqual([
      ['OPEN'],
      ['OPEN_LIMITED'],
      ['FULL'],
      ['STANDBY'],
      ['CLOSED'],
      ['heat'],
      ['charging'],
      ['water'],
      ['internet'],
      ['uplink'],
    ]);
    expect(litNow()).toEqual(['FULL']);
  });

  it('stop leaves every lamp off and releases the pins; a stopped controller shows no stale OPEN', async () => {
    const { k, sign: s } = await lampBox();
    s.show(PATTERNS.OPEN, { ...detail, uplink: 'connected' });
    await s.stop();
    await s.stop();
    expect(k.exported()).toEqual([]);
    expect(k.writes.filter(([p]) => p === `gpio${BASE + PIN.OPEN}/value`).at(-1)?.[1]).toBe('0');
  });
});
