import { describe, expect, it } from 'vitest';
import { parseCommand } from '../../../src/uplink/command-schemas.js';

const b = (x: unknown): Buffer => Buffer.from(typeof x === 'string' ? x : JSON.stringify(x));

describe('command validation', () => {
  it('maps each allowed command to what the service applies', () => {
    expect(parseCommand('mode', b({ mode: 'closed', reason: 'curfew', id: 'r1' }), 4096)).toEqual({
      ok: true,
      command: { kind: 'operator', id: 'r1', name: 'mode', args: { mode: 'closed', reason: 'curfew' } },
    });
    expect(parseCommand('capacity.set', b({ value: 120 }), 4096)).toEqual({
      ok: true,
      command: { kind: 'operator', name: 'capacity.set', args: { value: 120 } },
    });
    expect(parseCommand('occupancy', b({ adjust: -3 }), 4096)).toEqual({
      ok: true,
      command: { kind: 'operator', name: 'occupancy.adjust', args: { value: -3 } },
    });
    expect(parseCommand('announce', b({ text: 'Вода є', expiresInSec: 3600 }), 4096)).toMatchObject({
      ok: true,
      command: { name: 'announce', args: { text: 'Вода є', expiresInSec: 3600 } },
    });
    expect(parseCommand('status', b(''), 4096)).toEqual({ ok: true, command: { kind: 'status' } });
    expect(parseCommand('log', b({ level: 'alarm', since: '2026-12-01T00:00:00Z' }), 4096)).toEqual({
      ok: true,
      command: { kind: 'log', level: 'alarm', limit: 20, sinceMs: Date.parse('2026-12-01T00:00:00Z') },
    });
  });

  it('rejects unknown, oversized, non-JSON and invalid commands with a reason', () => {
    const bad: Array<[string, Buffer, RegExp]> = [
      ['reboot', b({}), /unknown command "reboot"; known: capacity.set, mode/],
      ['mode', Buffer.alloc(5000, 32), /exceeds 4096/],
      ['mode', b('{mode: open'), /not JSON/],
      ['mode', b({ mode: 'party' }), /^mode: /],
      ['mode', b({ mode: 'open', extra: 1 }), /extra/],
      ['capacity.set', b({ value: 0 }), /^value: /],
      ['capacity.set', b({ value: 1.5 }), /^value: /],
      ['occupancy', b({ set: 1, adjust: 2 }), /exactly one/],
      ['occupancy', b({}), /exactly one/],
      ['announce', b({ text: 'x'.repeat(281) }), /^text: /],
      ['log', b({ limit: 1000 }), /^limit: /],
      ['status', b([1]), /payload/],
    ];
    for (const [name, payload, error] of bad) {
      const r = parseCommand(name, payload, 4096);
      expect(r.ok, `${name} ${payload.toString().slice(0, 40)}`).toBe(false);
      if (!r.ok) expect(r.error).toMatch(error);
    }
    expect(parseCommand('mode', b({ id: 'x7', mode: 'nope' }), 4096)).toMatchObject({ ok: false, id: 'x7' });
  });
});
