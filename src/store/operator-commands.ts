// Operator commands in the log: the CLI (or MQTT, a button, the web) enqueues one, the running service
// reads the new ones and records each outcome once. Separate because this table is the CLI's channel
// to the service, with its own rows and rules, unrelated to readings, events and the outbox. Each
// sender's key is held at most once (a unique index), for as long as the log keeps the row (it is never
// pruned), so a replayed command is recognised across restarts.
import type Database from 'better-sqlite3';
import { COMMAND_SOURCES, type CommandOutcome } from '../contract/commands.js';
import { checkTs } from './record-checks.js';
import type { EnqueuedCommand, OperatorCommand, StoredOperatorCommand } from './types.js';

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
  key: string | null;
  expires_at: number | null;
}

export function prepareCommandStatements(db: Db) {
  return {
    insertCommand: db.prepare<[number, string, string, string, string, string | null, number | null]>(
      `INSERT INTO operator_commands (ts, name, args, actor, source, key, expires_at)
       VALUES (?, ?, ?, ?, ?, ?, ?) ON CONFLICT (key) WHERE key IS NOT NULL DO NOTHING`,
    ),
    byKey: db.prepare<[string], { id: number }>('SELECT id FROM operator_commands WHERE key = ?'),
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

  enqueue(cmd: OperatorCommand): EnqueuedCommand {
    const ts = checkTs(cmd.ts, 'command ts');
    const expiresAt = cmd.expiresAt === undefined ? null : checkTs(cmd.expiresAt, 'command expiresAt');
    const args = JSON.stringify(cmd.args ?? {});
    const key = cmd.key ?? null;
    const { changes, lastInsertRowid } = this.sql.insertCommand.run(
      ts,
      cmd.name,
      args,
      cmd.actor,
      cmd.source,
      key,
      expiresAt,
    );
    if (changes === 1) return { id: Number(lastInsertRowid), existing: false };
    const first = key === null ? undefined : this.sql.byKey.get(key);
    if (!first) throw new Error('operator command was neither written nor found by its key');
    return { id: first.id, existing: true };
  }

  after(id: number): StoredOperatorCommand[] {
    return this.sql.commandsAfter.all(id).map(toCommand);
  }

  get(id: number): StoredOperatorCommand | undefined {
    const row = this.sql.command.get(id);
    return row ? toCommand(row) : undefined;
  }

  /** The first outcome recorded is kept: applying the same command twice leaves the log unchanged. */
  markApplied(id: number, appliedAt: number, outcome: CommandOutcome): void {
    const { changes } = this.sql.markCommandApplied.run(
      checkTs(appliedAt, 'appliedAt'),
      JSON.stringify(outcome),
      id,
    );
    if (changes === 0 && this.get(id) === undefined) throw new RangeError(`no operator command ${id}`);
  }
}

function toCommand(row: CommandRow): StoredOperatorCommand {
  const source = COMMAND_SOURCES.find((s) => s === row.source);
  if (!source) throw new Error(`operator command ${row.id} in the log has an unknown source`);
  return {
    id: row.id,
    ts: row.ts,
    name: row.name,
    args: parseArgs(row.args),
    actor: row.actor,
    source,
    key: row.key ?? undefined,
    expiresAt: row.expires_at ?? undefined,
    appliedAt: row.applied_at,
    outcome: row.result === null ? null : parseOutcome(row.result),
  };
}

/** Unreadable args are kept as they are; the service answers them as invalid. */
function parseArgs(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return text;
  }
}

/** JSON `{ok, text}`; a log written before v3 stored "ok: …" / "error: …". */
function parseOutcome(text: string): CommandOutcome {
  try {
    const o: unknown = JSON.parse(text);
    if (typeof o === 'object' && o !== null && 'ok' in o && typeof o.ok === 'boolean' && 'text' in o)
      return { ok: o.ok, text: String(o.text) };
  } catch {
    // the text form below
  }
  const legacy = /^(ok|error): ([\s\S]*)$/.exec(text);
  return legacy ? { ok: legacy[1] === 'ok', text: legacy[2] ?? '' } : { ok: false, text };
}
