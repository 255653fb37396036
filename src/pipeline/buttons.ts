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
}

/**
 * What an operator button does. Both buttons go through the operator-command log, so each press is
 * applied by the one reducer and logged with who/what/when exactly like `pima-kiosk mode` / `alarm ack`.
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
  if (name === 'acknowledge') {
    // `*`: every raised alarm not yet acknowledged
    ctx.enqueue({ name: 'alarm.ack', args: { alarm: '*' }, actor, source: 'button', ts: ctx.now });
    return;
  }
  ctx.logEvent({
    type: 'operator.button',
    level: 'info',
    ts: ctx.now,
    message: `${actor} pressed`,
    data: { button: name },
  });
}
