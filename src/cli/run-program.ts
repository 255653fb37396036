import type { Command } from 'commander';
import { CommanderError } from 'commander';
import { SetupError } from '../config/errors.js';
import { errorMessage } from '../core/errors.js';
import { CliError, type CliIo, EXIT } from './io.js';

/**
 * Runs a commander program (pima-kiosk's or pima-hub's) with the exit codes of CONTRACT.md §1: a
 * command reports its code through `done`; usage errors are 64, configuration problems 78, the rest 1.
 */
export async function runProgram(
  name: string,
  build: (done: (code: number) => void) => Command,
  argv: readonly string[],
  io: CliIo,
): Promise<number> {
  let code: number = EXIT.ok;
  const program = build((c) => {
    code = c;
  });
  try {
    await program.parseAsync([...argv], { from: 'user' });
    return code;
  } catch (err) {
    if (err instanceof CommanderError) {
      // help and version are not errors; everything else commander rejects is a usage error
      return err.exitCode === 0 ? EXIT.ok : EXIT.usage;
    }
    if (err instanceof CliError) {
      io.stderr(`${err.message}\n`);
      return err.exitCode;
    }
    if (err instanceof SetupError) {
      io.stderr(`${err.message}\n`);
      return EXIT.config;
    }
    io.stderr(`${name}: ${errorMessage(err)}\n`);
    return EXIT.failure;
  }
}
