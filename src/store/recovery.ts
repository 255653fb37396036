import { existsSync, renameSync } from 'node:fs';
import Database from 'better-sqlite3';
import type { PointEvent } from '../core/events.js';
import { LogOpenError } from './migrations.js';
import { gapEvent } from './retention.js';
import { type OpenLogOptions, openLog, type SqliteLog } from './sqlite-log.js';
import type { Stream } from './types.js';

export interface SeqRange {
  from: number;
  to: number;
}

export interface RecoveryReport {
  quarantinedAs: string;
  oldEpoch: string | null;
  salvaged: { readings: number; events: number; commands: number };
  /** Seq ranges that could not be read, per stream. */
  lost: Record<Stream, SeqRange[]>;
  detail: string;
}

export interface OpenedLog {
  log: SqliteLog;
  /** Set when the file at the path was corrupt and this log was salvaged from it. */
  recovery?: RecoveryReport;
}

/**
 * Opens the service's log. A corrupt one (our header, failing quick_check or reads) is never deleted:
 * it is renamed aside with its WAL, a new log with a new epoch is created in its place, every row that
 * can still be read is copied over with its seq, and the loss is logged as events.
 */
export function openLogRecovering(path: string, opts: OpenLogOptions, now: number): OpenedLog {
  try {
    return { log: openLog(path, opts) };
  } catch (err) {
    if (!(err instanceof LogOpenError) || err.problem !== 'corrupt') throw err;
    const quarantinedAs = quarantine(err.path, now);
    const log = openLog(err.path, opts);
    const recovery = salvage(quarantinedAs, log, err.message);
    for (const e of recoveryEvents(recovery, now)) log.appendEvent(e);
    return { log, recovery };
  }
}

/** Renames the file and its -wal/-shm (the WAL may hold committed rows) to `<path>.corrupt-<time>`. */
export function quarantine(path: string, now: number): string {
  const stamp = new Date(now)
    .toISOString()
    .replace(/[-:]/g, '')
    .replace(/\.\d+Z$/, 'Z');
  let target = `${path}.corrupt-${stamp}`;
  for (let i = 1; existsSync(target); i++) target = `${path}.corrupt-${stamp}-${i}`;
  for (const suffix of ['-wal', '-shm']) {
    if (existsSync(path + suffix)) renameSync(path + suffix, target + suffix);
  }
  renameSync(path, target);
  return target;
}

interface Table {
  name: string;
  key: string;
  columns: readonly string[];
}

const READINGS: Table = {
  name: 'readings',
  key: 'seq',
  columns: ['seq', 'ts', 'channel', 'value', 'boot', 'mono', 'clock'],
};
const EVENTS: Table = {
  name: 'events',
  key: 'seq',
  columns: ['seq', 'ts', 'type', 'level', 'message', 'data', 'boot', 'mono', 'clock'],
};
const COMMANDS: Table = {
  name: 'operator_commands',
  key: 'id',
  columns: ['id', 'ts', 'name', 'args', 'actor', 'source', 'applied_at', 'result', 'key', 'expires_at'],
};
const BOOTS: Table = { name: 'boots', key: 'id', columns: ['id', 'boot_id', 'first_seen_ts', 'offset_ms'] };

/** Copies what can be read from the quarantined file into `log`, table by table, by key range. */
function salvage(quarantined: string, log: SqliteLog, detail: string): RecoveryReport {
  const report: RecoveryReport = {
    quarantinedAs: quarantined,
    oldEpoch: null,
    salvaged: { readings: 0, events: 0, commands: 0 },
    lost: { telemetry: [], events: [] },
    detail,
  };
  let old: Database.Database;
  try {
    old = new Database(quarantined, { readonly: true, fileMustExist: true });
  } catch {
    return report;
  }
  try {
    report.oldEpoch =
      tryGet(
        () => old.prepare<[], { value: string }>("SELECT value FROM meta WHERE key = 'epoch'").get()?.value,
      ) ?? null;
    const db = log.database();
    copyTable(old, db, BOOTS);
    const readings = copyTable(old, db, READINGS);
    const events = copyTable(old, db, EVENTS);
    const commands = copyTable(old, db, COMMANDS);
    report.salvaged = { readings: readings.copied, events: events.copied, commands: commands.copied };
    report.lost = { telemetry: readings.lost, events: events.lost };
    copySentPositions(old, log);
  } finally {
    old.close();
  }
  return report;
}

function tryGet<T>(read: () => T): T | undefined {
  try {
    return read();
  } catch {
    return undefined;
  }
}

/** Reads rows in key order; past an unreadable stretch it probes further and further ahead. */
function copyTable(
  old: Database.Database,
  db: Database.Database,
  t: Table,
): { copied: number; lost: SeqRange[] } {
  const lost: SeqRange[] = [];
  const present = tryGet(() =>
    old
      .prepare(`SELECT * FROM ${t.name} LIMIT 0`)
      .columns()
      .map((c) => c.name),
  );
  if (!present) return { copied: 0, lost };
  const cols = t.columns.filter((c) => present.includes(c));
  const read = old.prepare<[number, number], Record<string, unknown>>(
    `SELECT ${cols.join(', ')} FROM ${t.name} WHERE ${t.key} > ? ORDER BY ${t.key} LIMIT ?`,
  );
  const insert = db.prepare(
    `INSERT OR IGNORE INTO ${t.name} (${cols.join(', ')}) VALUES (${cols.map((c) => `@${c}`).join(', ')})`,
  );
  const highest = highestKey(old, t);
  const write = db.transaction((rows: Record<string, unknown>[]) => {
    for (const r of rows) insert.run(r);
  });
  let after = 0;
  let copied = 0;
  while (after < highest) {
    const rows = tryGet(() => read.all(after, 500)) ?? readOneByOne(read, after);
    if (rows.length > 0) {
      write(rows);
      copied += rows.length;
      after = Number(rows.at(-1)?.[t.key]);
      if (rows.length === 500) continue;
    }
    const next = probeAhead(read, after, highest);
    if (next === undefined) {
      if (after < highest) lost.push({ from: after + 1, to: highest });
      break;
    }
    if (next > after + 1) lost.push({ from: after + 1, to: next - 1 });
    after = next - 1;
  }
  bumpSequence(db, t.name, highest);
  return { copied, lost };
}

function readOneByOne(read: Database.Statement<[number, number], Record<string, unknown>>, after: number) {
  const rows: Record<string, unknown>[] = [];
  let at = after;
  for (;;) {
    const row = tryGet(() => read.get(at, 1));
    if (!row) return rows;
    rows.push(row);
    at = Number(Object.values(row)[0]);
  }
}

/** The first readable key after a bad stretch, found by doubling the jump; undefined when none is left. */
function probeAhead(
  read: Database.Statement<[number, number], Record<string, unknown>>,
  after: number,
  highest: number,
): number | undefined {
  for (let step = 1; after + step <= highest; step *= 2) {
    const row = tryGet(() => read.get(after + step, 1));
    if (row) return Number(Object.values(row)[0]);
  }
  return undefined;
}

/** The highest key ever given out, from sqlite_sequence or the table, so no seq is reused afterwards. */
function highestKey(old: Database.Database, t: Table): number {
  const seq = tryGet(
    () =>
      old.prepare<[string], { seq: number }>('SELECT seq FROM sqlite_sequence WHERE name = ?').get(t.name)
        ?.seq,
  );
  const max = tryGet(
    () => old.prepare<[], { m: number | null }>(`SELECT max(${t.key}) AS m FROM ${t.name}`).get()?.m,
  );
  return Math.max(seq ?? 0, max ?? 0);
}

function bumpSequence(db: Database.Database, table: string, highest: number): void {
  if (table === 'boots' || highest <= 0) return;
  db.prepare('UPDATE sqlite_sequence SET seq = max(seq, ?) WHERE name = ?').run(highest, table);
  db.prepare(
    'INSERT INTO sqlite_sequence (name, seq) SELECT ?, ? WHERE NOT EXISTS (SELECT 1 FROM sqlite_sequence WHERE name = ?)',
  ).run(table, highest, table);
}

/** Records sent under the old epoch are not sent again; the recovery event names the old epoch. */
function copySentPositions(old: Database.Database, log: SqliteLog): void {
  for (const stream of ['telemetry', 'events'] as const) {
    const sent = tryGet(
      () =>
        old
          .prepare<[string], { sent_seq: number }>('SELECT sent_seq FROM outbox WHERE stream = ?')
          .get(stream)?.sent_seq,
    );
    if (sent !== undefined && sent > 0) tryGet(() => log.markSent(stream, sent));
  }
}

function recoveryEvents(r: RecoveryReport, now: number): PointEvent[] {
  const lostCount = (ranges: SeqRange[]) => ranges.reduce((n, x) => n + x.to - x.from + 1, 0);
  const events: PointEvent[] = [
    {
      type: 'storage.corrupt',
      level: 'alarm',
      ts: now,
      message:
        `the log was corrupt and was moved aside to ${r.quarantinedAs}; salvaged ${r.salvaged.readings} readings, ` +
        `${r.salvaged.events} events and ${r.salvaged.commands} operator commands into a new log`,
      data: {
        ...r,
        lost: r.lost,
        lostReadings: lostCount(r.lost.telemetry),
        lostEvents: lostCount(r.lost.events),
      },
    },
  ];
  for (const stream of ['telemetry', 'events'] as const) {
    for (const range of r.lost[stream]) {
      events.push(
        gapEvent(
          {
            stream,
            fromSeq: range.from,
            toSeq: range.to,
            count: range.to - range.from + 1,
            reason: 'corrupt',
            oldEpoch: r.oldEpoch,
          },
          now,
        ),
      );
    }
  }
  return events;
}
