import { readFileSync } from 'node:fs';
import { CliError, type CliIo, EXIT } from '../../cli/io.js';
import { errorMessage } from '../../core/errors.js';
import type { StaffRole } from '../storage/types.js';
import { hashPassword, passwordProblem } from '../web/password.js';
import { loadHubConfig, withStorage } from './context.js';

const ROLES: readonly StaffRole[] = ['viewer', 'operator'];
const NAME = /^[\p{L}\p{N}._@-]{1,64}$/u;

/**
 * `pima-hub user add NAME --role viewer|operator [--password-file F]`: adds a staff account for the
 * dashboard, or sets a new role and password for an existing one. The password comes from a file (its
 * first line) or $PIMA_HUB_PASSWORD, never the command line (which other users can read in `ps`).
 */
export async function userAdd(
  io: CliIo,
  name: string,
  opts: { config?: string; role?: string; passwordFile?: string },
): Promise<number> {
  if (!NAME.test(name)) throw new CliError('the name must be 1..64 letters, digits or . _ @ -', EXIT.usage);
  const role = ROLES.find((r) => r === opts.role);
  if (!role) throw new CliError(`--role must be one of ${ROLES.join(', ')}`, EXIT.usage);
  const password = readPassword(io, opts.passwordFile);
  const problem = passwordProblem(password);
  if (problem) throw new CliError(problem, EXIT.usage);
  const { config } = loadHubConfig(io, opts.config);
  const now = io.clock.now();
  await withStorage(config, async (storage) => {
    const existing = await storage.user(name);
    await storage.saveUser({ name, role, passwordHash: await hashPassword(password), createdAt: now });
    await storage.appendAudit({
      ts: now,
      actor: `cli:${io.user}`,
      action: existing ? 'user.update' : 'user.add',
      point: null,
      detail: JSON.stringify({ name, role }),
      result: 'saved',
    });
  });
  io.stdout(`${name}: ${role}\n`);
  return 0;
}

function readPassword(io: CliIo, file: string | undefined): string {
  if (file !== undefined) {
    try {
      return (readFileSync(file, 'utf8').split(/\r?\n/)[0] ?? '').trim();
    } catch (err) {
      throw new CliError(`cannot read the password file: ${errorMessage(err)}`, EXIT.usage);
    }
  }
  const env = io.env.PIMA_HUB_PASSWORD;
  if (env === undefined || env === '') {
    throw new CliError('give the password in a file (--password-file F) or $PIMA_HUB_PASSWORD', EXIT.usage);
  }
  return env;
}
