// Waiting for the running service to apply a command written into the log: shared by every writer that
// answers someone (the CLI, the web page, MQTT). Separate from operator-commands.ts because it knows
// nothing of SQLite, only the LogStore interface.
import type { CommandOutcome } from '../contract/commands.js';
import type { Clock } from '../core/clock.js';
import type { LogStore, OperatorCommand, StoredOperatorCommand } from './types.js';

/** The outcome of a stored command once the service has applied it; undefined while it waits. */
export function appliedOutcome(row: StoredOperatorCommand | undefined): CommandOutcome | undefined {
  return row?.appliedAt == null ? undefined : (row.outcome ?? undefined);
}

export interface CommandAnswer {
  /** The command's row in the log (the first one, for a repeated key). */
  commandId: number;
  /** Undefined when the service did not apply it in time: it stays queued and is applied in order. */
  outcome: CommandOutcome | undefined;
  /** The key was logged before: this is the first command's answer, nothing new was done. */
  repeated: boolean;
}

/**
 * Writes `cmd` into the log and waits (polling every 50 ms of `clock`, real time) until the running
 * service has applied it or `timeoutMs` passed. A key seen before is answered with its first outcome.
 */
export async function submitAndWait(
  store: Pick<LogStore, 'enqueueCommand' | 'command'>,
  cmd: OperatorCommand,
  timeoutMs: number,
  clock: Clock,
): Promise<CommandAnswer> {
  const { id, existing } = store.enqueueCommand(cmd);
  const outcome = await awaitApplied(store, id, timeoutMs, clock);
  return { commandId: id, outcome, repeated: existing };
}

export async function awaitApplied(
  store: Pick<LogStore, 'command'>,
  id: number,
  timeoutMs: number,
  clock: Clock,
): Promise<CommandOutcome | undefined> {
  const deadline = clock.now() + timeoutMs;
  for (;;) {
    const outcome = appliedOutcome(store.command(id));
    if (outcome || clock.now() >= deadline) return outcome;
    await new Promise<void>((r) => clock.after(50, r));
  }
}
