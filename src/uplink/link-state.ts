/**
 * The link's state (idle, connecting, connected, offline, stopped) and the rule that a state gets at
 * most one warning, repeats going to debug. Separate because the reconnect loop and the backlog gate
 * (refused batch, spent byte budget) share that one budget of warnings.
 */
import type { Logger } from '../core/logger.js';

export type LinkPhase = 'idle' | 'connecting' | 'connected' | 'offline' | 'stopped';

export class LinkState {
  private phase: LinkPhase = 'idle';
  private warned = false;

  constructor(private readonly logger: Logger) {}

  get current(): LinkPhase {
    return this.phase;
  }

  set(phase: LinkPhase): void {
    if (phase === this.phase) return;
    this.phase = phase;
    this.warned = false;
  }

  /** At most one warning per link state; repeats go to debug. */
  warnOnce(msg: string, ctx: Record<string, unknown>): void {
    if (this.warned) {
      this.logger.debug(msg, ctx);
      return;
    }
    this.warned = true;
    this.logger.warn(msg, ctx);
  }
}
