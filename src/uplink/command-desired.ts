/**
 * The retained `{prefix}/{id}/desired` message (CONTRACT.md §6): validated with the contract's schema
 * and written into the log as a `desired` command keyed by its id, so it is applied once (also when the
 * broker hands it over again on every reconnect) by the same reducer as every other command. The
 * reducer refuses an expired or older one; the outcome shows in `status.desired`.
 */
import { issuesText } from '../contract/commands.js';
import { DesiredMessage } from '../contract/desired.js';
import type { Clock } from '../core/clock.js';
import { errorMessage } from '../core/errors.js';
import type { Logger } from '../core/logger.js';
import type { CommandHost } from './commands.js';

/** A desired message larger than this is refused unread (its schema allows well under 1 KiB). */
const MAX_BYTES = 4096;

export interface DesiredContext {
  host: Pick<CommandHost, 'enqueueCommand' | 'logEvent'>;
  clock: Clock;
  logger: Logger;
}

export class DesiredState {
  constructor(private readonly ctx: DesiredContext) {}

  handle(payload: Buffer): void {
    // an empty retained message is how a hub clears the topic: nothing to apply
    if (payload.length === 0) return;
    const problem = this.enqueue(payload);
    if (problem === undefined) return;
    this.ctx.logger.warn('desired state refused', { error: problem });
    try {
      this.ctx.host.logEvent({
        type: 'command.rejected',
        level: 'warning',
        ts: this.ctx.clock.now(),
        message: `rejected desired state: ${problem}`,
        data: { command: 'desired', source: 'hub', error: problem },
      });
    } catch (err) {
      this.ctx.logger.error('could not log a rejected desired state', { error: errorMessage(err) });
    }
  }

  /** Undefined when logged (or already logged); else why not. */
  private enqueue(payload: Buffer): string | undefined {
    if (payload.length > MAX_BYTES) return `payload of ${payload.length} bytes exceeds ${MAX_BYTES}`;
    let body: unknown;
    try {
      body = JSON.parse(payload.toString('utf8'));
    } catch {
      return 'payload is not JSON';
    }
    const parsed = DesiredMessage.safeParse(body);
    if (!parsed.success) return issuesText(parsed.error);
    const d = parsed.data;
    try {
      const { existing } = this.ctx.host.enqueueCommand({
        name: 'desired',
        args: d,
        // the staff member the hub names, so the point's own log says who closed it
        actor: d.issuer ?? 'municipality',
        source: 'hub',
        ts: this.ctx.clock.now(),
        key: `desired:${d.id}`,
        expiresAt: d.expiresAt === undefined ? undefined : Date.parse(d.expiresAt),
      });
      if (!existing) this.ctx.logger.info('desired state received', { id: d.id });
    } catch (err) {
      return `cannot log it: ${errorMessage(err)}`;
    }
    return undefined;
  }
}
