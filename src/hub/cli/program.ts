import { Command } from 'commander';
import type { CliIo } from '../../cli/io.js';
import { runProgram } from '../../cli/run-program.js';
import { checkHubConfig } from './check-config.js';
import { command } from './command.js';
import { hubExport } from './export.js';
import { gaps } from './gaps.js';
import { points } from './points.js';
import { runHub } from './run.js';
import { userAdd } from './user.js';

/** `pima-hub` (CONTRACT.md §7): parses argv and runs one command; resolves to the exit code. */
export function runHubCli(argv: readonly string[], io: CliIo): Promise<number> {
  return runProgram('pima-hub', (done) => buildProgram(io, done), argv, io);
}

function buildProgram(io: CliIo, done: (code: number) => void): Command {
  const program = new Command('pima-hub')
    .description(
      "The municipality's hub: receives every point's records once, shows the fleet, publishes feeds",
    )
    .exitOverride()
    .configureOutput({ writeOut: io.stdout, writeErr: io.stderr })
    .showHelpAfterError();
  const sub = (name: string, description: string) =>
    program
      .command(name)
      .description(description)
      .exitOverride()
      .option(
        '--config <file>',
        'config file (else $PIMA_HUB_CONFIG, /etc/pima-hub/config.yaml, config/hub.yaml)',
      );

  sub('run', 'run the hub').action(async (o) => done(await runHub(io, o)));
  sub('check-config', 'validate the configuration only').action((o) => done(checkHubConfig(io, o)));
  sub('points', 'every known point; UNKNOWN when stale or offline')
    .option('--json', 'as JSON (the /api/points array)')
    .action(async (o) => done(await points(io, o)));
  sub('export', "one point's stored records, each once, ordered by (epoch, seq)")
    .requiredOption('--point <id>', 'the point')
    .option('--stream <s>', 'telemetry or events', 'telemetry')
    .option('--since <T>', 'ISO-8601 time or duration back from now')
    .option('--until <T>', 'ISO-8601 time or duration back from now')
    .requiredOption('--format <f>', 'jsonl or csv')
    .option('--out <file>', 'write to a file (atomically) instead of stdout')
    .action(async (o) => done(await hubExport(io, o)));
  sub('gaps', 'missing seq ranges per (point, epoch, stream): explained or pending')
    .option('--point <id>', 'only this point')
    .option('--json', 'as JSON')
    .action(async (o) => done(await gaps(io, o)));
  sub('command', "set a point's retained desired state: mode M | announce TEXT | capacity N")
    .requiredOption('--point <id>', 'the point')
    .argument('<action>', 'mode, announce or capacity')
    .argument('<value>', 'auto|open|closed|standby, the text, or the number')
    .option('--reason <text>', 'why (mode)')
    .option('--expires <D>', 'announcement lapses after this duration (2h, 1d) or at this ISO time')
    .option(
      '--translation <lang=text>',
      'the announcement in another language, e.g. uk=…; repeat per language',
      (v: string, all: string[] = []) => [...all, v],
    )
    .action(async (action: string, value: string, o) => done(await command(io, action, value, o)));
  const user = program.command('user').description('staff accounts for the dashboard').exitOverride();
  user
    .command('add')
    .description('add a staff account, or set its role and password')
    .exitOverride()
    .argument('<name>', 'sign-in name')
    .requiredOption('--role <role>', 'viewer (sees) or operator (also sends commands)')
    .option('--password-file <file>', 'the password, first line (else $PIMA_HUB_PASSWORD)')
    .option(
      '--config <file>',
      'config file (else $PIMA_HUB_CONFIG, /etc/pima-hub/config.yaml, config/hub.yaml)',
    )
    .action(async (name: string, o) => done(await userAdd(io, name, o)));
  return program;
}
