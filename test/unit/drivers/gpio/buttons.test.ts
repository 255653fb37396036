import { describe, expect, it } from 'vitest';
import type { PointEvent } from '../../../../src/core/events.js';
import { handleButton, modeAfterButton } from '../../../../src/pipeline/buttons.js';
import type { OperatorCommand } from '../../../../src/store/types.js';

function ctx(mode: 'auto' | 'open' | 'closed' | 'standby') {
  const commands: OperatorCommand[] = [];
  const events: PointEvent[] = [];
  return {
    commands,
    events,
    c: {
      now: 5,
      mode,
      enqueue: (x: OperatorCommand) => commands.push(x),
      logEvent: (e: PointEvent) => events.push(e),
    },
  };
}

describe('operator buttons', () => {
  it('the mode button toggles auto ↔ closed and returns any other override to auto', () => {
    expect(modeAfterButton('auto')).toBe('closed');
    expect(modeAfterButton('closed')).toBe('auto');
    expect(modeAfterButton('open')).toBe('auto');
    expect(modeAfterButton('standby')).toBe('auto');
  });

  it('the mode button writes an operator command (applied, logged and restored like the CLI)', () => {
    const { c, commands, events } = ctx('auto');
    handleButton('mode', c);
    expect(commands).toEqual([
      {
        name: 'mode',
        args: { mode: 'closed', reason: 'mode button' },
        actor: 'mode button',
        source: 'button',
        ts: 5,
      },
    ]);
    expect(events).toEqual([]);
  });

  it('acknowledge writes one alarm.ack for every raised alarm (`*`) into the log; others are logged', () => {
    const a = ctx('auto');
    handleButton('acknowledge', a.c);
    expect(a.commands).toEqual([
      { name: 'alarm.ack', args: { alarm: '*' }, actor: 'acknowledge button', source: 'button', ts: 5 },
    ]);
    expect(a.events).toEqual([]);
    const b = ctx('auto');
    handleButton('door', b.c);
    expect(b.events[0]).toMatchObject({ type: 'operator.button', message: 'door button pressed' });
    expect(b.commands).toEqual([]);
  });
});
