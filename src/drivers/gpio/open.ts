import type { Clock } from '../../core/clock.js';
import { findHeaderChip } from './chip.js';
import type { GpioSettings } from './config.js';
import { OnoffBackend } from './onoff-pins.js';
import type { GpioBackend } from './pins.js';
import { nodeSysfs, type SysfsFs } from './sysfs-fs.js';
import { SysfsBackend } from './sysfs-pins.js';

/** What GPIO users get injected: settings, the file system of the sysfs tree, and the polling timer. */
export interface GpioDeps {
  settings: GpioSettings;
  /** The real files by default; tests pass a fake kernel over a fixture tree. */
  fs?: SysfsFs;
  /** Real time by default. */
  timers: Pick<Clock, 'every'>;
}

/** Looks up the header chip and opens the configured backend. Throws a clear message; never hangs. */
export async function openGpio(deps: GpioDeps): Promise<GpioBackend> {
  const fs = deps.fs ?? nodeSysfs;
  const { settings } = deps;
  const chip = findHeaderChip(fs, settings.sysfsRoot);
  if (settings.backend === 'onoff') {
    if (settings.sysfsRoot !== '/sys/class/gpio' || deps.fs) {
      throw new Error('the onoff backend only works on /sys/class/gpio; use backend: sysfs for another root');
    }
    return OnoffBackend.load(chip);
  }
  return new SysfsBackend({
    fs,
    root: settings.sysfsRoot,
    chip,
    pollMs: settings.pollMs,
    timers: deps.timers,
  });
}
