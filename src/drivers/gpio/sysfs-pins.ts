import { join } from 'node:path';
import type { Clock } from '../../core/clock.js';
import { type GpioChip, sysfsNumber } from './chip.js';
import type { Level } from './debounce.js';
import { explainPinError } from './errors.js';
import type { GpioBackend, InputPin, OutputPin, PinRole } from './pins.js';
import type { SysfsFs } from './sysfs-fs.js';

export interface SysfsBackendOptions {
  fs: SysfsFs;
  root: string;
  chip: GpioChip;
  pollMs: number;
  /** Polling runs on this timer (real time on a Pi; a manual clock in tests). */
  timers: Pick<Clock, 'every'>;
}

/**
 * GPIO through plain reads and writes of the sysfs files, following the kernel's rules: write the number
 * to `export` and `gpioN/` appears; `active_low` before `direction`; `direction` = `low`/`high` sets an
 * output and its first *raw* level in one step (no glitch); `value` is logical (active_low applies).
 * Inputs are polled every `pollMs`, so this works on any sysfs tree, including a fixture on disk.
 */
export class SysfsBackend implements GpioBackend {
  constructor(private readonly opts: SysfsBackendOptions) {}

  input(pin: PinRole, { activeLow }: { activeLow: boolean }): InputPin {
    const dir = this.export(pin, activeLow, 'in');
    const { fs, timers, pollMs } = this.opts;
    const valuePath = join(dir, 'value');
    const read = (): Level => (fs.read(valuePath).trim() === '1' ? 1 : 0);
    let last = read();
    const listeners: Array<(l: Level) => void> = [];
    const cancel = timers.every(pollMs, () => {
      let now: Level;
      try {
        now = read();
      } catch {
        return; // a vanished pin shows as no change; the owner's heartbeat read reports it
      }
      if (now === last) return;
      last = now;
      for (const fn of listeners) fn(now);
    });
    return {
      read,
      onChange: (fn) => listeners.push(fn),
      close: () => {
        cancel();
        this.unexport(pin);
      },
    };
  }

  output(pin: PinRole, { activeLow }: { activeLow: boolean }): OutputPin {
    const dir = this.export(pin, activeLow, activeLow ? 'high' : 'low');
    const valuePath = join(dir, 'value');
    return {
      write: (level) => this.opts.fs.write(valuePath, level ? '1' : '0'),
      close: () => {
        try {
          this.opts.fs.write(valuePath, '0');
        } finally {
          this.unexport(pin);
        }
      },
    };
  }

  private export(pin: PinRole, activeLow: boolean, direction: 'in' | 'low' | 'high'): string {
    const { fs, root, chip } = this.opts;
    const n = sysfsNumber(chip, pin.bcm);
    const dir = join(root, `gpio${n}`);
    try {
      if (!fs.exists(dir)) fs.write(join(root, 'export'), String(n));
      if (!fs.exists(dir)) throw new Error(`export did not create ${dir}`);
      fs.write(join(dir, 'active_low'), activeLow ? '1' : '0');
      fs.write(join(dir, 'direction'), direction);
      if (direction === 'in' && fs.exists(join(dir, 'edge'))) fs.write(join(dir, 'edge'), 'both');
    } catch (err) {
      throw explainPinError(err, pin, n);
    }
    return dir;
  }

  private unexport(pin: PinRole): void {
    const n = sysfsNumber(this.opts.chip, pin.bcm);
    try {
      this.opts.fs.write(join(this.opts.root, 'unexport'), String(n));
    } catch {
      // already gone
    }
  }
}
