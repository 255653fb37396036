import { readdirSync, statSync } from 'node:fs';
import { basename, dirname, join } from 'node:path';
import { type DriverReport, lastDriverReports } from './driver-reports.js';
import { freeBytes, usedBytes } from './retention.js';
import type { SqliteLog } from './sqlite-log.js';
import type { Stream } from './types.js';

export interface LogReport {
  path: string;
  epoch: string;
  schemaVersion: number;
  integrity: string[];
  ok: boolean;
  pageSize: number;
  fileBytes: number;
  walBytes: number;
  usedBytes: number;
  freeOnDisk: number | null;
  readings: { rows: number; firstSeq: number | null; lastSeq: number | null };
  events: { rows: number; firstSeq: number | null; lastSeq: number | null };
  downsampledRows: number;
  backlog: Record<Stream, number>;
  sent: Record<Stream, number>;
  gaps: number;
  boots: number;
  /** Records whose wall time was written before the clock was known and was never corrected. */
  unsyncedRecords: number;
  quarantined: string[];
  /**
   * Each driver's last `driver.health` event (what each sensor last said of itself, e.g. a DS18B20's
   * chip family, a VE.Direct device's model), by driver name.
   */
  sensors: DriverReport[];
}

/** Everything `pima-kiosk db check` shows; read-only, so it runs beside the service. */
export function checkLog(log: SqliteLog, opts: { full?: boolean } = {}): LogReport {
  const db = log.database();
  const check = opts.full === false ? 'quick_check' : 'integrity_check';
  const integrity = (db.pragma(`${check}(50)`) as Record<string, string>[]).map(
    (r) => Object.values(r)[0] ?? '',
  );
  const range = (table: string) =>
    db
      .prepare<[], { rows: number; firstSeq: number | null; lastSeq: number | null }>(
        `SELECT count(*) AS rows, min(seq) AS firstSeq, max(seq) AS lastSeq FROM ${table}`,
      )
      .get() ?? { rows: 0, firstSeq: null, lastSeq: null };
  const count = (sql: string) => db.prepare<[], { n: number }>(sql).get()?.n ?? 0;
  return {
    path: log.path,
    epoch: log.epoch,
    schemaVersion: Number(db.pragma('user_version', { simple: true })),
    integrity,
    ok: integrity.length === 1 && integrity[0] === 'ok',
    pageSize: Number(db.pragma('page_size', { simple: true })),
    fileBytes: sizeOf(log.path),
    walBytes: sizeOf(`${log.path}-wal`),
    usedBytes: usedBytes(db),
    freeOnDisk: freeBytes(log.path) ?? null,
    readings: range('readings'),
    events: range('events'),
    downsampledRows: count('SELECT count(*) AS n FROM downsampled'),
    backlog: log.backlog(),
    sent: { telemetry: log.sentPosition('telemetry'), events: log.sentPosition('events') },
    gaps: count("SELECT count(*) AS n FROM events WHERE type = 'gap'"),
    boots: count('SELECT count(*) AS n FROM boots'),
    unsyncedRecords:
      count('SELECT count(*) AS n FROM readings WHERE clock = 0') +
      count('SELECT count(*) AS n FROM events WHERE clock = 0'),
    quarantined: quarantinedNextTo(log.path),
    sensors: lastDriverReports(db),
  };
}

function sizeOf(path: string): number {
  try {
    return statSync(path).size;
  } catch {
    return 0;
  }
}

/** Corrupt logs moved aside by an earlier start (`<name>.corrupt-<time>`): the technician's to keep. */
function quarantinedNextTo(path: string): string[] {
  const name = basename(path);
  try {
    return readdirSync(dirname(path))
      .filter((f) => f.startsWith(`${name}.corrupt-`) && !/-(wal|shm)$/.test(f))
      .map((f) => join(dirname(path), f));
  } catch {
    return [];
  }
}
