import { afterEach, describe, expect, it, vi } from 'vitest';
import { buildConfigSchema } from '../../../src/config/schema.js';
import { ManualClock } from '../../../src/core/clock.js';
import { buildGpioDrivers } from '../../../src/drivers/gpio/build.js';
import { findHeaderChip } from '../../../src/drivers/gpio/chip.js';
import type { Driver } from '../../../src/drivers/interfaces.js';
import { FakeGpioKernel, type FixtureName } from '../../fixtures/gpio/fake-kernel.js';
import { RecordingSink } from '../../helpers/recording-sink.js';

let kernels: FakeGpioKernel[] = [];
let drivers: Driver[] = [];

afterEach(async () => {
  for (const d of drivers) await d.stop();
  for (const k of kernels) k.dispose();
  kernels = [];
  drivers = [];
});

function kernel(fixture: FixtureName): FakeGpioKernel {
  const k = new FakeGpioKernel(fixture);
  kernels.push(k);
  return k;
}

/** GPIO drivers on a fixture tree, polled every 10 ms of a manual clock. */
async function start(
  k: FakeGpioKernel,
  hardware: Record<string, unknown>,
  logged: Record<string, number> = {},
) {
  const config = buildConfigSchema().parse({
    point: { id: 'gpio-test' },
    hardware: { gpio: { backend: 'sysfs', sysfsRoot: k.root, pollMs: 10, retrySec: 5 }, ...hardware },
  });
  const clock = new ManualClock(Date.UTC(2026, 0, 10, 8));
  const sink = new RecordingSink(logged);
  const built = buildGpioDrivers(config, { fs: k, timers: clock });
  drivers.push(...built);
  for (const d of built) await d.start(sink);
  return { clock, sink, drivers: built };
}

describe('gpiochip base lookup on fixture trees', () => {
  it.each<[FixtureName, string, number]>([
    ['pi3-kernel6.6', 'pinctrl-bcm2835', 512],
    ['pi4-kernel6.6', 'pinctrl-bcm2711', 512],
    ['pi5-kernel6.6', 'pinctrl-rp1', 571],
    ['pi4-kernel6.1', 'pinctrl-bcm2711', 0],
  ])('%s: the header controller is %s at base %d', (fixture, label, base) => {
    const k = kernel(fixture);
    expect(findHeaderChip(k, k.root)).toMatchObject({ label, base });
  });

  it('a tree without a Pi controller, or no tree at all, gives a clear message', () => {
    const k = kernel('not-a-pi');
    expect(() => findHeaderChip(k, k.root)).toThrow(
      /no Raspberry Pi header GPIO controller .*found: gpio-mockup-A@496/,
    );
    expect(() => findHeaderChip(k, `${k.root}/missing`)).toThrow(/no GPIO sysfs tree at .*missing/);
  });
});

describe('mains present input', () => {
  it('exports base + BCM (Pi 5: 571 + 17), debounces, and reports each settled change', async () => {
    const k = kernel('pi5-kernel6.6');
    const { clock, sink } = await start(k, { mains: { driver: 'gpio', pin: 17, debounceMs: 200 } });
    expect(k.exported()).toEqual([588]);
    expect(sink.lastHealth()).toBe('ok');
    expect(sink.values('mains.present')).toEqual([0]);
    // chatter shorter than the debounce time changes nothing
    for (let i = 0; i < 5; i++) {
      k.setRaw(588, 1);
      clock.advance(50);
      k.setRaw(588, 0);
      clock.advance(50);
    }
    expect(sink.values('mains.present')).toEqual([0]);
    k.setRaw(588, 1);
    clock.advance(190);
    expect(sink.values('mains.present')).toEqual([0]);
    clock.advance(30);
    expect(sink.values('mains.present')).toEqual([0, 1]);
    // the heartbeat repeats the value so it never goes stale
    clock.advance(30_000);
    expect(sink.values('mains.present')).toEqual([0, 1, 1]);
  });

  it('activeLow inverts the input', async () => {
    const k = kernel('pi4-kernel6.6');
    k.setRaw(529, 0);
    const { sink } = await start(k, { mains: { driver: 'gpio', pin: 17, activeLow: true } });
    expect(sink.values('mains.present')).toEqual([1]);
  });

  it('an export the kernel rejects (EINVAL) is a fault naming the pin, retried until it works', async () => {
    const k = kernel('pi4-kernel6.6');
    k.refuse.add(529);
    const { clock, sink } = await start(k, { mains: { driver: 'gpio', pin: 17 } });
    expect(sink.healths).toHaveLength(1);
    expect(sink.healths[0]).toMatchObject({ driver: 'gpio.mains', health: 'fault' });
    expect(sink.healths[0]?.message).toMatch(/GPIO BCM 17 \(mains present\), sysfs gpio529: .*EINVAL/);
    expect(sink.readings).toEqual([]);
    k.refuse.delete(529);
    clock.advance(5000);
    // the retry opens asynchronously (real file I/O): poll, 10 ms was a guess that load can beat
    await vi.waitFor(() => expect(sink.lastHealth()).toBe('ok'), { timeout: 10_000, interval: 10 });
    expect(k.exported()).toEqual([529]);
  });

  it('a pin held by another driver (EBUSY) says so', async () => {
    const k = kernel('pi4-kernel6.6');
    k.claimed.add(516);
    const { sink } = await start(k, { mains: { driver: 'gpio', pin: 4 } });
    expect(sink.healths[0]?.message).toMatch(/BCM 4 .*busy \(EBUSY\).*w1-gpio/);
  });

  it('stop unexports every pin and is safe twice', async () => {
    const k = kernel('pi4-kernel6.6');
    const { drivers: ds } = await start(k, {
      mains: { driver: 'gpio', pin: 17 },
      generator: { driver: 'gpio-contact', pin: 27 },
      door: { driver: 'gpio-beams', outerPin: 5, innerPin: 6 },
      buttons: { driver: 'gpio', mode: 13, acknowledge: 19 },
      tamper: { driver: 'gpio', pin: 26 },
    });
    expect(k.exported()).toEqual([512 + 5, 512 + 6, 512 + 13, 512 + 17, 512 + 19, 512 + 26, 512 + 27]);
    for (const d of ds) await d.stop();
    for (const d of ds) await d.stop();
    expect(k.exported()).toEqual([]);
  });
});

describe('generator running contact', () => {
  it('reports running and counts run hours on from the last logged value', async () => {
    const k = kernel('pi4-kernel6.6');
    const { clock, sink } = await start(
      k,
      { generator: { driver: 'gpio-contact', pin: 27, debounceMs: 100, runHoursEverySec: 60 } },
      { 'generator.runHours': 1234.5 },
    );
    expect(sink.last('generator.running')).toBe(0);
    expect(sink.last('generator.runHours')).toBe(1234.5);
    k.setRaw(539, 1);
    clock.advance(110);
    expect(sink.last('generator.running')).toBe(1);
    clock.advance(6 * 60_000);
    expect(sink.last('generator.runHours')).toBeCloseTo(1234.6, 2);
    k.setRaw(539, 0);
    clock.advance(110);
    expect(sink.last('generator.running')).toBe(0);
    const stopped = sink.last('generator.runHours') ?? 0;
    clock.advance(5 * 60_000);
    expect(sink.last('generator.runHours')).toBe(stopped);
  });
});

describe('door beams (active low: a broken beam reads 0)', () => {
  const A = 512 + 5;
  const B = 512 + 6;

  async function door() {
    const k = kernel('pi4-kernel6.6');
    k.setRaw(A, 1);
    k.setRaw(B, 1);
    const ctx = await start(k, {
      door: { driver: 'gpio-beams', outerPin: 5, innerPin: 6, minBreakMs: 30, blockedFaultSec: 3 },
    });
    const beam = (pin: number, broken: boolean, afterMs = 100) => {
      k.setRaw(pin, broken ? 0 : 1);
      ctx.clock.advance(afterMs);
    };
    return { ...ctx, k, beam };
  }

  it('counts an entry, an exit, and not a turn-back', async () => {
    const { sink, beam } = await door();
    beam(A, true);
    beam(B, true);
    beam(A, false);
    beam(B, false);
    expect(sink.passages).toEqual(['in']);
    beam(B, true);
    beam(A, true);
    beam(B, false);
    beam(A, false);
    expect(sink.passages).toEqual(['in', 'out']);
    beam(A, true);
    beam(B, true);
    beam(B, false);
    beam(A, false);
    expect(sink.passages).toEqual(['in', 'out']);
  });

  it('ignores noise shorter than minBreakMs', async () => {
    const { sink, beam } = await door();
    beam(A, true, 20);
    beam(A, false, 100);
    beam(B, true, 10);
    beam(B, false, 100);
    expect(sink.passages).toEqual([]);
    expect(sink.healths.map((h) => h.health)).toEqual(['ok']);
  });

  it('a beam blocked for blockedFaultSec is a fault, and recovers when it clears', async () => {
    const { sink, beam, clock } = await door();
    beam(B, true, 3100);
    expect(sink.healths.at(-1)).toMatchObject({ health: 'fault' });
    expect(sink.healths.at(-1)?.message).toMatch(/door beam B \(inside\) \(BCM 6\) blocked for 3 s/);
    beam(B, false);
    expect(sink.lastHealth()).toBe('ok');
    expect(sink.passages).toEqual([]);
    clock.advance(1000);
    beam(A, true);
    beam(B, true);
    beam(A, false);
    beam(B, false);
    expect(sink.passages).toEqual(['in']);
  });
});

describe('operator buttons and tamper switch', () => {
  it('a debounced press becomes a button event; release does nothing', async () => {
    const k = kernel('pi4-kernel6.6');
    k.setRaw(525, 1);
    k.setRaw(531, 1);
    const { clock, sink } = await start(k, {
      buttons: { driver: 'gpio', mode: 13, acknowledge: 19, debounceMs: 50 },
    });
    k.setRaw(525, 0);
    clock.advance(20);
    k.setRaw(525, 1); // a bounce
    clock.advance(100);
    expect(sink.buttons).toEqual([]);
    k.setRaw(525, 0);
    clock.advance(100);
    k.setRaw(525, 1);
    clock.advance(100);
    k.setRaw(531, 0);
    clock.advance(100);
    expect(sink.buttons).toEqual(['mode', 'acknowledge']);
  });

  it('opening the lid logs tamper.open = 1 and an alarm event', async () => {
    const k = kernel('pi4-kernel6.6');
    k.setRaw(538, 1);
    const { clock, sink } = await start(k, { tamper: { driver: 'gpio', pin: 26 } });
    expect(sink.values('tamper.open')).toEqual([0]);
    k.setRaw(538, 0);
    clock.advance(300);
    expect(sink.values('tamper.open')).toEqual([0, 1]);
    expect(sink.events).toEqual([expect.objectContaining({ type: 'tamper.opened', level: 'alarm' })]);
  });
});
