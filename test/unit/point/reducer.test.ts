import { describe, expect, it } from 'vitest';
import { Announcement } from '../../../src/contract/status.js';
import type { CommandInput } from '../../../src/point/commands.js';
import {
  type AppliedCommand,
  initialMemory,
  type PointMemory,
  type ReducerConfig,
  reducePoint,
  restoreMemory,
} from '../../../src/point/reducer.js';
import { GRID, MIN, modelConfig, SEC, T0 } from './helpers.js';

const cfg: ReducerConfig = { model: modelConfig(), timeZone: 'Europe/Tallinn' };
const by = 'anna via cli';

function cmd(c: Omit<CommandInput, 'by'> & { by?: string }): CommandInput {
  return { by, ...c } as CommandInput;
}

/** A command through the reducer; every command has an outcome. */
function run(m: PointMemory, c: CommandInput, now = T0) {
  const step = reducePoint(m, { kind: 'command', command: c, now }, cfg);
  if (!step.outcome) throw new Error('a command without an outcome');
  return { ...step, outcome: step.outcome };
}

/** Memory after readings of `values` at `now` and one judgement. */
function judged(values: Record<string, number | null>, now = T0, m = initialMemory(cfg, T0)): PointMemory {
  let memory = m;
  for (const [channel, value] of Object.entries(values))
    memory = reducePoint(memory, { kind: 'reading', channel, value, now }, cfg).memory;
  return reducePoint(memory, { kind: 'tick', now }, cfg).memory;
}

describe('the point reducer: inputs as plain data', () => {
  it('starts in auto with the configured capacity, nothing judged', () => {
    const m = initialMemory(cfg, T0);
    expect(m).toMatchObject({
      mode: 'auto',
      scheduled: 'open',
      capacity: 40,
      announcement: undefined,
      state: undefined,
    });
    expect(m.occupancy).toMatchObject({ count: 0, entries: 0, exits: 0 });
  });

  it('readings, passages, health and the schedule change memory; a tick judges', () => {
    let m = initialMemory(cfg, T0);
    m = reducePoint(m, { kind: 'reading', channel: 'mains.present', value: 1, now: T0 }, cfg).memory;
    expect(m.latest.get('mains.present')).toEqual({ value: 1, ts: T0 });
    m = reducePoint(m, { kind: 'passage', direction: 'in', now: T0 }, cfg).memory;
    m = reducePoint(m, { kind: 'passage', direction: 'in', now: T0 }, cfg).memory;
    m = reducePoint(m, { kind: 'passage', direction: 'out', now: T0 }, cfg).memory;
    expect(m.occupancy).toMatchObject({ count: 1, entries: 2, exits: 1 });
    const h = reducePoint(
      m,
      { kind: 'health', driver: 'door', health: 'fault', message: 'no pulses', now: T0 },
      cfg,
    );
    expect(h.memory.health.get('door')).toBe('fault');
    expect(h.events).toEqual([
      {
        type: 'driver.health',
        level: 'warning',
        ts: T0,
        message: 'door: fault (no pulses)',
        data: { driver: 'door', health: 'fault' },
      },
    ]);
    m = reducePoint(h.memory, { kind: 'schedule', phase: 'closed', now: T0 }, cfg).memory;
    expect(m.scheduled).toBe('closed');
    const t = reducePoint(m, { kind: 'tick', now: T0 }, cfg);
    expect(t.memory.state?.state).toBe('CLOSED');
    expect(t.events.map((e) => e.type)).toContain('state.changed');
    expect(m.state).toBeUndefined();
  });

  it('mode: the next judgement follows it, with the reason in the outcome', () => {
    const m = judged(GRID);
    expect(m.state?.state).toBe('OPEN');
    const r = run(m, cmd({ name: 'mode', args: { mode: 'closed', reason: 'curfew' } }));
    expect(r.outcome).toEqual({ ok: true, text: 'mode auto → closed (curfew)' });
    expect(r.memory.mode).toBe('closed');
    expect(reducePoint(r.memory, { kind: 'tick', now: T0 + SEC }, cfg).memory.state?.state).toBe('CLOSED');
  });

  it('occupancy set and adjust, never below zero, the door counters untouched', () => {
    const m = initialMemory(cfg, T0);
    const set = run(m, cmd({ name: 'occupancy.set', args: { value: 12 } }));
    expect(set.outcome).toEqual({ ok: true, text: 'occupancy 0 → 12' });
    const down = run(set.memory, cmd({ name: 'occupancy.adjust', args: { value: -20 } }));
    expect(down.outcome).toEqual({ ok: true, text: 'occupancy 12 → 0 (-20)' });
    expect(down.memory.occupancy).toMatchObject({ count: 0, entries: 0, exits: 0 });
  });

  it('occupancy beyond twice the capacity is refused unless overridden; lowering it never is', () => {
    const m = initialMemory(cfg, T0);
    const typo = run(m, cmd({ name: 'occupancy.set', args: { value: 99_999 } }));
    expect(typo.outcome.ok).toBe(false);
    expect(typo.outcome.text).toMatch(
      /99999 people is more than is plausible for capacity 40 \(at most 80\)/,
    );
    expect(typo.memory).toBe(m);
    expect(run(m, cmd({ name: 'occupancy.set', args: { value: 80 } })).outcome.ok).toBe(true);
    expect(run(m, cmd({ name: 'occupancy.adjust', args: { value: 81 } })).outcome.ok).toBe(false);
    const forced = run(m, cmd({ name: 'occupancy.set', args: { value: 200, override: true } }));
    expect(forced.outcome).toEqual({ ok: true, text: 'occupancy 0 → 200' });
    // already implausible (overridden): bringing it down is always allowed
    expect(run(forced.memory, cmd({ name: 'occupancy.adjust', args: { value: -10 } })).outcome.ok).toBe(true);
  });

  it('capacity: overrides the configured one, and the bound moves with it', () => {
    const m = initialMemory(cfg, T0);
    const r = run(m, cmd({ name: 'capacity.set', args: { value: 10, reason: 'half the rooms' } }));
    expect(r.outcome).toEqual({ ok: true, text: 'capacity 40 → 10 (half the rooms)' });
    expect(run(r.memory, cmd({ name: 'occupancy.set', args: { value: 21 } })).outcome.ok).toBe(false);
  });

  it('announce: set with an expiry from when it is applied, cleared by empty text, lapsed ones not set', () => {
    const m = initialMemory(cfg, T0);
    const r = run(m, cmd({ name: 'announce', args: { text: 'Soup', expiresInSec: 3600 } }));
    expect(r.memory.announcement).toEqual({
      text: 'Soup',
      ts: new Date(T0).toISOString(),
      expiresAt: new Date(T0 + 3_600_000).toISOString(),
    });
    expect(r.outcome.text).toBe(`announcement set until ${new Date(T0 + 3_600_000).toISOString()}`);
    const cleared = run(r.memory, cmd({ name: 'announce', args: { text: '  ' } }));
    expect(cleared).toMatchObject({ outcome: { ok: true, text: 'announcement cleared' } });
    expect(cleared.memory.announcement).toBeUndefined();
    expect(run(m, cmd({ name: 'announce', args: { text: 'Forever' } })).memory.announcement).toEqual({
      text: 'Forever',
      ts: new Date(T0).toISOString(),
    });
  });

  it('alarm.ack: a raised alarm once, `*` all waiting, a cleared or unknown one answered, nothing before a judgement', () => {
    const before = run(initialMemory(cfg, T0), cmd({ name: 'alarm.ack', args: { alarm: 'tamper' } }));
    expect(before.outcome).toEqual({ ok: false, text: 'the point has not been judged yet' });
    // a crowd: nearly full raises its alarm after its dwell
    let m = initialMemory(cfg, T0);
    m = run(m, cmd({ name: 'occupancy.set', args: { value: 38 } })).memory;
    for (let t = T0; t <= T0 + 5 * MIN; t += 10 * SEC) m = judged(GRID, t, m);
    const raised = m.state?.alarms.map((a) => a.alarm) ?? [];
    expect(raised).toContain('occupancy.nearFull');
    const one = run(m, cmd({ name: 'alarm.ack', args: { alarm: 'occupancy.nearFull' } }), T0 + 6 * MIN);
    expect(one.outcome.ok).toBe(true);
    expect(one.events).toEqual([expect.objectContaining({ type: 'alarm.acknowledged' })]);
    expect(one.memory.state?.alarms.find((a) => a.alarm === 'occupancy.nearFull')?.acknowledged).toEqual({
      by,
      at: T0 + 6 * MIN,
    });
    const twice = run(one.memory, cmd({ name: 'alarm.ack', args: { alarm: 'occupancy.nearFull' } }));
    expect(twice.outcome).toEqual({
      ok: false,
      text: `alarm occupancy.nearFull was already acknowledged by ${by}`,
    });
    expect(run(one.memory, cmd({ name: 'alarm.ack', args: { alarm: 'tamper' } })).outcome.text).toMatch(
      /alarm "tamper" is not raised/,
    );
    const all = run(m, cmd({ name: 'alarm.ack', args: { alarm: '*' }, by: 'acknowledge button via button' }));
    expect(all.outcome.ok).toBe(true);
    expect(all.memory.state?.alarms.every((a) => a.acknowledged !== null)).toBe(true);
    expect(run(all.memory, cmd({ name: 'alarm.ack', args: { alarm: '*' } })).outcome).toEqual({
      ok: true,
      text: 'no alarm waits for acknowledgement',
    });
  });

  it('refuses any command after its expiry, changing nothing', () => {
    const m = initialMemory(cfg, T0);
    const r = run(m, cmd({ name: 'mode', args: { mode: 'open' }, expiresAt: T0 - 1 }));
    expect(r.outcome).toEqual({
      ok: false,
      text: `expired at ${new Date(T0 - 1).toISOString()}; not applied`,
    });
    expect(r.memory).toBe(m);
    expect(run(m, cmd({ name: 'mode', args: { mode: 'open' }, expiresAt: T0 })).outcome.ok).toBe(true);
  });

  describe('desired state', () => {
    const d = (id: string, issuedAt: number, rest: object = {}) =>
      cmd({
        name: 'desired',
        args: { id, issuedAt: new Date(issuedAt).toISOString(), ...rest },
        by: 'municipality via hub',
      });

    it('applies mode, capacity and announcement at once and reports it', () => {
      const r = run(
        initialMemory(cfg, T0),
        d('d1', T0 - MIN, {
          mode: 'standby',
          capacity: 30,
          reason: 'drill',
          announcement: { text: 'Drill' },
        }),
      );
      expect(r.outcome).toEqual({
        ok: true,
        text: 'desired d1: mode auto → standby, capacity 40 → 30, announcement set (drill)',
      });
      expect(r.memory).toMatchObject({
        mode: 'standby',
        capacity: 30,
        announcement: { text: 'Drill' },
        desired: { id: 'd1', applied: true, issuedAt: T0 - MIN },
      });
    });

    it('keeps the announcement in every language sent with it; blank translations are left out', () => {
      const r = run(
        initialMemory(cfg, T0),
        d('d1', T0 - MIN, {
          issuer: 'olena',
          announcement: { text: 'Water at 14:00', translations: { uk: 'Вода о 14:00', et: ' ' } },
        }),
      );
      expect(r.outcome.ok).toBe(true);
      expect(r.memory.announcement).toEqual({
        text: 'Water at 14:00',
        translations: { uk: 'Вода о 14:00' },
        ts: new Date(T0).toISOString(),
      });
      // and the status carries it as the contract says
      expect(Announcement.parse(r.memory.announcement)).toEqual(r.memory.announcement);
    });

    it('never applies an older one after a newer; an expired one is reported, not applied', () => {
      const newer = run(initialMemory(cfg, T0), d('d2', T0, { mode: 'closed' })).memory;
      const older = run(newer, d('d1', T0 - MIN, { mode: 'open' }));
      expect(older.outcome).toEqual({
        ok: false,
        text: 'desired d1 is older than d2, already seen; not applied',
      });
      expect(older.memory).toBe(newer);
      const expired = run(newer, { ...d('d3', T0 + MIN, { mode: 'open' }), expiresAt: T0 - 1 });
      expect(expired.outcome.ok).toBe(false);
      expect(expired.memory.mode).toBe('closed');
      expect(expired.memory.desired).toMatchObject({
        id: 'd3',
        applied: false,
        error: expect.stringMatching(/^expired/),
      });
    });
  });

  describe('restore after a restart', () => {
    it('rebuilds mode, capacity, announcement and desired from the applied commands, at their times', () => {
      const history: AppliedCommand[] = [
        { command: cmd({ name: 'mode', args: { mode: 'closed' } }), appliedAt: T0 },
        { command: cmd({ name: 'capacity.set', args: { value: 20 } }), appliedAt: T0 + 1 },
        { command: cmd({ name: 'announce', args: { text: 'Soup', expiresInSec: 600 } }), appliedAt: T0 + 2 },
        { command: cmd({ name: 'alarm.ack', args: { alarm: 'tamper' } }), appliedAt: T0 + 3 },
        { command: cmd({ name: 'occupancy.set', args: { value: 7 } }), appliedAt: T0 + 4 },
        {
          command: cmd({ name: 'desired', args: { id: 'd9', issuedAt: new Date(T0).toISOString() } }),
          appliedAt: T0 + 5,
        },
        { command: cmd({ name: 'mode', args: { mode: 'standby' } }), appliedAt: T0 + 6 },
      ];
      const m = restoreMemory(initialMemory(cfg, T0 + HOUR_LATER), history, cfg);
      expect(m).toMatchObject({
        mode: 'standby',
        capacity: 20,
        announcement: {
          text: 'Soup',
          ts: new Date(T0 + 2).toISOString(),
          expiresAt: new Date(T0 + 2 + 600_000).toISOString(),
        },
        desired: { id: 'd9', applied: true },
        state: undefined,
      });
      expect(m.occupancy.count).toBe(7);
    });

    it('with no history it is the initial memory', () => {
      const m = initialMemory(cfg, T0);
      expect(restoreMemory(m, [], cfg)).toBe(m);
    });
  });
});

const HOUR_LATER = 3_600_000;
