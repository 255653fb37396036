import type { Gpio } from 'onoff';
import { type GpioChip, sysfsNumber } from './chip.js';
import type { Level } from './debounce.js';
import { explainPinError } from './errors.js';
import type { GpioBackend, InputPin, OutputPin, PinRole } from './pins.js';

type GpioClass = typeof Gpio;

/**
 * GPIO through onoff on a Raspberry Pi: edges come as epoll interrupts. onoff only knows the kernel's
 * global numbers under /sys/class/gpio, so BCM numbers are translated with the chip's looked-up base.
 * onoff is loaded on first use, so a machine without it (or without epoll) still runs everything else.
 */
export class OnoffBackend implements GpioBackend {
  constructor(
    private readonly GpioCtor: GpioClass,
    private readonly chip: GpioChip,
  ) {}

  static async load(chip: GpioChip): Promise<OnoffBackend> {
    const mod = await import('onoff');
    return new OnoffBackend(mod.Gpio, chip);
  }

  input(pin: PinRole, { activeLow }: { activeLow: boolean }): InputPin {
    const gpio = this.open(pin, () => {
      const n = sysfsNumber(this.chip, pin.bcm);
      return new this.GpioCtor(n, 'in', 'both', { activeLow });
    });
    return {
      read: () => (gpio.readSync() === 1 ? 1 : 0),
      onChange: (fn) =>
        gpio.watch((err, value) => {
          if (!err) fn(value === 1 ? 1 : 0);
        }),
      close: () => {
        gpio.unwatchAll();
        gpio.unexport();
      },
    };
  }

  output(pin: PinRole, { activeLow }: { activeLow: boolean }): OutputPin {
    // 'high'/'low' set the first raw level together with the direction: an active-low lamp starts off
    const gpio = this.open(pin, () => {
      const n = sysfsNumber(this.chip, pin.bcm);
      return new this.GpioCtor(n, activeLow ? 'high' : 'low', 'none', { activeLow });
    });
    return {
      write: (level: Level) => gpio.writeSync(level),
      close: () => {
        try {
          gpio.writeSync(0);
        } finally {
          gpio.unexport();
        }
      },
    };
  }

  private open(pin: PinRole, make: () => Gpio): Gpio {
    try {
      return make();
    } catch (err) {
      throw explainPinError(err, pin, this.chip.base + pin.bcm);
    }
  }
}
