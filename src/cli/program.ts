import { Command } from 'commander';
import { registerAlarm } from './alarm.js';
import { checkConfig } from './check-config.js';
import { registerDbCommand } from './db.js';
import { exportReadings } from './export.js';
import { CliError, type CliIo, EXIT } from './io.js';
import { log } from './log.js';
import { mode, occupancy } from './operator.js';
import { run } from './run.js';
import { runProgram } from './run-program.js';
import { signDark } from './sign.js';
import { status } from './status.js';
import { techCert } from './tech-cert.js';

/** Parses argv and runs one command; resolves to the exit code (CONTRACT.md §1). Never exits itself. */
export function runCli(argv: readonly string[], io: CliIo): Promise<number> {
  return runProgram('pima-kiosk', (done) => buildProgram(io, done), argv, io);
}

function buildProgram(io: CliIo, done: (code: number) => void): Command {
  const program = new Command('pima-kiosk')
    .description('Controller for a point of invincibility')
    .exitOverride()
    .configureOutput({ writeOut: io.stdout, writeErr: io.stderr })
    .showHelpAfterError();
  const cfg = (c: Command) =>
    c.option(
      '--config <file>',
      'config file (else $PIMA_KIOSK_CONFIG, /etc/pima-kiosk/config.yaml, config/default.yaml)',
    );
  const sub = (name: string, description: string) =>
    cfg(program.command(name).description(description).exitOverride());

  sub('run', 'run the service')
    .option('--simulate <scenario>', 'drive every sim driver from a scenario: normal, blackout, crowd, week')
    .option('--speed <n>', 'simulated time runs n× faster')
    .option('--seed <s>', 'random seed; the same seed gives the same run')
    .action(async (o) => done(await run(io, o)));
  sub('check-config', 'validate the configuration only').action((o) => done(checkConfig(io, o)));
  sub('tech-cert', "the /tech HTTPS certificate's fingerprint, to compare with the browser's").action((o) =>
    done(techCert(io, o)),
  );
  registerDbCommand(sub('db', 'the local log: db check (integrity, size, backlog, gaps)'), io, done);
  sub('status', "the point's current state")
    .option('--json', 'the same JSON as the MQTT status message')
    .action((o) => done(status(io, o)));
  sub('log', 'events and alarms, newest last')
    .option('--since <T>', 'ISO-8601 time or duration back from now (15m, 2h, 7d)')
    .option('--until <T>', 'ISO-8601 time or duration back from now')
    .option('--level <L>', 'lowest level: debug, info, warning, alarm, critical')
    .option('--follow', 'keep printing new events')
    .option('--json', 'one JSON object per line')
    .action(async (o) => done(await log(io, o)));
  sub('export', 'readings, ordered by seq')
    .option('--since <T>', 'ISO-8601 time or duration back from now')
    .option('--until <T>', 'ISO-8601 time or duration back from now')
    .option('--channel <C>', 'only this channel')
    .requiredOption('--format <f>', 'csv or jsonl')
    .option('--out <file>', 'write to a file (atomically) instead of stdout')
    .action((o) => done(exportReadings(io, o)));
  sub('occupancy', 'correct the people count: occupancy set N | occupancy adjust ±N')
    .argument('<action>', 'set or adjust')
    .argument('<n>', 'N or ±N')
    .option('--override', 'accept a count beyond twice the capacity (a genuine emergency)')
    .action(async (action: string, n: string, o) => done(await occupancy(io, action, n, o)));
  sub('mode', 'override the state: auto, open, closed, standby')
    .argument('<mode>', 'auto | open | closed | standby')
    .option('--reason <text>', 'why, recorded with the change')
    .action(async (m: string, o) => done(await mode(io, m, o)));
  registerAlarm(sub('alarm', 'alarms: alarm list | alarm ack NAME'), io, done);
  sub('sign', 'the sign from outside the service: sign dark (GPIO lamps and Firmata LEDs off)')
    .argument('<action>', 'dark')
    .action(async (action: string, o) => {
      if (action !== 'dark') throw new CliError('use: sign dark', EXIT.usage);
      done(await signDark(io, o));
    });
  return program;
}
