import type { PointEvent } from '../core/events.js';
import type { Mode } from '../point/types.js';
import type { OperatorCommand } from '../store/types.js';

/** The mode button toggles between the rules (`auto`) and `closed`; from any override it returns to `auto`. */
export function modeAfterButton(mode: Mode): Mode {
  return mode === 'auto' ? 'closed' : 'auto';
}

export interface ButtonContext {
  now: number;
  mode: Mode;
  /** Writes an operator command into the log: applied, logged and restored like a CLI command. */
  enqueue(cmd: OperatorCommand): void;
  logEvent(event: PointEvent): void;
  /** Acknowledges the active alarms, when the point model offers it; returns how many. */
  acknowledgeAlarms?: (actor: string) => number;
}

/**
 * What an operator button does. The mode button goes through the operator-command log, so the change is
 * logged with who/what/when and survives a restart exactly like `pima-kiosk mode`.
 */
export function handleButton(name: string, ctx: ButtonContext): void {
  const actor = `${name} button`;
  if (name === 'mode') {
    const mode = modeAfterButton(ctx.mode);
    ctx.enqueue({
      name: 'mode',
      args: { mode, reason: 'mode button' },
      actor,
      source: 'button',
      ts: ctx.now,
    });
    return;
  }
  if (name === 'acknowledge' && ctx.acknowledgeAlarms) {
    const n = ctx.acknowledgeAlarms(actor);
    ctx.logEvent({
      type: 'operator.button',
      level: 'info',
      ts: ctx.now,
      message: `${n} alarm(s) acknowledged by ${actor}`,
      data: { button: name },
    });
    return;
  }
  ctx.logEvent({
    type: 'operator.button',
    level: 'info',
    ts: ctx.now,
    message: `${actor} pressed${name === 'acknowledge' ? ' (no alarm acknowledgement in this build)' : ''}`,
    data: { button: name },
  });
}
