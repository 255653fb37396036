import { awaitApplied, isMode } from '../pipeline/operator-commands.js';
import { MODES } from '../point/types.js';
import type { OperatorCommand, OperatorCommandName } from '../store/types.js';
import { loadCliConfig, openLogWritable, servicePid } from './context.js';
import { CliError, type CliIo, EXIT } from './io.js';

/** How long the CLI waits for the running service to confirm a command (it polls every 200 ms). */
const CONFIRM_TIMEOUT_MS = 3000;

export async function occupancy(
  io: CliIo,
  action: string,
  value: string,
  opts: { config?: string },
): Promise<number> {
  if (action !== 'set' && action !== 'adjust')
    throw new CliError('use: occupancy set N | occupancy adjust ±N', EXIT.usage);
  const n = action === 'set' ? /^\d+$/.test(value) : /^[+-]?\d+$/.test(value);
  if (!n) {
    throw new CliError(
      action === 'set'
        ? `N must be a whole number ≥ 0, got ${JSON.stringify(value)}`
        : `±N must be a whole number, got ${JSON.stringify(value)}`,
      EXIT.usage,
    );
  }
  return submit(io, opts.config, action === 'set' ? 'occupancy.set' : 'occupancy.adjust', {
    value: Number.parseInt(value, 10),
  });
}

export async function mode(
  io: CliIo,
  value: string,
  opts: { config?: string; reason?: string },
): Promise<number> {
  if (!isMode(value))
    throw new CliError(`mode must be one of ${MODES.join(', ')}, got ${JSON.stringify(value)}`, EXIT.usage);
  return submit(
    io,
    opts.config,
    'mode',
    opts.reason ? { mode: value, reason: opts.reason } : { mode: value },
  );
}

/**
 * Writes the command into the log, where the running service picks it up within 200 ms and answers.
 * Without a running service it stays queued and is applied, in order, at the next start.
 */
export async function submit(
  io: CliIo,
  configFlag: string | undefined,
  name: OperatorCommandName,
  args: Record<string, unknown>,
): Promise<number> {
  const { config } = loadCliConfig(io, configFlag);
  const store = openLogWritable(config);
  try {
    const cmd: OperatorCommand = { name, args, actor: io.user, source: 'cli', ts: Date.now() };
    const id = store.enqueueCommand(cmd);
    const pid = servicePid(io, config);
    if (!pid) {
      io.stdout(`recorded (#${id}); the service is not running and will apply it when it starts\n`);
      return 0;
    }
    const outcome = await awaitApplied(store, id, CONFIRM_TIMEOUT_MS);
    if (outcome) {
      const { ok, text } = outcome;
      (ok ? io.stdout : io.stderr)(
        // from writing the command to seeing it applied: the latency an operator feels, without node's start
        `${ok ? 'applied' : 'rejected'} (#${id}) by the running service (pid ${pid}) in ${Date.now() - cmd.ts} ms: ${ok ? 'ok' : 'error'}: ${text}\n`,
      );
      return ok ? 0 : 1;
    }
    io.stderr(
      `recorded (#${id}), but the running service (pid ${pid}) has not confirmed it within ${CONFIRM_TIMEOUT_MS} ms\n`,
    );
    return 1;
  } finally {
    store.close();
  }
}
