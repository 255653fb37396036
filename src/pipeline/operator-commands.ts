import type { Clock } from '../core/clock.js';
import type { Logger } from '../core/logger.js';
import { MODES, type Mode } from '../point/types.js';
import type { LogStore, StoredOperatorCommand } from '../store/types.js';
import type { PointPipeline } from './point-pipeline.js';

/** How often the running service looks for operator commands the CLI wrote into the log (real time). */
export const COMMAND_POLL_MS = 200;

export interface CommandOutcome {
  ok: boolean;
  /** What was done, or why not, without the `ok: ` / `error: ` prefix the log stores. */
  text: string;
}

/** The result text stored with an applied command (read back by `appliedOutcome`). */
function resultText(outcome: CommandOutcome): string {
  return `${outcome.ok ? 'ok' : 'error'}: ${outcome.text}`;
}

/** The outcome of a stored command once the service has applied it; undefined while it waits. */
export function appliedOutcome(row: StoredOperatorCommand | undefined): CommandOutcome | undefined {
  if (row?.appliedAt == null) return undefined;
  const result = row.result ?? '';
  return { ok: result.startsWith('ok'), text: result.replace(/^(ok|error): /, '') };
}

/**
 * Polls the log until the running service has applied command `id` (it looks every COMMAND_POLL_MS);
 * undefined when `timeoutMs` passed first. For the CLI and the web page, which wait in real time.
 */
export async function awaitApplied(
  store: Pick<LogStore, 'command'>,
  id: number,
  timeoutMs: number,
): Promise<CommandOutcome | undefined> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const outcome = appliedOutcome(store.command(id));
    if (outcome || Date.now() >= deadline) return outcome;
    await new Promise((r) => setTimeout(r, 50));
  }
}

export interface OperatorContext {
  store: LogStore;
  pipeline: PointPipeline;
  clock: Clock;
  logger: Logger;
}

/**
 * Applies operator commands that the CLI (or later MQTT) wrote into the log. The log is the channel, so
 * a command given while the service is down is applied, in order, when it starts again.
 */
export class OperatorCommands {
  private lastId = 0;
  private timer: ReturnType<typeof setInterval> | undefined;

  constructor(private readonly ctx: OperatorContext) {}

  /** The mode the last applied `mode` command set, to restore it after a restart. */
  static restoredMode(store: LogStore): Mode {
    let mode: Mode = 'auto';
    for (const c of store.commandsAfter(0)) {
      if (c.name === 'mode' && appliedOutcome(c)?.ok === true && isMode(c.args.mode)) mode = c.args.mode;
    }
    return mode;
  }

  /** Re-applies the last capacity override and the current announcement after a restart. */
  static restoreOverrides(store: LogStore, pipeline: PointPipeline, now: number): void {
    let capacity: StoredOperatorCommand | undefined;
    let notice: StoredOperatorCommand | undefined;
    for (const c of store.commandsAfter(0)) {
      if (appliedOutcome(c)?.ok !== true) continue;
      if (c.name === 'capacity.set') capacity = c;
      if (c.name === 'announce') notice = c;
    }
    if (capacity) applyCapacity(pipeline, capacity.args);
    if (notice) applyAnnouncement(pipeline, notice.args, notice.appliedAt ?? notice.ts, now);
  }

  start(): void {
    if (this.timer) return;
    this.poll();
    this.timer = setInterval(() => this.poll(), COMMAND_POLL_MS);
  }

  stop(): void {
    if (this.timer) clearInterval(this.timer);
    this.timer = undefined;
  }

  poll(): void {
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
    const now = this.ctx.clock.now();
    const outcome = this.execute(cmd);
    const who = `${cmd.actor} via ${cmd.source}`;
    this.ctx.pipeline.logEvent({
      type: `operator.${cmd.name}`,
      level: outcome.ok ? 'info' : 'warning',
      ts: now,
      message: outcome.ok ? `${outcome.text} by ${who}` : `rejected ${cmd.name} from ${who}: ${outcome.text}`,
      data: {
        command: cmd.id,
        actor: cmd.actor,
        source: cmd.source,
        args: cmd.args,
        requestedAt: new Date(cmd.ts).toISOString(),
        ok: outcome.ok,
      },
    });
    this.ctx.logger.info(`operator ${cmd.name}: ${outcome.text}`, { actor: cmd.actor });
    this.ctx.store.markCommandApplied(cmd.id, now, resultText(outcome));
  }

  private execute(cmd: StoredOperatorCommand): CommandOutcome {
    const p = this.ctx.pipeline;
    if (cmd.name === 'capacity.set') return applyCapacity(p, cmd.args);
    if (cmd.name === 'alarm.ack') {
      const alarm = cmd.args.alarm;
      if (typeof alarm !== 'string')
        return { ok: false, text: `alarm must be a name, got ${JSON.stringify(alarm)}` };
      return p.acknowledgeAlarm(alarm, `${cmd.actor} via ${cmd.source}`);
    }
    if (cmd.name === 'announce')
      return applyAnnouncement(p, cmd.args, this.ctx.clock.now(), this.ctx.clock.now());
    if (cmd.name === 'mode') {
      const mode = cmd.args.mode;
      if (!isMode(mode)) return { ok: false, text: `unknown mode ${JSON.stringify(mode)}` };
      const from = p.currentMode();
      p.setMode(mode);
      const reason = typeof cmd.args.reason === 'string' && cmd.args.reason ? ` (${cmd.args.reason})` : '';
      return { ok: true, text: `mode ${from} → ${mode}${reason}` };
    }
    const n = cmd.args.value;
    if (typeof n !== 'number' || !Number.isInteger(n) || Math.abs(n) > 100_000) {
      return { ok: false, text: `value must be an integer, got ${JSON.stringify(n)}` };
    }
    const from = p.currentOccupancy().count;
    if (cmd.name === 'occupancy.set') {
      if (n < 0) return { ok: false, text: 'occupancy cannot be negative' };
      return { ok: true, text: `occupancy ${from} → ${p.setOccupancy({ set: n }).count}` };
    }
    return {
      ok: true,
      text: `occupancy ${from} → ${p.setOccupancy({ adjust: n }).count} (${n >= 0 ? '+' : ''}${n})`,
    };
  }
}

type Outcome = { ok: boolean; text: string };

function applyCapacity(p: PointPipeline, args: Record<string, unknown>): Outcome {
  const n = args.value;
  if (typeof n !== 'number' || !Number.isInteger(n) || n < 1 || n > 10_000) {
    return { ok: false, text: `capacity must be an integer from 1 to 10000, got ${JSON.stringify(n)}` };
  }
  const from = p.currentCapacity();
  p.setCapacity(n);
  const reason = typeof args.reason === 'string' && args.reason ? ` (${args.reason})` : '';
  return { ok: true, text: `capacity ${from} → ${n}${reason}` };
}

/** `setAt`: when it was applied, so a restored announcement keeps its original expiry. */
function applyAnnouncement(
  p: PointPipeline,
  args: Record<string, unknown>,
  setAt: number,
  now: number,
): Outcome {
  const { text, expiresInSec } = args;
  if (typeof text !== 'string' || text.length > 280)
    return { ok: false, text: 'text must be a string of at most 280 characters' };
  if (
    expiresInSec !== undefined &&
    (typeof expiresInSec !== 'number' || !Number.isInteger(expiresInSec) || expiresInSec < 1)
  ) {
    return { ok: false, text: 'expiresInSec must be a positive integer' };
  }
  if (text.trim() === '') {
    p.setAnnouncement(undefined);
    return { ok: true, text: 'announcement cleared' };
  }
  const expiresAt = expiresInSec === undefined ? undefined : setAt + expiresInSec * 1000;
  if (expiresAt !== undefined && expiresAt <= now) return { ok: true, text: 'announcement already lapsed' };
  const notice = { text, ts: new Date(setAt).toISOString() };
  p.setAnnouncement(
    expiresAt === undefined ? notice : { ...notice, expiresAt: new Date(expiresAt).toISOString() },
  );
  return {
    ok: true,
    text:
      expiresAt === undefined
        ? 'announcement set'
        : `announcement set until ${new Date(expiresAt).toISOString()}`,
  };
}

export function isMode(x: unknown): x is Mode {
  return typeof x === 'string' && (MODES as readonly string[]).includes(x);
}
