import { type CommandOutcome, parseOperatorBody } from '../contract/commands.js';
import type { Clock } from '../core/clock.js';
import type { PointEvent } from '../core/events.js';
import type { Logger } from '../core/logger.js';
import type { CommandInput } from '../point/commands.js';
import type { AppliedCommand } from '../point/reducer.js';
import type { LogStore, StoredOperatorCommand } from '../store/types.js';

/** How often the running service looks for operator commands other processes wrote into the log (real time). */
export const COMMAND_POLL_MS = 200;

/** A logged command as the reducer takes it, or why it cannot be applied (validated like every source). */
export function commandInput(
  row: StoredOperatorCommand,
): { ok: true; input: CommandInput } | { ok: false; error: string } {
  const parsed = parseOperatorBody(row.name, row.args);
  if (!parsed.ok) return parsed;
  const input: CommandInput = {
    ...parsed.body,
    by: `${row.actor} via ${row.source}`,
    expiresAt: row.expiresAt,
  };
  return { ok: true, input };
}

/** The commands applied with success, in order: what the memory is rebuilt from after a restart. */
export function appliedHistory(store: Pick<LogStore, 'commandsAfter'>): AppliedCommand[] {
  const out: AppliedCommand[] = [];
  for (const row of store.commandsAfter(0)) {
    if (row.appliedAt === null || row.outcome?.ok !== true) continue;
    const c = commandInput(row);
    if (c.ok) out.push({ command: c.input, appliedAt: row.appliedAt });
  }
  return out;
}

export interface CommandLogContext {
  store: LogStore;
  /** The service clock: when a command is applied (and whether it expired). */
  clock: Clock;
  /** Real time: how often the log is looked at. */
  poller: Clock;
  logger: Logger;
  /** Runs one command through the point reducer (PointPipeline.command). */
  apply(input: CommandInput): CommandOutcome;
  logEvent(event: PointEvent): void;
}

/**
 * The one path of operator commands: every source (CLI, web page, buttons, MQTT `cmd/*`, the retained
 * `desired`) writes its command into the log; this applies the new ones in order through the reducer and
 * records each outcome once. The log is the channel, so a command given while the service is down is
 * applied, in order, before the first judgement of the next start.
 */
export class CommandLog {
  private lastId = 0;
  private cancel: (() => void) | undefined;

  constructor(private readonly ctx: CommandLogContext) {}

  start(): void {
    if (this.cancel) return;
    this.applyPending();
    this.cancel = this.ctx.poller.every(COMMAND_POLL_MS, () => this.applyPending());
  }

  stop(): void {
    this.cancel?.();
    this.cancel = undefined;
  }

  /** Applies every command not applied yet; a command already applied (by an earlier run) is skipped. */
  applyPending(): void {
    let pending: StoredOperatorCommand[];
    try {
      pending = this.ctx.store.commandsAfter(this.lastId);
    } catch (err) {
      this.ctx.logger.error('could not read operator commands', { error: err });
      return;
    }
    for (const cmd of pending) {
      this.lastId = cmd.id;
      if (cmd.appliedAt === null) this.apply(cmd);
    }
  }

  private apply(cmd: StoredOperatorCommand): void {
    const c = commandInput(cmd);
    const outcome: CommandOutcome = c.ok ? this.ctx.apply(c.input) : { ok: false, text: c.error };
    const now = this.ctx.clock.now();
    const who = `${cmd.actor} via ${cmd.source}`;
    this.ctx.logEvent({
      type: `operator.${cmd.name.slice(0, 64)}`,
      level: outcome.ok ? 'info' : 'warning',
      ts: now,
      message: outcome.ok ? `${outcome.text} by ${who}` : `rejected ${cmd.name} from ${who}: ${outcome.text}`,
      data: {
        command: cmd.id,
        ...(cmd.key === undefined ? {} : { id: cmd.key }),
        actor: cmd.actor,
        source: cmd.source,
        args: cmd.args,
        requestedAt: new Date(cmd.ts).toISOString(),
        ok: outcome.ok,
      },
    });
    this.ctx.logger.info(`operator ${cmd.name}: ${outcome.text}`, { actor: cmd.actor });
    try {
      this.ctx.store.markCommandApplied(cmd.id, now, outcome);
    } catch (err) {
      this.ctx.logger.error('could not record a command outcome', { command: cmd.id, error: err });
    }
  }
}
