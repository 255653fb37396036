import { errorMessage } from '../../core/errors.js';
import { describePin, type PinRole } from './pins.js';

/** Turns an export/open failure into a message a technician can act on. */
export function explainPinError(err: unknown, pin: PinRole, sysfs: number): Error {
  const code = (err as { code?: unknown } | null)?.code;
  const what = `${describePin(pin)}, sysfs gpio${sysfs}`;
  const detail = errorMessage(err);
  switch (code) {
    case 'EINVAL':
      return new Error(
        `${what}: the kernel rejected the export (EINVAL): the number is not a valid GPIO on this board. ` +
          'Check the BCM number in the config and the gpiochip base under /sys/class/gpio.',
      );
    case 'EBUSY':
      return new Error(
        `${what}: the pin is busy (EBUSY): another driver claims it (a dtoverlay such as w1-gpio, or another program).`,
      );
    case 'EACCES':
    case 'EPERM':
      return new Error(`${what}: permission denied (${code}): add the service user to the gpio group.`);
    default:
      return new Error(`${what}: ${detail}`);
  }
}
