import { describe, expect, it } from 'vitest';
import { ManualClock } from '../../../src/core/clock.js';
import type { PointEvent } from '../../../src/core/events.js';
import { MemoryLogger } from '../../../src/core/logger.js';
import { DesiredState } from '../../../src/uplink/command-desired.js';
import { useTempLogs } from '../store/temp-log.js';

const T0 = Date.parse('2026-12-07T04:00:00.000Z');

describe('the retained desired message on the point (CONTRACT.md §6)', () => {
  const logs = useTempLogs();

  /** A point's log and the desired-state handler in front of it, with the events it logs. */
  const point = () => {
    const log = logs.open();
    const events: PointEvent[] = [];
    const desired = new DesiredState({
      host: { enqueueCommand: (c) => log.enqueueCommand(c), logEvent: (e) => events.push(e) },
      clock: new ManualClock(T0),
      logger: new MemoryLogger(),
    });
    return { log, events, desired };
  };

  it("logs the command under the hub's issuer, with the announcement's languages, once per id", () => {
    const { log, events, desired } = point();
    const body = {
      id: 'd-1',
      issuedAt: new Date(T0).toISOString(),
      issuer: 'olena',
      announcement: { text: 'Water at 14:00', translations: { uk: 'Вода о 14:00' } },
    };
    desired.handle(Buffer.from(JSON.stringify(body)));
    desired.handle(Buffer.from(JSON.stringify(body)));
    const stored = log.command(1);
    expect(stored).toMatchObject({ name: 'desired', actor: 'olena', source: 'hub', args: body });
    expect(log.command(2)).toBeUndefined();
    expect(events).toEqual([]);
  });

  it('an older hub without an issuer is still the municipality; a bad translation is refused and logged', () => {
    const { log, events, desired } = point();
    desired.handle(Buffer.from(JSON.stringify({ id: 'd-1', issuedAt: new Date(T0).toISOString() })));
    expect(log.command(1)).toMatchObject({ actor: 'municipality' });
    desired.handle(
      Buffer.from(
        JSON.stringify({
          id: 'd-2',
          issuedAt: new Date(T0).toISOString(),
          announcement: { text: 'x', translations: { 'EN US': 'y' } },
        }),
      ),
    );
    expect(log.command(2)).toBeUndefined();
    expect(events).toHaveLength(1);
    expect(events[0]?.message).toMatch(/language code/);
  });
});
