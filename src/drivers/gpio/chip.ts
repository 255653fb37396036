import { join } from 'node:path';
import type { SysfsFs } from './sysfs-fs.js';

/** The gpiochip that drives the 40-pin header, as the kernel numbers it. */
export interface GpioChip {
  label: string;
  base: number;
  ngpio: number;
}

/**
 * Labels of the header's controller: Pi 5 (RP1), Pi 4 (BCM2711), Pi 0-3 (BCM2835). Since kernel 6.6 the
 * bases are dynamic (512 on Pi 0-4, 571 on Pi 5), so the base is always read, never assumed.
 */
export const HEADER_CHIP_LABELS = ['pinctrl-rp1', 'pinctrl-bcm2711', 'pinctrl-bcm2835'] as const;

/** Reads `gpiochip*\/{label,base,ngpio}` under `root` and picks the header controller. Throws a clear message. */
export function findHeaderChip(fs: SysfsFs, root: string): GpioChip {
  let names: string[];
  try {
    names = fs.list(root).filter((n) => /^gpiochip\d+$/.test(n));
  } catch (err) {
    throw new Error(`no GPIO sysfs tree at ${root} (${(err as Error).message}); is this a Raspberry Pi?`);
  }
  const chips: GpioChip[] = [];
  for (const name of names) {
    try {
      chips.push({
        label: fs.read(join(root, name, 'label')).trim(),
        base: Number.parseInt(fs.read(join(root, name, 'base')), 10),
        ngpio: Number.parseInt(fs.read(join(root, name, 'ngpio')), 10),
      });
    } catch {
      // a chip we cannot read is not the one we want
    }
  }
  for (const label of HEADER_CHIP_LABELS) {
    const chip = chips.find((c) => c.label === label && Number.isInteger(c.base) && c.ngpio > 0);
    if (chip) return chip;
  }
  const found = chips.map((c) => `${c.label}@${c.base}`).join(', ') || 'none';
  throw new Error(
    `no Raspberry Pi header GPIO controller (${HEADER_CHIP_LABELS.join(' | ')}) under ${root}; found: ${found}`,
  );
}

/** The kernel's sysfs number of BCM pin `bcm` on `chip`. */
export function sysfsNumber(chip: GpioChip, bcm: number): number {
  if (!Number.isInteger(bcm) || bcm < 0 || bcm >= chip.ngpio) {
    throw new Error(`BCM ${bcm} does not exist on ${chip.label} (it has ${chip.ngpio} lines)`);
  }
  return chip.base + bcm;
}
