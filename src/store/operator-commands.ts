// Operator commands in the log: the CLI (or MQTT, a button, the web) enqueues one, the running service
// reads the new ones and records each outcome once. Separate because this table is the CLI's channel
// to the service, with its own rows and rules, unrelated to readings, events and the outbox.
import type Database from 'better-sqlite3';
import { checkTs } from './record-checks.js';
import { parseObject } from './stored-rows.js';
import type { OperatorCommand, OperatorCommandName, StoredOperatorCommand } from './types.js';

type Db = Database.Database;

interface CommandRow {
  id: number;
  ts: number;
  name: string;
  args: string;
  actor: string;
  source: string;
  applied_at: number | null;
  result: string | null;
}

const COMMAND_NAMES: readonly OperatorCommandName[] = [
  'mode',
  'occupancy.set',
  'occupancy.adjust',
  'capacity.set',
  'announce',
  'alarm.ack',
];
const COMMAND_SOURCES: readonly OperatorCommand['source'][] = ['cli', 'mqtt', 'button', 'web'];

export function prepareCommandStatements(db: Db) {
  return {
    insertCommand: db.prepare<[number, string, string, string, string]>(
      'INSERT INTO operator_commands (ts, name, args, actor, source) VALUES (?, ?, ?, ?, ?)',
    ),
    commandsAfter: db.prepare<[number], CommandRow>(
      'SELECT * FROM operator_commands WHERE id > ? ORDER BY id',
    ),
    command: db.prepare<[number], CommandRow>('SELECT * FROM operator_commands WHERE id = ?'),
    markCommandApplied: db.prepare<[number, string, number]>(
      'UPDATE operator_commands SET applied_at = ?, result = ? WHERE id = ? AND applied_at IS NULL',
    ),
  };
}

export type CommandStatements = ReturnType<typeof prepareCommandStatements>;

export class OperatorCommands {
  private readonly sql: CommandStatements;

  constructor(sql: CommandStatements) {
    this.sql = sql;
  }

  enqueue(cmd: OperatorCommand): number {
    const ts = checkTs(cmd.ts, 'command ts');
    const args = JSON.stringify(cmd.args);
    return Number(this.sql.insertCommand.run(ts, cmd.name, args, cmd.actor, cmd.source).lastInsertRowid);
  }

  after(id: number): StoredOperatorCommand[] {
    return this.sql.commandsAfter.all(id).map(toCommand);
  }

  get(id: number): StoredOperatorCommand | undefined {
    const row = this.sql.command.get(id);
    return row ? toCommand(row) : undefined;
  }

  /** The first outcome recorded is kept: applying the same command twice leaves the log unchanged. */
  markApplied(id: number, appliedAt: number, result: string): void {
    const { changes } = this.sql.markCommandApplied.run(checkTs(appliedAt, 'appliedAt'), result, id);
    if (changes === 0 && this.get(id) === undefined) throw new RangeError(`no operator command ${id}`);
  }
}

function toCommand(row: CommandRow): StoredOperatorCommand {
  const name = COMMAND_NAMES.find((n) => n === row.name);
  const source = COMMAND_SOURCES.find((s) => s === row.source);
  if (!name || !source)
    throw new Error(`operator command ${row.id} in the log has an unknown name or source`);
  return {
    id: row.id,
    ts: row.ts,
    name,
    args: parseObject(row.args, `args of operator command ${row.id}`),
    actor: row.actor,
    source,
    appliedAt: row.applied_at,
    result: row.result,
  };
}
