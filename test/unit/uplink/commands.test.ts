import { describe, expect, it } from 'vitest';
import { parseCommand } from '../../../src/uplink/command-schemas.js';

const b = (x: unknown): Buffer => Buffer.from(typeof x === 'string' ? x : JSON.stringify(x));

describe('command validation', () => {
  it('maps each allowed command to what the service applies', () => {
    expect(parseCommand('mode', b({ mode: 'closed', reason: 'curfew', id: 'r1' }), 4096)).toEqual({
      ok: true,
      command: { kind: 'operator', id: 'r1', name: 'mode', args: { mode: 'closed', reason: 'curfew' } },
    });
    expect(
      parseCommand('capacity.set', b({ id: 'c', value: 120, expiresAt: '2026-12-01T00:10:00Z' }), 4096),
    ).toEqual({
      ok: true,
      command: {
        kind: 'operator',
        id: 'c',
        expiresAt: Date.parse('2026-12-01T00:10:00Z'),
        name: 'capacity.set',
        args: { value: 120 },
      },
    });
    expect(parseCommand('occupancy', b({ id: 'o', adjust: -3 }), 4096)).toEqual({
      ok: true,
      command: { kind: 'operator', id: 'o', name: 'occupancy.adjust', args: { value: -3 } },
    });
    expect(parseCommand('occupancy', b({ id: 'o2', set: 90, override: true }), 4096)).toEqual({
      ok: true,
      command: { kind: 'operator', id: 'o2', name: 'occupancy.set', args: { value: 90, override: true } },
    });
    expect(parseCommand('announce', b({ id: 'a', text: 'Вода є', expiresInSec: 3600 }), 4096)).toMatchObject({
      ok: true,
      command: { name: 'announce', args: { text: 'Вода є', expiresInSec: 3600 } },
    });
    expect(parseCommand('alarm.ack', b({ id: 'k', alarm: 'tamper' }), 4096)).toMatchObject({
      ok: true,
      command: { kind: 'operator', name: 'alarm.ack', args: { alarm: 'tamper' } },
    });
    expect(parseCommand('status', b({ id: 's' }), 4096)).toEqual({
      ok: true,
      command: { kind: 'status', id: 's' },
    });
    expect(parseCommand('log', b({ id: 'l', level: 'alarm', since: '2026-12-01T00:00:00Z' }), 4096)).toEqual({
      ok: true,
      command: {
        kind: 'log',
        id: 'l',
        level: 'alarm',
        limit: 20,
        sinceMs: Date.parse('2026-12-01T00:00:00Z'),
      },
    });
  });

  it('rejects unknown, oversized, non-JSON, id-less and invalid commands with a reason', () => {
    const bad: Array<[string, Buffer, RegExp]> = [
      ['reboot', b({ id: 'x' }), /unknown command "reboot"; known: capacity.set, mode/],
      ['mode', Buffer.alloc(5000, 32), /exceeds 4096/],
      ['mode', b('{mode: open'), /not JSON/],
      ['mode', b({ mode: 'open' }), /^id: /],
      ['status', b(''), /^id: /],
      ['mode', b({ id: 'x', mode: 'party' }), /^mode: /],
      ['mode', b({ id: 'x', mode: 'open', extra: 1 }), /extra/],
      ['mode', b({ id: 'x', mode: 'open', expiresAt: 'soon' }), /^expiresAt: /],
      ['capacity.set', b({ id: 'x', value: 0 }), /^value: /],
      ['capacity.set', b({ id: 'x', value: 1.5 }), /^value: /],
      ['occupancy', b({ id: 'x', set: 1, adjust: 2 }), /exactly one/],
      ['occupancy', b({ id: 'x' }), /exactly one/],
      ['occupancy', b({ id: 'x', set: 100_001 }), /^set: /],
      ['announce', b({ id: 'x', text: 'x'.repeat(281) }), /^text: /],
      ['announce', b({ id: 'x', text: 'short', expiresInSec: 59 }), /^expiresInSec: /],
      ['log', b({ id: 'x', limit: 1000 }), /^limit: /],
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
