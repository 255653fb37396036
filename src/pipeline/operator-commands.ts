import type { Clock } from '../core/clock.js';
import type { Logger } from '../core/logger.js';
import { MODES, type Mode } from '../point/types.js';
import type { LogStore, StoredOperatorCommand } from '../store/types.js';
import type { PointPipeline } from './point-pipeline.js';

/** How often the running service looks for operator commands the CLI wrote into the log (real time). */
export const COMMAND_POLL_MS = 200;

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
      if (c.name === 'mode' && c.result?.startsWith('ok') === true && isMode(c.args.mode)) mode = c.args.mode;
    }
    return mode;
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
    this.ctx.store.markCommandApplied(cmd.id, now, `${outcome.ok ? 'ok' : 'error'}: ${outcome.text}`);
  }

  private execute(cmd: StoredOperatorCommand): { ok: boolean; text: string } {
    const p = this.ctx.pipeline;
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

export function isMode(x: unknown): x is Mode {
  return typeof x === 'string' && (MODES as readonly string[]).includes(x);
}
