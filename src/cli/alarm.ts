import type { Command } from 'commander';
import { issuesText } from '../contract/commands.js';
import { StatusMessage } from '../contract/status.js';
import { ALARM_NAMES, ALARMS, isAlarmName } from '../point/alarms/catalog.js';
import { loadCliConfig, openLogReadOnly, servicePid } from './context.js';
import { CliError, type CliIo, EXIT } from './io.js';
import { submit } from './operator.js';

/** `pima-kiosk alarm ack NAME`: the operator has seen a raised alarm; logged, applied within 200 ms. */
export async function alarmAck(io: CliIo, name: string, opts: { config?: string }): Promise<number> {
  if (!isAlarmName(name)) {
    throw new CliError(
      `unknown alarm ${JSON.stringify(name)}; alarms are ${ALARM_NAMES.join(', ')}`,
      EXIT.usage,
    );
  }
  return submit(io, opts.config, 'alarm.ack', { alarm: name });
}

/** `pima-kiosk alarm list [--json]`: the raised alarms in the last status the service saved. */
export function alarmList(io: CliIo, opts: { config?: string; json?: boolean }): number {
  const { config } = loadCliConfig(io, opts.config);
  const store = openLogReadOnly(config);
  try {
    const saved = store.loadStatus();
    if (!saved) {
      io.stderr(`no status recorded yet in ${config.storage.path}\n`);
      return 1;
    }
    if (!servicePid(io, config))
      io.stderr(`the service is not running; alarms as of ${new Date(saved.savedAt).toISOString()}\n`);
    const parsed = StatusMessage.safeParse(saved.status);
    if (!parsed.success) {
      io.stderr(`the saved status cannot be read by this version: ${issuesText(parsed.error)}\n`);
      return 1;
    }
    const alarms = parsed.data.alarms ?? [];
    if (opts.json) {
      io.stdout(`${JSON.stringify(alarms)}\n`);
      return 0;
    }
    if (alarms.length === 0) {
      io.stdout('no alarms raised\n');
      return 0;
    }
    for (const a of alarms) {
      const ack = a.acknowledged
        ? `acknowledged by ${a.acknowledged.by} at ${a.acknowledged.at}`
        : 'NOT acknowledged';
      const title = isAlarmName(a.alarm) ? ALARMS[a.alarm].title : a.message;
      io.stdout(
        `${a.severity.toUpperCase().padEnd(8)} ${a.alarm.padEnd(20)} since ${a.since}  ${ack}  — ${title}\n`,
      );
    }
    return 0;
  } finally {
    store.close();
  }
}

/** The `alarm` subcommands, attached to the command program.ts made (one line there). */
export function registerAlarm(alarm: Command, io: CliIo, done: (code: number) => void): void {
  alarm
    .command('list')
    .description('raised alarms, with acknowledgement')
    .option('--config <file>', 'config file')
    .option('--json', 'as JSON')
    .exitOverride()
    .action((o: { config?: string; json?: boolean }, cmd: Command) =>
      done(alarmList(io, { ...cmd.parent?.opts(), ...o })),
    );
  alarm
    .command('ack')
    .description('acknowledge a raised alarm')
    .argument('<name>', ALARM_NAMES.join(' | '))
    .option('--config <file>', 'config file')
    .exitOverride()
    .action(async (name: string, o: { config?: string }, cmd: Command) =>
      done(await alarmAck(io, name, { ...cmd.parent?.opts(), ...o })),
    );
}
