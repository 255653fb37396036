import { darkenGpioSign } from '../sign/outputs/darken.js';
import { loadCliConfig } from './context.js';
import type { CliIo } from './io.js';

/**
 * `pima-kiosk sign dark`: turns the GPIO lamp box off from outside the service. systemd runs it after
 * every stop of the service (ExecStopPost), including a crash or a watchdog kill, so a dead controller
 * never leaves a stale OPEN lit.
 */
export async function signDark(io: CliIo, opts: { config?: string }): Promise<number> {
  const { config } = loadCliConfig(io, opts.config);
  const { darkened, problems } = await darkenGpioSign(config);
  for (const p of problems) io.stderr(`${p}\n`);
  if (!config.sign.outputs.includes('gpio')) io.stdout('no GPIO sign configured: nothing to darken\n');
  else
    io.stdout(`sign dark: ${darkened.length} lamp pin(s) off${problems.length ? ', with problems' : ''}\n`);
  return problems.length ? 1 : 0;
}
