import { darkenSigns } from '../sign/outputs/darken.js';
import { loadCliConfig, servicePid } from './context.js';
import { CliError, type CliIo, EXIT } from './io.js';

/**
 * `pima-kiosk sign dark`: turns the hardware sign off from outside the service — the GPIO lamp box, then
 * the Firmata board's LEDs. systemd runs it after every stop of the service (ExecStopPost), including a
 * crash or a watchdog kill, so a dead controller never leaves a stale OPEN lit. Exit 1 if any part failed;
 * the parts that worked are dark anyway.
 */
export async function signDark(io: CliIo, opts: { config?: string }): Promise<number> {
  const { config } = loadCliConfig(io, opts.config);
  // The sign belongs to a live service (a refused second start's ExecStopPost must not darken it).
  const pid = servicePid(io, config);
  if (pid !== undefined)
    throw new CliError(`the service (pid ${pid}) is running and drives the sign; stop it first`, EXIT.locked);
  const { gpio, firmata } = await darkenSigns(config);
  for (const p of [...gpio.problems, ...firmata.problems]) io.stderr(`${p}\n`);
  if (!config.sign.outputs.includes('gpio')) io.stdout('no GPIO sign configured: nothing to darken\n');
  else
    io.stdout(
      `sign dark: ${gpio.darkened.length} lamp pin(s) off${gpio.problems.length ? ', with problems' : ''}\n`,
    );
  // said only when configured, so a config without any hardware sign keeps its one-line answer
  if (firmata.port !== undefined) {
    const where = `sign dark: Firmata sign on ${firmata.port}`;
    if (firmata.problems.length) io.stdout(`${where}: NOT darkened\n`);
    else if (firmata.darkened.length === 0) io.stdout(`${where}: no LED pins configured\n`);
    else io.stdout(`${where}: ${firmata.darkened.length} pin(s) off (${firmata.darkened.join(', ')})\n`);
  }
  return gpio.problems.length || firmata.problems.length ? 1 : 0;
}
