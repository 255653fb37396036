import { parseOperatorBody } from '../contract/commands.js';
import { submitAndWait } from '../store/command-answers.js';
import { loadCliConfig, openLogWritable, servicePid } from './context.js';
import { CliError, type CliIo, EXIT } from './io.js';

/** How long the CLI waits for the running service to confirm a command (it polls every 200 ms). */
const CONFIRM_TIMEOUT_MS = 3000;

export async function occupancy(
  io: CliIo,
  action: string,
  value: string,
  opts: { config?: string; override?: boolean },
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
  const args = { value: Number.parseInt(value, 10), ...(opts.override ? { override: true } : {}) };
  return submit(io, opts.config, action === 'set' ? 'occupancy.set' : 'occupancy.adjust', args);
}

export async function mode(
  io: CliIo,
  value: string,
  opts: { config?: string; reason?: string },
): Promise<number> {
  return submit(
    io,
    opts.config,
    'mode',
    opts.reason ? { mode: value, reason: opts.reason } : { mode: value },
  );
}

/**
 * Checks the command against the contract's schema (the limits of every source, src/contract/commands.ts)
 * and writes it into the log, where the running service picks it up within 200 ms and answers. Without a
 * running service it stays queued and is applied, in order, before the sign shows the next start's state.
 */
export async function submit(
  io: CliIo,
  configFlag: string | undefined,
  name: string,
  args: Record<string, unknown>,
): Promise<number> {
  const body = parseOperatorBody(name, args);
  if (!body.ok) throw new CliError(`${name}: ${body.error}`, EXIT.usage);
  const { config } = loadCliConfig(io, configFlag);
  const store = openLogWritable(config);
  try {
    const ts = io.clock.now();
    const pid = servicePid(io, config);
    const cmd = { ...body.body, actor: io.user, source: 'cli' as const, ts };
    const answer = await submitAndWait(store, cmd, pid ? CONFIRM_TIMEOUT_MS : 0, io.clock);
    const id = answer.commandId;
    if (!pid && !answer.outcome) {
      io.stdout(`recorded (#${id}); the service is not running and will apply it when it starts\n`);
      return 0;
    }
    if (answer.outcome) {
      const { ok, text } = answer.outcome;
      (ok ? io.stdout : io.stderr)(
        // from writing the command to seeing it applied: the latency an operator feels, without node's start
        `${ok ? 'applied' : 'rejected'} (#${id}) by the running service (pid ${pid}) in ${io.clock.now() - ts} ms: ${text}\n`,
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
