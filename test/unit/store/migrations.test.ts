import { join } from 'node:path';
import Database from 'better-sqlite3';
import { describe, expect, it } from 'vitest';
import { LATEST_VERSION, MIGRATIONS } from '../../../src/store/migrations.js';
import { openLog } from '../../../src/store/sqlite-log.js';
import { fixedTimeSource } from '../../../src/system/boot-info.js';
import { useTempLogs } from './temp-log.js';

const T0 = Date.parse('2026-12-01T08:00:00.000Z');

/** Builds a log as an older release left it: the migrations up to `version`, then rows in its columns. */
function logAtVersion(path: string, version: number): { epoch: string } {
  const db = new Database(path);
  db.pragma('journal_mode = WAL');
  for (const m of MIGRATIONS.filter((x) => x.version <= version)) {
    m.up(db);
    db.pragma(`user_version = ${m.version}`);
  }
  const insR = db.prepare('INSERT INTO readings (ts, channel, value) VALUES (?, ?, ?)');
  const insE = db.prepare("INSERT INTO events (ts, type, level, message) VALUES (?, 'state', 'info', ?)");
  for (let i = 0; i < 50; i++) insR.run(T0 + i * 1000, i % 2 ? 'battery.soc' : 'battery.voltage', i);
  for (let i = 0; i < 5; i++) insE.run(T0 + i, `event ${i}`);
  // The newest rows deleted: the upgraded log must still not hand their seqs out again.
  db.exec('DELETE FROM readings WHERE seq > 45');
  db.prepare("INSERT INTO outbox (stream, sent_seq) VALUES ('telemetry', 20)").run();
  const epoch = (db.prepare("SELECT value FROM meta WHERE key = 'epoch'").get() as { value: string }).value;
  db.close();
  return { epoch };
}

describe('schema migrations', () => {
  const tmp = useTempLogs();

  it('knows every version from 1 to the latest, consecutively', () => {
    expect(MIGRATIONS.map((m) => m.version)).toEqual(Array.from({ length: LATEST_VERSION }, (_, i) => i + 1));
  });

  for (let from = 1; from < LATEST_VERSION; from++) {
    it(`upgrades a v${from} log with data: every row, seq, epoch and sent position kept`, () => {
      const path = join(tmp.dir(), `v${from}.db`);
      const { epoch } = logAtVersion(path, from);
      const time = fixedTimeSource({ bootId: 'boot-a', now: () => T0, sync: 'synchronized' });
      const log = openLog(path, { time });
      expect(log.epoch).toBe(epoch);
      const rows = log.queryReadings({});
      expect(rows.map((r) => r.seq)).toEqual(Array.from({ length: 45 }, (_, i) => i + 1));
      expect(rows[10]).toEqual({ seq: 11, ts: T0 + 10_000, channel: 'battery.voltage', value: 10 });
      expect(log.queryEvents({}).map((e) => e.message)).toEqual([0, 1, 2, 3, 4].map((i) => `event ${i}`));
      expect(log.sentPosition('telemetry')).toBe(20);
      expect(log.latestReadings(['battery.soc']).get('battery.soc')?.seq).toBe(44);
      const [next] = log.appendReadings([{ channel: 'battery.soc', value: 1, ts: T0 }]);
      expect(next?.seq).toBe(51);
      log.close();

      const raw = new Database(path, { readonly: true });
      expect(raw.pragma('user_version', { simple: true })).toBe(LATEST_VERSION);
      expect(raw.pragma('integrity_check', { simple: true })).toBe('ok');
      const stamped = raw.prepare('SELECT boot, mono, clock FROM readings WHERE seq = 51').get();
      expect(stamped).toEqual({ boot: 1, mono: 0, clock: 1 });
      // rows from before stamps existed say so (NULL), rather than pretending a clock state
      expect(raw.prepare('SELECT boot, mono, clock FROM readings WHERE seq = 1').get()).toEqual({
        boot: null,
        mono: null,
        clock: null,
      });
      raw.close();
    });
  }

  it('creates a new log straight at the latest version with small pages', () => {
    const path = join(tmp.dir(), 'new.db');
    openLog(path).close();
    const raw = new Database(path, { readonly: true });
    expect(raw.pragma('user_version', { simple: true })).toBe(LATEST_VERSION);
    expect(raw.pragma('page_size', { simple: true })).toBe(1024);
    const indexes = raw
      .prepare("SELECT name FROM sqlite_master WHERE type = 'index' AND tbl_name = 'readings'")
      .all();
    expect(indexes).toEqual([]);
    raw.close();
  });
});
