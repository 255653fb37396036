import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { buildService, type Service } from '../../src/compose.js';
import { buildConfigSchema } from '../../src/config/schema.js';
import { ManualClock, SystemClock } from '../../src/core/clock.js';
import { MemoryLogger } from '../../src/core/logger.js';
import { submitAndWait } from '../../src/store/command-answers.js';
import { openLog } from '../../src/store/sqlite-log.js';
import { Cleanups } from '../helpers/cleanups.js';

const T0 = Date.parse('2026-12-01T08:00:00Z');
const cleanups = new Cleanups();
afterEach(() => cleanups.run());

function rig() {
  const dir = mkdtempSync(join(tmpdir(), 'kiosk-restart-'));
  cleanups.push(() => rmSync(dir, { recursive: true, force: true }));
  const config = buildConfigSchema().parse({
    point: { id: 'restart-point', capacity: 25 },
    storage: { path: join(dir, 'kiosk.db') },
    simulation: { scenario: 'normal', seed: 1 },
    sign: { outputs: ['terminal'] },
  });
  const clock = new ManualClock(T0);
  const start = async (): Promise<{ service: Service; sign: string[] }> => {
    const sign: string[] = [];
    const service = buildService({
      config,
      clock,
      logger: new MemoryLogger(),
      pid: 999_997,
      terminal: { write: (t) => sign.push(t), tty: false },
    });
    await service.app.start();
    cleanups.push(async () => {
      await service.app.stop();
    });
    return { service, sign };
  };
  /** Writes a command as the CLI does while the service is down. */
  const queue = (name: string, args: object, extra: { expiresAt?: number; key?: string } = {}) => {
    const log = openLog(config.storage.path);
    try {
      return log.enqueueCommand({ name, args, actor: 'anna', source: 'cli', ts: clock.now(), ...extra }).id;
    } finally {
      log.close();
    }
  };
  /** Writes a command into a running service's log and waits until it is applied (real time). */
  const apply = (service: Service, name: string, args: object, key?: string) =>
    submitAndWait(
      service.store(),
      { name, args, actor: 'm', source: 'mqtt', ts: clock.now(), key },
      5000,
      new SystemClock(),
    );
  return { config, clock, start, queue, apply };
}

describe('operator commands across a restart', () => {
  it('applies commands queued while stopped before the first sign frame, and answers those that cannot apply', async () => {
    const r = rig();
    // a first run: the municipality set a capacity and a notice
    const first = await r.start();
    expect((await r.apply(first.service, 'capacity.set', { value: 12 })).outcome).toMatchObject({ ok: true });
    const note = await r.apply(first.service, 'announce', { text: 'Soup at 12', expiresInSec: 7200 });
    expect(note.outcome).toMatchObject({ ok: true });
    await first.service.app.stop();

    // while it is down
    r.clock.advance(10 * 60_000);
    const closed = r.queue('mode', { mode: 'closed', reason: 'night' });
    const ack = r.queue('alarm.ack', { alarm: 'tamper' });
    const crowd = r.queue('occupancy.set', { value: 999 });
    const late = r.queue('mode', { mode: 'open' }, { expiresAt: r.clock.now() + 60_000 });
    r.clock.advance(5 * 60_000);

    const second = await r.start();
    // the very first frame already shows the queued mode: never OPEN first
    expect(second.sign[0]).toMatch(/^SIGN {2}\S+ CLOSED/);
    const p = second.service.pipeline();
    expect(p.currentMode()).toBe('closed');
    // restored through the same reducer: the capacity and the notice with its original expiry
    expect(p.currentCapacity()).toBe(12);
    expect(p.announcement()).toMatchObject({
      text: 'Soup at 12',
      expiresAt: new Date(T0 + 7_200_000).toISOString(),
    });
    const s = second.service.store();
    expect(s.command(closed)?.outcome).toEqual({ ok: true, text: 'mode auto → closed (night)' });
    expect(s.command(ack)?.outcome).toMatchObject({
      ok: false,
      text: expect.stringMatching(/not been judged yet/),
    });
    expect(s.command(crowd)?.outcome).toMatchObject({
      ok: false,
      text: expect.stringMatching(/more than is plausible for capacity 12 \(at most 24\)/),
    });
    expect(s.command(late)?.outcome).toMatchObject({
      ok: false,
      text: expect.stringMatching(/^expired at /),
    });
    const rejected = s
      .queryEvents({})
      .filter((e) => e.type === 'operator.alarm.ack' && e.level === 'warning');
    expect(rejected).toHaveLength(1);
    expect(rejected[0]?.message).toMatch(/^rejected alarm\.ack from anna via cli: /);
  });

  it('a command applied before a restart is never applied again', async () => {
    const r = rig();
    const first = await r.start();
    expect((await r.apply(first.service, 'occupancy.set', { value: 5 })).outcome).toMatchObject({ ok: true });
    const adjust = await r.apply(first.service, 'occupancy.adjust', { value: 3 }, 'cmd:adj-once');
    expect(adjust.outcome).toMatchObject({ ok: true });
    expect(first.service.pipeline().currentOccupancy().count).toBe(8);
    await first.service.app.stop();
    // the same id again while down: the log finds the first, nothing is queued
    expect(r.queue('occupancy.adjust', { value: 3 }, { key: 'cmd:adj-once' })).toBe(adjust.commandId);
    const second = await r.start();
    expect(second.service.pipeline().currentOccupancy().count).toBe(8);
  });
});
