import { errorMessage } from '../core/errors.js';
import { parseTimeArg } from '../core/time-arg.js';
import { CliError, EXIT } from './io.js';

/** An optional time option of a command; a bad one is a usage error (exit 64). */
export function timeOption(value: string | undefined, now: number): number | undefined {
  if (value === undefined) return undefined;
  try {
    return parseTimeArg(value, now);
  } catch (err) {
    throw new CliError(errorMessage(err), EXIT.usage);
  }
}
