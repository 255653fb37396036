import type { StatusMessage } from '../contract/status.js';
import type { Clock } from '../core/clock.js';
import { errorMessage } from '../core/errors.js';
import type { LoggedEvent, PointEvent } from '../core/events.js';
import type { Logger } from '../core/logger.js';
import { appliedOutcome } from '../pipeline/operator-commands.js';
import type { EventQuery, OperatorCommand, StoredOperatorCommand } from '../store/types.js';
import { type ParsedCommand, parseCommand } from './command-schemas.js';
import { IsoFormatter } from './encode.js';
import { TokenBucket } from './token-bucket.js';

/** What commands need of the rest of the service: the log (the channel to OperatorCommands). */
export interface CommandHost {
  enqueueCommand(cmd: OperatorCommand): number;
  command(id: number): StoredOperatorCommand | undefined;
  queryEvents(q: EventQuery): LoggedEvent[];
  /** Logs a rejected command in the point log. */
  logEvent(event: PointEvent): void;
}

export interface CommandLimits {
  /** Largest accepted payload. */
  maxBytes: number;
  /** Commands accepted per minute (a token bucket with this burst). */
  perMinute: number;
  /** How long to wait for the service to apply an operator command before answering. */
  applyTimeoutMs: number;
}

export interface CommandsContext {
  host: CommandHost;
  limits: CommandLimits;
  /** Publishes the answer on `cmd/{name}/result`. */
  reply(name: string, body: Record<string, unknown>, correlationData?: Buffer): void;
  /** The status last handed to the uplink. */
  status(): StatusMessage | undefined;
  /** Largest result payload the broker takes. */
  maxReplyBytes(): number;
  clock: Clock;
  monotonic(): number;
  logger: Logger;
}

export interface CommandMeta {
  retain: boolean;
  correlationData?: Buffer | undefined;
}

const POLL_MS = 50;
const EXCERPT_SCAN = 1000;

/**
 * `cmd/{name}` from the municipality: size-limited, rate-limited, schema-validated, then either answered
 * directly (status, log excerpt) or written to the log as an operator command that the running
 * service applies exactly like the CLI's; the answer waits until it is applied. A rejected command
 * changes nothing but the log line that records it.
 */
export class Commands {
  private readonly timers = new Set<ReturnType<typeof setTimeout>>();
  private bucket: TokenBucket | undefined;
  private limitedSince: number | undefined;
  private stopped = false;

  constructor(private readonly ctx: CommandsContext) {}

  handle(name: string, payload: Buffer, meta: CommandMeta): void {
    if (this.stopped) return;
    const answer = (body: Record<string, unknown>) => this.ctx.reply(name, body, meta.correlationData);
    const now = this.ctx.monotonic();
    this.bucket ??= new TokenBucket(this.ctx.limits.perMinute, 60_000, now);
    if (!this.bucket.take(1, now)) {
      this.rateLimited(name);
      answer({ ok: false, error: `rate limited: at most ${this.ctx.limits.perMinute} commands a minute` });
      return;
    }
    this.limitedSince = undefined;
    if (meta.retain) {
      this.reject(name, 'retained commands are refused: publish commands without the retain flag', answer);
      return;
    }
    const parsed = parseCommand(name, payload, this.ctx.limits.maxBytes);
    if (!parsed.ok) {
      this.reject(name, parsed.error, answer, parsed.id);
      return;
    }
    const cmd = parsed.command;
    this.ctx.logger.info(`command ${name} received`, { id: cmd.id });
    const withId = (body: Record<string, unknown>) =>
      answer(cmd.id === undefined ? body : { ...body, id: cmd.id });
    if (cmd.kind === 'status') this.answerStatus(withId);
    else if (cmd.kind === 'log') this.answerLog(cmd, withId);
    else this.applyOperator(cmd, withId);
  }

  stop(): void {
    this.stopped = true;
    for (const t of this.timers) clearTimeout(t);
    this.timers.clear();
  }

  private answerStatus(answer: (b: Record<string, unknown>) => void): void {
    const status = this.ctx.status();
    if (status) answer({ ok: true, status });
    else answer({ ok: false, error: 'no status yet: the point is still starting' });
  }

  private answerLog(
    cmd: Extract<ParsedCommand, { kind: 'log' }>,
    answer: (b: Record<string, unknown>) => void,
  ): void {
    const q: EventQuery = { sinceMs: cmd.sinceMs ?? this.ctx.clock.now() - 86_400_000, limit: EXCERPT_SCAN };
    if (cmd.level) q.minLevel = cmd.level;
    let found: LoggedEvent[];
    try {
      found = this.ctx.host.queryEvents(q);
    } catch (err) {
      answer({
        ok: false,
        error: `cannot read the log: ${errorMessage(err)}`,
      });
      return;
    }
    const iso = new IsoFormatter();
    let records = found.slice(-cmd.limit).map((e) => ({ ...e, ts: iso.format(e.ts) }));
    // Newest last; drop the oldest until the answer fits the broker's packet limit.
    const max = this.ctx.maxReplyBytes();
    while (records.length > 0 && Buffer.byteLength(JSON.stringify(records)) > max - 200)
      records = records.slice(1);
    answer({ ok: true, events: records, truncated: records.length < found.length });
  }

  private applyOperator(
    cmd: Extract<ParsedCommand, { kind: 'operator' }>,
    answer: (b: Record<string, unknown>) => void,
  ): void {
    let commandId: number;
    try {
      commandId = this.ctx.host.enqueueCommand({
        name: cmd.name,
        args: cmd.args,
        actor: 'municipality',
        source: 'mqtt',
        ts: this.ctx.clock.now(),
      });
    } catch (err) {
      answer({
        ok: false,
        error: `cannot log the command: ${errorMessage(err)}`,
      });
      return;
    }
    const deadline = this.ctx.monotonic() + this.ctx.limits.applyTimeoutMs;
    const check = (): void => {
      const outcome = appliedOutcome(this.safeCommand(commandId));
      if (outcome) {
        const { ok, text } = outcome;
        answer(ok ? { ok, commandId, result: text } : { ok, commandId, error: text });
        return;
      }
      if (this.ctx.monotonic() >= deadline) {
        answer({
          ok: false,
          commandId,
          error: `not applied within ${this.ctx.limits.applyTimeoutMs} ms; it stays queued and is applied in order`,
        });
        return;
      }
      this.later(check);
    };
    this.later(check);
  }

  private safeCommand(id: number): StoredOperatorCommand | undefined {
    try {
      return this.ctx.host.command(id);
    } catch {
      return undefined;
    }
  }

  private later(fn: () => void): void {
    if (this.stopped) return;
    const t = setTimeout(() => {
      this.timers.delete(t);
      if (!this.stopped) fn();
    }, POLL_MS);
    this.timers.add(t);
  }

  private reject(
    name: string,
    error: string,
    answer: (b: Record<string, unknown>) => void,
    id?: string,
  ): void {
    this.ctx.logger.warn(`command ${name} rejected`, { error });
    try {
      this.ctx.host.logEvent({
        type: 'command.rejected',
        level: 'warning',
        ts: this.ctx.clock.now(),
        message: `rejected MQTT command ${name}: ${error}`,
        data: { command: name.slice(0, 64), source: 'mqtt', error },
      });
    } catch (err) {
      this.ctx.logger.error('could not log a rejected command', {
        error: errorMessage(err),
      });
    }
    answer(id === undefined ? { ok: false, error } : { ok: false, error, id });
  }

  /** A flood is logged once per burst, not once per message, so it cannot fill the point log. */
  private rateLimited(name: string): void {
    if (this.limitedSince !== undefined) {
      this.ctx.logger.debug(`command ${name} rate limited`);
      return;
    }
    this.limitedSince = this.ctx.monotonic();
    this.ctx.logger.warn(`commands rate limited (more than ${this.ctx.limits.perMinute} a minute)`, {
      command: name,
    });
  }
}
