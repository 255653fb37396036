import { existsSync } from 'node:fs';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { describe, expect, it } from 'vitest';
import type { PointEvent } from '../../../src/core/events.js';
import type { Reading } from '../../../src/core/readings.js';
import { openLog } from '../../../src/store/sqlite-log.js';
import { useTempLogs } from './temp-log.js';

const T0 = Date.parse('2026-12-01T08:00:00.000Z');

function readings(n: number, from = T0): Reading[] {
  return Array.from({ length: n }, (_, i) => ({
    channel: 'battery.voltage',
    value: 12 + i / 100,
    ts: from + i,
  }));
}

function event(level: PointEvent['level'], ts: number, type = 'test'): PointEvent {
  return { type, level, ts, message: `${level} at ${ts}` };
}

describe('SqliteLog readings', () => {
  const tmp = useTempLogs();

  it('creates the parent directory and a WAL-mode database', () => {
    const path = join(tmp.dir(), 'nested', 'deeper', 'kiosk.db');
    openLog(path).close();
    const raw = new Database(path, { readonly: true });
    expect(raw.pragma('journal_mode', { simple: true })).toBe('wal');
    raw.close();
  });

  it('assigns strictly increasing seqs, kept across close and reopen with the same epoch', () => {
    const log = tmp.open();
    const first = log.appendReadings(readings(3));
    const epoch = log.epoch;
    expect(epoch).toMatch(/^[0-9a-f]{16}$/);
    log.close();

    const again = tmp.open();
    const second = again.appendReadings(readings(2, T0 + 10));
    const seqs = [...first, ...second].map((r) => r.seq);
    expect(seqs).toEqual([1, 2, 3, 4, 5]);
    expect(again.epoch).toBe(epoch);
    expect(again.queryReadings({}).map((r) => r.seq)).toEqual(seqs);
  });

  it('gives a new log a new epoch', () => {
    expect(tmp.open('a.db').epoch).not.toBe(tmp.open('b.db').epoch);
  });

  it('never reuses the seq of a deleted newest row', () => {
    const path = join(tmp.dir(), 'kiosk.db');
    const log = openLog(path);
    log.appendReadings(readings(3));
    log.close();
    const raw = new Database(path);
    raw.prepare('DELETE FROM readings WHERE seq = 3').run();
    raw.close();

    const reopened = tmp.open();
    const [next] = reopened.appendReadings(readings(1));
    expect(next?.seq).toBe(4);
  });

  it('returns stored rows with their seqs and stores null for faulty values', () => {
    const log = tmp.open();
    const rows = log.appendReadings([
      { channel: 'battery.timeToGo', value: null, ts: T0 },
      { channel: 'battery.soc', value: Number.NaN, ts: T0 },
      { channel: 'battery.soc', value: 80.5, ts: T0 + 1 },
    ]);
    expect(rows).toEqual([
      { seq: 1, channel: 'battery.timeToGo', value: null, ts: T0 },
      { seq: 2, channel: 'battery.soc', value: null, ts: T0 },
      { seq: 3, channel: 'battery.soc', value: 80.5, ts: T0 + 1 },
    ]);
    expect(log.queryReadings({})).toEqual(rows);
  });

  it('rejects a batch with an invalid reading without logging any of it', () => {
    const log = tmp.open();
    const bad = [...readings(2), { channel: 'Bad Channel', value: 1, ts: T0 }];
    expect(() => log.appendReadings(bad)).toThrow(/invalid channel name/);
    expect(log.queryReadings({})).toEqual([]);
    expect(log.appendReadings([])).toEqual([]);
  });

  it('filters readings by channel, time, seq and limit, in seq order', () => {
    const log = tmp.open();
    log.appendReadings([
      { channel: 'battery.voltage', value: 12.1, ts: T0 },
      { channel: 'battery.soc', value: 90, ts: T0 + 1000 },
      { channel: 'battery.voltage', value: 12.2, ts: T0 + 2000 },
      { channel: 'battery.voltage', value: 12.3, ts: T0 + 3000 },
    ]);
    const seqs = (q: Parameters<typeof log.queryReadings>[0]): number[] =>
      log.queryReadings(q).map((r) => r.seq);
    expect(seqs({ channel: 'battery.voltage' })).toEqual([1, 3, 4]);
    expect(seqs({ sinceMs: T0 + 1000, untilMs: T0 + 2000 })).toEqual([2, 3]);
    expect(seqs({ channel: 'battery.voltage', afterSeq: 1, limit: 1 })).toEqual([3]);
    expect(seqs({ limit: 0 })).toEqual([]);
    expect(() => log.queryReadings({ limit: -1 })).toThrow(RangeError);
  });

  it('pages through the outbox with readingsAfter', () => {
    const log = tmp.open();
    log.appendReadings(readings(5));
    expect(log.readingsAfter(0, 2).map((r) => r.seq)).toEqual([1, 2]);
    expect(log.readingsAfter(2, 10).map((r) => r.seq)).toEqual([3, 4, 5]);
    expect(log.readingsAfter(5, 10)).toEqual([]);
  });

  it('returns the newest reading of each channel by seq, even when the clock went backwards', () => {
    const log = tmp.open();
    log.appendReadings([
      { channel: 'occupancy.count', value: 10, ts: T0 + 60_000 },
      { channel: 'occupancy.entries', value: 3, ts: T0 },
      { channel: 'occupancy.count', value: 11, ts: T0 },
    ]);
    const latest = log.latestReadings(['occupancy.count', 'occupancy.entries', 'occupancy.exits']);
    expect(latest.get('occupancy.count')).toEqual({ seq: 3, channel: 'occupancy.count', value: 11, ts: T0 });
    expect(latest.get('occupancy.entries')?.value).toBe(3);
    expect(latest.has('occupancy.exits')).toBe(false);
  });

  it('finds the newest reading of each channel newer than a time among the last rows only', () => {
    const log = tmp.open();
    log.appendReadings([
      { channel: 'battery.soc', value: 80, ts: T0 },
      { channel: 'battery.soc', value: 81, ts: T0 + 2000 },
      { channel: 'temperature.indoor', value: null, ts: T0 + 3000 },
      { channel: 'battery.voltage', value: 12.5, ts: T0 + 500 },
      { channel: 'battery.current', value: 2, ts: T0 + 4000 },
    ]);
    const found = log.readingsNewerThan(
      ['battery.soc', 'temperature.indoor', 'battery.voltage'],
      T0 + 1000,
      100,
    );
    expect([...found.values()].map((r) => [r.channel, r.value])).toEqual([
      ['temperature.indoor', null],
      ['battery.soc', 81],
    ]);
    // bounded: the soc rows lie beyond the last three
    expect(log.readingsNewerThan(['battery.soc'], T0 - 1, 3).has('battery.soc')).toBe(false);
  });
});

describe('SqliteLog events', () => {
  const tmp = useTempLogs();

  it('keeps events with their data across a reopen', () => {
    const log = tmp.open();
    const logged = log.appendEvent({
      ...event('alarm', T0, 'battery.low'),
      data: { soc: 18, cells: [1, 2] },
    });
    expect(logged.seq).toBe(1);
    log.appendEvent(event('info', T0 + 1));
    log.close();

    const reopened = tmp.open();
    expect(reopened.queryEvents({})).toEqual([
      {
        seq: 1,
        type: 'battery.low',
        level: 'alarm',
        ts: T0,
        message: `alarm at ${T0}`,
        data: { soc: 18, cells: [1, 2] },
      },
      { seq: 2, type: 'test', level: 'info', ts: T0 + 1, message: `info at ${T0 + 1}` },
    ]);
  });

  it('filters by minimum level in EVENT_LEVELS order, by time and by seq', () => {
    const log = tmp.open();
    const levels = ['debug', 'info', 'warning', 'alarm', 'critical'] as const;
    for (const [i, level] of levels.entries()) log.appendEvent(event(level, T0 + i * 1000));
    const types = (q: Parameters<typeof log.queryEvents>[0]): string[] =>
      log.queryEvents(q).map((e) => e.level);
    expect(types({ minLevel: 'warning' })).toEqual(['warning', 'alarm', 'critical']);
    expect(types({ minLevel: 'debug' })).toEqual([...levels]);
    expect(types({ sinceMs: T0 + 1000, untilMs: T0 + 3000 })).toEqual(['info', 'warning', 'alarm']);
    expect(types({ minLevel: 'info', untilMs: T0 + 2000, limit: 1 })).toEqual(['info']);
    expect(types({ afterSeq: 4 })).toEqual(['critical']);
    expect(log.eventsAfter(3, 1).map((e) => e.seq)).toEqual([4]);
  });

  it('refuses an event with an unknown level', () => {
    const log = tmp.open();
    const bad = { ...event('info', T0), level: 'loud' } as unknown as PointEvent;
    expect(() => log.appendEvent(bad)).toThrow(/unknown event level/);
  });
});

describe('SqliteLog outbox', () => {
  const tmp = useTempLogs();

  it('tracks the sent position per stream, never backwards, and counts the backlog', () => {
    const log = tmp.open();
    log.appendReadings(readings(5));
    log.appendEvent(event('info', T0));
    log.appendEvent(event('alarm', T0));
    expect(log.sentPosition('telemetry')).toBe(0);
    expect(log.backlog()).toEqual({ telemetry: 5, events: 2 });

    log.markSent('telemetry', 3);
    log.markSent('telemetry', 2);
    log.markSent('events', 1);
    expect(log.sentPosition('telemetry')).toBe(3);
    expect(log.backlog()).toEqual({ telemetry: 2, events: 1 });
    log.close();

    const reopened = tmp.open();
    expect(reopened.sentPosition('telemetry')).toBe(3);
    expect(reopened.sentPosition('events')).toBe(1);
  });

  it('refuses to mark a seq that was never logged as sent', () => {
    const log = tmp.open();
    log.appendReadings(readings(2));
    expect(() => log.markSent('telemetry', 3)).toThrow(RangeError);
    expect(() => log.markSent('events', 1)).toThrow(RangeError);
    expect(log.sentPosition('telemetry')).toBe(0);
  });
});

describe('SqliteLog status snapshot and operator commands', () => {
  const tmp = useTempLogs();

  it('round-trips the status snapshot, keeping only the newest', () => {
    const log = tmp.open();
    expect(log.loadStatus()).toBeUndefined();
    log.saveStatus({ status: 'open', occupancy: { count: 3 } }, T0);
    log.saveStatus({ status: 'full', occupancy: { count: 80 } }, T0 + 1);
    log.close();
    expect(tmp.open().loadStatus()).toEqual({
      status: { status: 'full', occupancy: { count: 80 } },
      savedAt: T0 + 1,
    });
  });

  it('enqueues commands, lists those after an id, and records the first outcome', () => {
    const log = tmp.open();
    const { id: a } = log.enqueueCommand({
      name: 'occupancy.set',
      args: { count: 12 },
      actor: 'maria',
      source: 'cli',
      ts: T0,
    });
    const { id: b } = log.enqueueCommand({
      name: 'mode',
      args: { mode: 'closed' },
      actor: 'mqtt',
      source: 'mqtt',
      ts: T0 + 1,
      key: 'cmd:m-1',
      expiresAt: T0 + 60_000,
    });
    expect(b).toBeGreaterThan(a);
    expect(log.commandsAfter(0).map((c) => c.id)).toEqual([a, b]);
    expect(log.commandsAfter(a)).toEqual([
      {
        id: b,
        name: 'mode',
        args: { mode: 'closed' },
        actor: 'mqtt',
        source: 'mqtt',
        ts: T0 + 1,
        key: 'cmd:m-1',
        expiresAt: T0 + 60_000,
        appliedAt: null,
        outcome: null,
      },
    ]);

    log.markCommandApplied(a, T0 + 500, { ok: true, text: 'occupancy 0 → 12' });
    log.markCommandApplied(a, T0 + 900, { ok: false, text: 'again' });
    expect(log.command(a)).toMatchObject({
      appliedAt: T0 + 500,
      outcome: { ok: true, text: 'occupancy 0 → 12' },
    });
    expect(log.command(999)).toBeUndefined();
    expect(() => log.markCommandApplied(999, T0, { ok: true, text: '' })).toThrow(RangeError);
  });

  it('holds each key once, across a reopen: a repeat finds the first command', () => {
    const log = tmp.open();
    const cmd = { name: 'mode', args: { mode: 'closed' }, actor: 'mqtt', source: 'mqtt' as const, ts: T0 };
    const first = log.enqueueCommand({ ...cmd, key: 'cmd:x' });
    expect(first.existing).toBe(false);
    log.markCommandApplied(first.id, T0 + 1, { ok: true, text: 'mode auto → closed' });
    log.close();
    const reopened = tmp.open();
    const again = reopened.enqueueCommand({
      ...cmd,
      args: { mode: 'open' },
      key: 'cmd:x',
      ts: T0 + 86_400_000 * 8,
    });
    expect(again).toEqual({ id: first.id, existing: true });
    expect(reopened.commandsAfter(0)).toHaveLength(1);
    // no key: never deduplicated (the CLI's own commands)
    expect(reopened.enqueueCommand(cmd).existing).toBe(false);
    expect(reopened.enqueueCommand(cmd).existing).toBe(false);
  });

  it('reads an outcome written before v3 ("ok: …" / "error: …")', () => {
    const log = tmp.open();
    const { id } = log.enqueueCommand({
      name: 'mode',
      args: { mode: 'open' },
      actor: 'a',
      source: 'cli',
      ts: T0,
    });
    log.close();
    const raw = new Database(join(tmp.dir(), 'kiosk.db'));
    raw
      .prepare('UPDATE operator_commands SET applied_at = ?, result = ? WHERE id = ?')
      .run(T0, 'error: nope', id);
    raw.close();
    expect(tmp.open().command(id)).toMatchObject({ outcome: { ok: false, text: 'nope' } });
  });
});

describe('SqliteLog connections', () => {
  const tmp = useTempLogs();

  it('lets a read-only connection see what the open writer committed', () => {
    const writer = tmp.open();
    writer.appendReadings(readings(2));
    const reader = tmp.open('kiosk.db', true);
    expect(reader.epoch).toBe(writer.epoch);
    expect(reader.queryReadings({}).length).toBe(2);

    writer.appendReadings(readings(1));
    writer.appendEvent(event('alarm', T0));
    writer.markSent('telemetry', 1);
    expect(reader.queryReadings({}).map((r) => r.seq)).toEqual([1, 2, 3]);
    expect(reader.queryEvents({ minLevel: 'alarm' }).length).toBe(1);
    expect(reader.backlog()).toEqual({ telemetry: 2, events: 1 });
  });

  it('lets a second writer (the CLI) enqueue a command the running service then sees', () => {
    const service = tmp.open();
    const cli = tmp.open();
    const { id } = cli.enqueueCommand({
      name: 'mode',
      args: { mode: 'open' },
      actor: 'ops',
      source: 'cli',
      ts: T0,
    });
    cli.close();
    expect(service.commandsAfter(0).map((c) => c.id)).toEqual([id]);
    service.appendReadings(readings(1));
  });

  it('refuses writes on a read-only log', () => {
    tmp.open().close();
    const reader = tmp.open('kiosk.db', true);
    expect(() => reader.appendReadings(readings(1))).toThrow(/read-only/);
    expect(() => reader.appendEvent(event('info', T0))).toThrow(/read-only/);
  });

  it('lets close() be called twice', () => {
    const log = tmp.open();
    log.close();
    expect(() => log.close()).not.toThrow();
  });

  it('opens a read-only log even after the writer closed and its WAL files were removed', () => {
    const path = join(tmp.dir(), 'kiosk.db');
    const writer = openLog(path);
    writer.appendReadings(readings(1));
    writer.close();
    expect(existsSync(`${path}-wal`)).toBe(false);
    expect(tmp.open('kiosk.db', true).queryReadings({}).length).toBe(1);
  });
});
