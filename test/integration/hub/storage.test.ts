import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { PostgresHubStorage } from '../../../src/hub/storage/postgres.js';
import { SqliteHubStorage } from '../../../src/hub/storage/sqlite.js';
import {
  emptyWork,
  type HubStorage,
  type IngestWork,
  type StatusUpdate,
  type TelemetryRow,
} from '../../../src/hub/storage/types.js';
import { Cleanups } from '../../helpers/cleanups.js';
import { type Postgres, startPostgres } from '../../helpers/postgres.js';

/**
 * The storage contract: every test runs against both backends (MQTT.js's abstract store suite is the
 * model). `fresh()` gives a new empty database; `twin()` a second storage on the same database, as a
 * second hub process would open it.
 */
interface Backend {
  fresh(): Promise<{ storage: HubStorage; twin: () => HubStorage }>;
}

const cleanups = new Cleanups();
let pgServer: Postgres | undefined;
let tmp = '';
let n = 0;

beforeAll(async () => {
  tmp = await mkdtemp(join(tmpdir(), 'pima-hub-storage-'));
  pgServer = await startPostgres();
}, 60_000);

afterAll(async () => {
  await cleanups.run();
  await pgServer?.stop();
  await rm(tmp, { recursive: true, force: true });
});

const backends: Record<string, Backend> = {
  sqlite: {
    fresh: async () => {
      const file = join(tmp, `hub-${++n}.db`);
      const storage = started(new SqliteHubStorage(file));
      await storage.start();
      return { storage, twin: () => started(new SqliteHubStorage(file)) };
    },
  },
  postgres: {
    fresh: async () => {
      if (!pgServer) throw new Error('no PostgreSQL');
      const url = await pgServer.createDatabase(`hub_${++n}`);
      const storage = started(new PostgresHubStorage(url));
      await storage.start();
      return { storage, twin: () => started(new PostgresHubStorage(url)) };
    },
  },
};

function started(s: HubStorage): HubStorage {
  cleanups.push(() => s.stop());
  return s;
}

const T0 = Date.parse('2026-12-01T08:00:00.000Z');

function readings(from: number, to: number, point = 'p1'): TelemetryRow[] {
  const out: TelemetryRow[] = [];
  for (let seq = from; seq <= to; seq++) {
    out.push({
      seq,
      ts: T0 + seq * 1000,
      channel: seq % 2 ? 'battery.voltage' : 'battery.soc',
      value: seq / 10,
    });
  }
  if (point === 'nulls') out[0] = { ...(out[0] as TelemetryRow), value: null };
  return out;
}

function work(parts: Partial<IngestWork>): IngestWork {
  return { ...emptyWork(), ...parts };
}

function tele(from: number, to: number, point = 'p1', epoch = 'e1'): IngestWork {
  return work({ batches: [{ point, epoch, stream: 'telemetry', records: readings(from, to) }] });
}

function status(ts: number, state: string, point = 'p1'): StatusUpdate {
  return { point, epoch: 'e1', ts, receivedAt: ts, state, body: JSON.stringify({ status: state, ts }) };
}

async function allTelemetry(s: HubStorage, point = 'p1'): Promise<number[]> {
  const out: number[] = [];
  let after: { epoch: string; seq: number } | undefined;
  for (;;) {
    const page = await s.telemetry({ point, after, limit: 7 });
    out.push(...page.map((r) => r.seq));
    const last = page.at(-1);
    if (!last || page.length < 7) return out;
    after = { epoch: last.epoch, seq: last.seq };
  }
}

describe.each(Object.keys(backends))('hub storage: %s', (name) => {
  const backend = backends[name] as Backend;

  test('stores each (point, epoch, stream, seq) once and counts the repeats', async () => {
    const { storage } = await backend.fresh();
    expect(await storage.commit(tele(1, 10))).toEqual({ inserted: 10, duplicates: 0 });
    expect(await storage.commit(tele(5, 15))).toEqual({ inserted: 5, duplicates: 6 });
    expect(await allTelemetry(storage)).toEqual(Array.from({ length: 15 }, (_, i) => i + 1));
    const [lane] = await storage.lanes('p1');
    expect(lane).toMatchObject({ point: 'p1', epoch: 'e1', stream: 'telemetry', contiguous: 15, maxSeq: 15 });
  });

  test('values, nulls and event data come back exactly as they went in', async () => {
    const { storage } = await backend.fresh();
    const rec = [
      { seq: 1, ts: T0 + 1, channel: 'battery.voltage', value: 12.840000000000002 },
      { seq: 2, ts: T0 + 2, channel: 'temperature.indoor', value: null },
      { seq: 3, ts: T0 + 3, channel: 'battery.current', value: -3.5e-7 },
    ];
    const data = JSON.stringify({ z: 1, a: { nested: [1, 2.5, 'ü'] } });
    await storage.commit(
      work({
        batches: [
          { point: 'p1', epoch: 'e1', stream: 'telemetry', records: rec },
          {
            point: 'p1',
            epoch: 'e1',
            stream: 'events',
            records: [
              { seq: 1, ts: T0, type: 'state', level: 'info', message: 'Open — ok', data },
              { seq: 2, ts: T0 + 5, type: 'x', level: 'debug', message: '', data: null },
            ],
          },
        ],
      }),
    );
    const t = await storage.telemetry({ point: 'p1', limit: 10 });
    expect(t).toEqual(rec.map((r) => ({ ...r, epoch: 'e1' })));
    const e = await storage.events({ point: 'p1', limit: 10 });
    expect(e.map((x) => x.data)).toEqual([data, null]);
    expect(e[0]).toMatchObject({ seq: 1, ts: T0, type: 'state', level: 'info', message: 'Open — ok' });
  });

  test('out-of-order arrival: the contiguous seq catches up and holes are listed until filled', async () => {
    const { storage } = await backend.fresh();
    await storage.commit(tele(1, 3));
    await storage.commit(tele(7, 9));
    await storage.commit(tele(12, 12));
    const [lane] = await storage.lanes('p1');
    expect(lane).toMatchObject({ contiguous: 3, maxSeq: 12 });
    expect(await storage.holes(lane as NonNullable<typeof lane>)).toEqual([
      { from: 4, to: 6 },
      { from: 10, to: 11 },
    ]);
    await storage.commit(tele(4, 6));
    const [after] = await storage.lanes('p1');
    expect(after).toMatchObject({ contiguous: 9, maxSeq: 12 });
    expect(await storage.holes(after as NonNullable<typeof after>)).toEqual([{ from: 10, to: 11 }]);
  });

  test('lanes are per point, epoch and stream', async () => {
    const { storage } = await backend.fresh();
    await storage.commit(tele(1, 2, 'p1', 'e1'));
    await storage.commit(tele(1, 4, 'p1', 'e2'));
    await storage.commit(tele(1, 1, 'p2', 'e1'));
    const lanes = await storage.lanes();
    expect(lanes.map((l) => [l.point, l.epoch, l.stream, l.contiguous])).toEqual([
      ['p1', 'e1', 'telemetry', 2],
      ['p1', 'e2', 'telemetry', 4],
      ['p2', 'e1', 'telemetry', 1],
    ]);
    const rows = await storage.telemetry({ point: 'p1', limit: 100 });
    expect(rows.map((r) => `${r.epoch}:${r.seq}`)).toEqual(['e1:1', 'e1:2', 'e2:1', 'e2:2', 'e2:3', 'e2:4']);
  });

  test('time range filters by the point ts', async () => {
    const { storage } = await backend.fresh();
    await storage.commit(tele(1, 10));
    const rows = await storage.telemetry({ point: 'p1', sinceMs: T0 + 3000, untilMs: T0 + 5000, limit: 100 });
    expect(rows.map((r) => r.seq)).toEqual([3, 4, 5]);
  });

  test("channel and level filters; newest first by the point's time, across epochs", async () => {
    const { storage } = await backend.fresh();
    await storage.commit(tele(1, 10));
    const soc = await storage.telemetry({ point: 'p1', channels: ['battery.soc'], limit: 100 });
    expect(soc.map((r) => r.seq)).toEqual([2, 4, 6, 8, 10]);
    expect(await storage.telemetry({ point: 'p1', channels: [], limit: 100 })).toEqual([]);
    const lastTwo = await storage.telemetry({
      point: 'p1',
      channels: ['battery.voltage'],
      untilMs: T0 + 8000,
      newestFirst: true,
      limit: 2,
    });
    expect(lastTwo.map((r) => r.seq)).toEqual([7, 5]);
    // a new epoch (a new log) sorts before the old one by id but after it by time
    const ev = (seq: number, ts: number, level: string) => ({
      seq,
      ts,
      type: 't',
      level,
      message: `${level} ${seq}`,
      data: null,
    });
    await storage.commit(
      work({
        batches: [
          {
            point: 'p1',
            epoch: 'b-old',
            stream: 'events',
            records: [ev(1, T0, 'warning'), ev(2, T0 + 10, 'info'), ev(3, T0 + 20, 'alarm')],
          },
          {
            point: 'p1',
            epoch: 'a-new',
            stream: 'events',
            records: [ev(1, T0 + 30, 'debug'), ev(2, T0 + 40, 'critical'), ev(3, T0 + 50, 'warning')],
          },
          { point: 'p2', epoch: 'x', stream: 'events', records: [ev(1, T0 + 60, 'alarm')] },
        ],
      }),
    );
    const warnings = await storage.events({
      point: 'p1',
      levels: ['warning', 'alarm', 'critical'],
      newestFirst: true,
      limit: 3,
    });
    expect(warnings.map((e) => `${e.epoch}:${e.seq}`)).toEqual(['a-new:3', 'a-new:2', 'b-old:3']);
    const all = await storage.events({ point: 'p1', newestFirst: true, sinceMs: T0 + 10, limit: 100 });
    expect(all.map((e) => e.ts - T0)).toEqual([50, 40, 30, 20, 10]);
    // the default order is unchanged: (epoch, seq)
    const byKey = await storage.events({ point: 'p1', levels: ['warning'], limit: 100 });
    expect(byKey.map((e) => `${e.epoch}:${e.seq}`)).toEqual(['a-new:3', 'b-old:1']);
    await expect(
      storage.events({ point: 'p1', newestFirst: true, after: { epoch: 'a', seq: 1 }, limit: 1 }),
    ).rejects.toThrow(/newest first/);
  });

  test('gap events name ranges', async () => {
    const { storage } = await backend.fresh();
    const data = JSON.stringify({ stream: 'telemetry', fromSeq: 4, toSeq: 6, count: 3, reason: 'budget' });
    await storage.commit(
      work({
        batches: [
          {
            point: 'p1',
            epoch: 'e1',
            stream: 'events',
            records: [{ seq: 1, ts: T0, type: 'gap', level: 'warning', message: 'dropped', data }],
          },
        ],
      }),
    );
    expect(await storage.gapNotices('p1')).toEqual([{ epoch: 'e1', stream: 'telemetry', from: 4, to: 6 }]);
  });

  test('the latest status is replaced only by a newer one; state changes become transitions', async () => {
    const { storage } = await backend.fresh();
    await storage.commit(work({ statuses: [status(T0 + 2000, 'OPEN')] }));
    await storage.commit(work({ statuses: [status(T0 + 1000, 'CLOSED')] }));
    let p = await storage.point('p1');
    expect(JSON.parse(p?.status ?? '{}')).toMatchObject({ status: 'OPEN' });
    expect(p?.statusTs).toBe(T0 + 2000);
    await storage.commit(work({ statuses: [status(T0 + 3000, 'OPEN'), status(T0 + 4000, 'FULL')] }));
    p = await storage.point('p1');
    expect(JSON.parse(p?.status ?? '{}')).toMatchObject({ status: 'FULL' });
    const tr = await storage.transitions(10);
    expect(tr.map((t) => [t.from, t.to, t.ts])).toEqual([
      ['OPEN', 'FULL', T0 + 4000],
      [null, 'OPEN', T0 + 2000],
    ]);
  });

  test('online: newer wins, the last will wins a tie with its own connect, history keeps all', async () => {
    const { storage } = await backend.fresh();
    const on = (ts: number, online: boolean, reason: string | null = null) => ({
      point: 'p1',
      online,
      ts,
      receivedAt: ts + 5,
      reason,
      epoch: 'e1',
    });
    await storage.commit(work({ onlines: [on(T0, true)] }));
    await storage.commit(work({ onlines: [on(T0, false, 'lost')] }));
    expect((await storage.point('p1'))?.online).toBe(false);
    await storage.commit(work({ onlines: [on(T0 + 10, true)] }));
    await storage.commit(work({ onlines: [on(T0, false, 'lost')] }));
    expect((await storage.point('p1'))?.online).toBe(true);
    const history = await storage.onlineHistory('p1', 10);
    expect(history.map((h) => [h.ts - T0, h.online])).toEqual([
      [10, true],
      [0, false],
      [0, true],
    ]);
  });

  test('info is replaced only by a newer one; desired state is kept per point', async () => {
    const { storage } = await backend.fresh();
    const info = (ts: number, name: string) => ({
      point: 'p1',
      ts,
      receivedAt: ts,
      body: JSON.stringify({ name }),
    });
    await storage.commit(work({ infos: [info(T0 + 5, 'new')] }));
    await storage.commit(work({ infos: [info(T0, 'old')] }));
    expect(JSON.parse((await storage.point('p1'))?.info ?? '{}')).toEqual({ name: 'new' });
    await storage.saveDesired({ point: 'p1', id: 'd1', issuedAt: T0, body: '{"id":"d1"}' });
    await storage.saveDesired({ point: 'p1', id: 'd2', issuedAt: T0 + 1, body: '{"id":"d2"}' });
    expect(await storage.desired('p1')).toEqual({
      point: 'p1',
      id: 'd2',
      issuedAt: T0 + 1,
      body: '{"id":"d2"}',
    });
    expect(await storage.desired('p2')).toBeUndefined();
  });

  test('every desired state at once; staff users; the audit log, newest first, ids growing', async () => {
    const { storage } = await backend.fresh();
    await storage.saveDesired({ point: 'p2', id: 'b', issuedAt: T0, body: '{"id":"b"}' });
    await storage.saveDesired({ point: 'p1', id: 'a', issuedAt: T0, body: '{"id":"a"}' });
    expect((await storage.allDesired()).map((d) => [d.point, d.id, d.issuedAt])).toEqual([
      ['p1', 'a', T0],
      ['p2', 'b', T0],
    ]);
    const user = { name: 'olena', role: 'viewer' as const, passwordHash: 'scrypt$x', createdAt: T0 };
    await storage.saveUser(user);
    expect(await storage.user('olena')).toEqual(user);
    await storage.saveUser({ ...user, role: 'operator', passwordHash: 'scrypt$y', createdAt: T0 + 9 });
    // a new password and role; the account keeps its creation time
    expect(await storage.user('olena')).toEqual({ ...user, role: 'operator', passwordHash: 'scrypt$y' });
    expect(await storage.user('nobody')).toBeUndefined();
    const entry = (n: number, point: string | null) => ({
      ts: T0 + n,
      actor: 'olena',
      action: n === 0 ? 'signin' : 'mode',
      point,
      detail: JSON.stringify({ n }),
      result: 'published',
    });
    const first = await storage.appendAudit(entry(0, null));
    const second = await storage.appendAudit(entry(1, 'p1'));
    expect(second).toBeGreaterThan(first);
    expect(await storage.auditLog(10)).toEqual([
      { id: second, ...entry(1, 'p1') },
      { id: first, ...entry(0, null) },
    ]);
    expect(await storage.auditLog(1)).toHaveLength(1);
  });

  test("each point's stamp follows its row and its desired state", async () => {
    const { storage } = await backend.fresh();
    await storage.commit(work({ statuses: [status(T0 + 2000, 'OPEN')] }));
    const [before] = await storage.pointStamps();
    const row = await storage.point('p1');
    expect(before).toEqual({
      id: 'p1',
      lastSeenAt: row?.lastSeenAt,
      statusTs: T0 + 2000,
      statusReceivedAt: row?.statusReceivedAt,
      online: null,
      onlineTs: null,
      desiredId: null,
      desiredIssuedAt: null,
    });
    await storage.saveDesired({ point: 'p1', id: 'cmd-1', issuedAt: T0 + 5, body: '{"id":"cmd-1"}' });
    await storage.commit(
      work({
        onlines: [
          { point: 'p1', online: false, ts: T0 + 3000, receivedAt: T0 + 3000, reason: 'lost', epoch: null },
        ],
      }),
    );
    const [after] = await storage.pointStamps();
    expect(after).toMatchObject({
      online: false,
      onlineTs: T0 + 3000,
      desiredId: 'cmd-1',
      desiredIssuedAt: T0 + 5,
    });
  });

  test('two hubs committing overlapping shares at once store everything once', async () => {
    const { storage, twin } = await backend.fresh();
    const other = twin();
    await other.start();
    const commits: Promise<unknown>[] = [];
    // Interleaved shares of two points, with redeliveries of each other's messages.
    for (let i = 0; i < 20; i++) {
      const from = i * 50 + 1;
      const w = work({
        batches: [
          { point: 'a', epoch: 'e1', stream: 'telemetry', records: readings(from, from + 49) },
          { point: 'b', epoch: 'e1', stream: 'telemetry', records: readings(from, from + 49) },
        ],
        statuses: [status(T0 + i, i % 2 ? 'OPEN' : 'FULL', 'a'), status(T0 + i, 'OPEN', 'b')],
      });
      commits.push((i % 2 ? storage : other).commit(w));
      if (i % 3 === 0) commits.push((i % 2 ? other : storage).commit(w));
    }
    const outcomes = (await Promise.all(commits)) as Array<{ inserted: number }>;
    expect(outcomes.reduce((s, o) => s + o.inserted, 0)).toBe(2000);
    for (const point of ['a', 'b']) {
      expect(await allTelemetry(storage, point)).toEqual(Array.from({ length: 1000 }, (_, i) => i + 1));
    }
    const lanes = await other.lanes();
    expect(lanes.map((l) => [l.point, l.contiguous, l.maxSeq])).toEqual([
      ['a', 1000, 1000],
      ['b', 1000, 1000],
    ]);
    expect((await storage.point('a'))?.statusTs).toBe(T0 + 19);
  });

  test('stop is safe twice and a stopped storage refuses work', async () => {
    const { storage } = await backend.fresh();
    await storage.stop();
    await storage.stop();
    await expect(storage.points()).rejects.toThrow(/not started/);
  });
});

describe('hub storage: sqlite beside another process', () => {
  test('desired state, staff users and the audit wait for a write in progress instead of failing', async () => {
    const file = join(tmp, `hub-${++n}.db`);
    const storage = started(new SqliteHubStorage(file));
    await storage.start();
    // what the running hub's commit looks like to `pima-hub command` or `user` on the same file
    const hub = new Database(file);
    cleanups.push(() => {
      hub.close();
    });
    hub.exec('BEGIN IMMEDIATE');
    const writes = Promise.all([
      storage.saveDesired({ point: 'p1', id: 'd1', issuedAt: T0, body: '{"id":"d1"}' }),
      storage.saveUser({ name: 'olena', role: 'viewer', passwordHash: 'scrypt$x', createdAt: T0 }),
      storage.appendAudit({
        ts: T0,
        actor: 'cli:olena',
        action: 'desired.mode',
        point: 'p1',
        detail: '{}',
        result: 'published',
      }),
    ]);
    // the writes are queued behind the lock; letting them try a few times shows they wait, not fail
    await new Promise((r) => setTimeout(r, 100));
    hub.exec('COMMIT');
    await writes;
    expect((await storage.desired('p1'))?.id).toBe('d1');
    expect((await storage.user('olena'))?.role).toBe('viewer');
    expect(await storage.auditLog(10)).toHaveLength(1);
  });
});
