import type { KioskConfig } from '../../config/schema.js';
import { type Clock, SystemClock } from '../../core/clock.js';
import type { Driver } from '../interfaces.js';
import { ButtonsDriver, TamperDriver } from './buttons-driver.js';
import { DoorBeamsDriver } from './door-driver.js';
import { GeneratorContactDriver } from './generator-contact.js';
import type { GpioDriverContext } from './gpio-driver.js';
import { MainsGpioDriver } from './mains-driver.js';
import type { SysfsFs } from './sysfs-fs.js';

/** Test seams: a fixture sysfs tree behind a fake kernel, and a manual clock. Real files and time otherwise. */
export interface GpioOverrides {
  fs?: SysfsFs;
  timers?: Clock;
}

/** The GPIO drivers the config asks for (mains, generator contact, door beams, buttons, tamper). */
export function buildGpioDrivers(config: KioskConfig, overrides: GpioOverrides = {}): Driver[] {
  const hw = config.hardware;
  const ctx: GpioDriverContext = {
    settings: hw.gpio,
    fs: overrides.fs,
    timers: overrides.timers ?? new SystemClock(),
  };
  const drivers: Driver[] = [];
  if (hw.mains.driver === 'gpio') drivers.push(new MainsGpioDriver(hw.mains, ctx));
  if (hw.generator.driver === 'gpio-contact') drivers.push(new GeneratorContactDriver(hw.generator, ctx));
  if (hw.door.driver === 'gpio-beams') drivers.push(new DoorBeamsDriver(hw.door, ctx));
  if (hw.buttons) drivers.push(new ButtonsDriver(hw.buttons, ctx));
  if (hw.tamper) drivers.push(new TamperDriver(hw.tamper, ctx));
  return drivers;
}
