import type { Level } from './debounce.js';

/** What a pin is for, so every error message can name it: `BCM 17 (mains present)`. */
export interface PinRole {
  bcm: number;
  role: string;
}

export interface InputPin {
  /** The logical level now (after active-low inversion). */
  read(): Level;
  /** Called on every change the backend sees (raw, not debounced). */
  onChange(fn: (level: Level) => void): void;
  close(): void;
}

export interface OutputPin {
  write(level: Level): void;
  close(): void;
}

/** One way of reaching the header's pins. Opening throws a clear message naming the pin on failure. */
export interface GpioBackend {
  input(pin: PinRole, opts: { activeLow: boolean }): InputPin;
  output(pin: PinRole, opts: { activeLow: boolean }): OutputPin;
}

export function describePin(pin: PinRole): string {
  return `GPIO BCM ${pin.bcm} (${pin.role})`;
}
