import type { StatusMessage } from '../contract/status.js';
import type { Clock } from '../core/clock.js';
import { errorMessage } from '../core/errors.js';
import type { LoggedEvent, PointEvent } from '../core/events.js';
import type { Logger } from '../core/logger.js';
import { appliedOutcome } from '../store/command-answers.js';
import type { EnqueuedCommand, EventQuery, OperatorCommand, StoredOperatorCommand } from '../store/types.js';
import { COMMAND_NAMES, type ParsedCommand, parseCommand } from './command-schemas.js';
import { IsoFormatter } from './encode.js';
import { TokenBucket } from './token-bucket.js';

/** What commands need of the rest of the service: the log (the channel to the command log's runner). */
export interface CommandHost {
  enqueueCommand(cmd: OperatorCommand): EnqueuedCommand;
  command(id: number): StoredOperatorCommand | undefined;
  queryEvents(q: EventQuery): LoggedEvent[];
  /** Logs a rejected command in the point log. */
  logEvent(event: PointEvent): void;
}

export interface CommandLimits {
  /** Largest accepted payload. */
  maxBytes: number;
  /** Commands of one kind accepted per minute (a token bucket with this burst per command name). */
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
  /** Real time: waiting for the service to apply a command. */
  waitClock: Clock;
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
  private readonly timers = new Set<() => void>();
  /** One bucket per command name, so a flood of one kind cannot lock out another (a `mode` change). */
  private readonly buckets = new Map<string, TokenBucket>();
  private readonly limitedSince = new Map<string, number>();
  private stopped = false;

  constructor(private readonly ctx: CommandsContext) {}

  handle(name: string, payload: Buffer, meta: CommandMeta): void {
    if (this.stopped) return;
    const answer = (body: Record<string, unknown>) => this.ctx.reply(name, body, meta.correlationData);
    const now = this.ctx.monotonic();
    // unknown names share one bucket: a flood of made-up names cannot grow the map
    const kind = (COMMAND_NAMES as readonly string[]).includes(name) ? name : '(unknown)';
    let bucket = this.buckets.get(kind);
    if (!bucket) {
      bucket = new TokenBucket(this.ctx.limits.perMinute, 60_000, now);
      this.buckets.set(kind, bucket);
    }
    if (!bucket.take(1, now)) {
      this.rateLimited(kind);
      answer({
        ok: false,
        error: `rate limited: at most ${this.ctx.limits.perMinute} ${kind} commands a minute`,
      });
      return;
    }
    this.limitedSince.delete(kind);
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
    const withId = (body: Record<string, unknown>) => answer({ ...body, id: cmd.id });
    if (cmd.kind !== 'operator' && cmd.expiresAt !== undefined && this.ctx.clock.now() > cmd.expiresAt) {
      this.reject(name, `expired at ${new Date(cmd.expiresAt).toISOString()}`, answer, cmd.id);
      return;
    }
    if (cmd.kind === 'status') this.answerStatus(withId);
    else if (cmd.kind === 'log') this.answerLog(cmd, withId);
    else this.applyOperator(cmd, withId);
  }

  stop(): void {
    this.stopped = true;
    for (const cancel of this.timers) cancel();
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

  /**
   * Into the log with the sender's id as its key: a redelivered or replayed id finds the first command and
   * is answered with its result (`repeated`), changing nothing. The reducer refuses an expired one.
   */
  private applyOperator(
    cmd: Extract<ParsedCommand, { kind: 'operator' }>,
    answer: (b: Record<string, unknown>) => void,
  ): void {
    let logged: EnqueuedCommand;
    try {
      logged = this.ctx.host.enqueueCommand({
        name: cmd.name,
        args: cmd.args,
        actor: 'municipality',
        source: 'mqtt',
        ts: this.ctx.clock.now(),
        key: `cmd:${cmd.id}`,
        expiresAt: cmd.expiresAt,
      });
    } catch (err) {
      answer({
        ok: false,
        error: `cannot log the command: ${errorMessage(err)}`,
      });
      return;
    }
    const commandId = logged.id;
    const repeated = logged.existing ? { repeated: true } : {};
    const deadline = this.ctx.monotonic() + this.ctx.limits.applyTimeoutMs;
    const check = (): void => {
      const outcome = appliedOutcome(this.safeCommand(commandId));
      if (outcome) {
        const { ok, text } = outcome;
        answer(
          ok ? { ok, commandId, result: text, ...repeated } : { ok, commandId, error: text, ...repeated },
        );
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
    if (logged.existing) check();
    else this.later(check);
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
    const cancel = this.ctx.waitClock.after(POLL_MS, () => {
      this.timers.delete(cancel);
      if (!this.stopped) fn();
    });
    this.timers.add(cancel);
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
  private rateLimited(kind: string): void {
    if (this.limitedSince.has(kind)) {
      this.ctx.logger.debug(`command ${kind} rate limited`);
      return;
    }
    this.limitedSince.set(kind, this.ctx.monotonic());
    this.ctx.logger.warn(`${kind} commands rate limited (more than ${this.ctx.limits.perMinute} a minute)`, {
      command: kind,
    });
  }
}
