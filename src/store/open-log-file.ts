// Opens the SQLite file of the log: pragmas, migrations, and the checks that refuse a missing, foreign,
// too-new or corrupt file while it is still untouched. Separate from SqliteLog because every way a
// file can fail to open (and the LogOpenError it becomes) lives here, before any record is read.
import { closeSync, existsSync, mkdirSync, openSync, readSync } from 'node:fs';
import { dirname } from 'node:path';
import Database from 'better-sqlite3';
import { errorMessage } from '../core/errors.js';
import {
  APPLICATION_ID,
  assertCompatible,
  LATEST_VERSION,
  LogOpenError,
  migrate,
  schemaVersion,
} from './migrations.js';

/** Page size of a newly created log: smaller pages mean fewer bytes per group commit on the SD card. */
export const NEW_LOG_PAGE_SIZE = 1024;

type Db = Database.Database;

const BUSY_TIMEOUT_MS = 5000;

export interface WritableOpenOptions {
  maxBytes?: number;
  skipQuickCheck?: boolean;
}

export function openWritable(file: string, opts: WritableOpenOptions): Db {
  let db: Db;
  try {
    mkdirSync(dirname(file), { recursive: true });
    db = new Database(file, { timeout: BUSY_TIMEOUT_MS });
  } catch (err) {
    throw describeOpenError(err, file);
  }
  return withOpenErrors(file, db, (rw) => {
    rw.pragma(`busy_timeout = ${BUSY_TIMEOUT_MS}`);
    // Read before any write: a garbage, foreign or too-new file is refused while still untouched.
    assertCompatible(rw, file);
    if (schemaVersion(rw) > 0 && opts.skipQuickCheck !== true) assertIntact(rw, file);
    if (schemaVersion(rw) === 0) rw.pragma(`page_size = ${NEW_LOG_PAGE_SIZE}`);
    rw.pragma('journal_mode = WAL');
    rw.pragma('synchronous = FULL');
    rw.pragma('foreign_keys = ON');
    // Checkpoint about every 256 KiB of WAL instead of 4 MiB (1000 pages): the WAL is rewritten from its
    // start after each checkpoint, so it stays small and readers scan less.
    rw.pragma('wal_autocheckpoint = 256');
    if (opts.maxBytes !== undefined) {
      const pageSize = Number(rw.pragma('page_size', { simple: true }));
      rw.pragma(`max_page_count = ${Math.max(1, Math.floor(opts.maxBytes / pageSize))}`);
    }
    migrate(rw, file);
  });
}

/** PRAGMA quick_check: O(size) but without the index cross-checks of integrity_check; run at every start. */
function assertIntact(db: Db, file: string): void {
  let problems: string[];
  try {
    const rows = db.pragma('quick_check(20)') as { quick_check: string }[];
    problems = rows.map((r) => r.quick_check);
  } catch (err) {
    throw corruptLog(file, errorMessage(err), err);
  }
  if (problems.length !== 1 || problems[0] !== 'ok') throw corruptLog(file, problems.join('; '));
}

function corruptLog(file: string, detail: string, cause?: unknown): LogOpenError {
  return new LogOpenError('corrupt', file, `the log ${file} is corrupt: ${detail}`, { cause });
}

/** True for an SQLite file whose header names it a pima-kiosk log: only such a file is ever quarantined. */
export function hasLogHeader(file: string): boolean {
  let fd: number | undefined;
  try {
    fd = openSync(file, 'r');
    const head = Buffer.alloc(72);
    if (readSync(fd, head, 0, 72, 0) < 72) return false;
    return (
      head.subarray(0, 16).toString('latin1') === 'SQLite format 3\0' &&
      head.readUInt32BE(68) === APPLICATION_ID
    );
  } catch {
    return false;
  } finally {
    if (fd !== undefined) closeSync(fd);
  }
}

export function openReadOnly(file: string): Db {
  if (!existsSync(file)) throw missingLog(file);
  let db: Db;
  try {
    db = new Database(file, { readonly: true, fileMustExist: true, timeout: BUSY_TIMEOUT_MS });
  } catch (err) {
    throw existsSync(file) ? describeOpenError(err, file) : missingLog(file);
  }
  return withOpenErrors(file, db, (ro) => {
    ro.pragma(`busy_timeout = ${BUSY_TIMEOUT_MS}`);
    assertCompatible(ro, file);
    const version = schemaVersion(ro);
    if (version === 0) throw missingLog(file);
    if (version < LATEST_VERSION) {
      throw new LogOpenError(
        'incompatible',
        file,
        `log ${file} has schema version ${version}; start the service once to upgrade it to ${LATEST_VERSION}`,
      );
    }
  });
}

function withOpenErrors(file: string, db: Db, prepare: (db: Db) => void): Db {
  try {
    prepare(db);
    return db;
  } catch (err) {
    db.close();
    throw describeOpenError(err, file);
  }
}

/** The statement that reads the log's identity; prepared with the others, run last (see `readEpoch`). */
export function prepareEpochStatement(db: Db): Database.Statement<[string], { value: string }> {
  return db.prepare<[string], { value: string }>('SELECT value FROM meta WHERE key = ?');
}

export function readEpoch(stmt: Database.Statement<[string], { value: string }>, file: string): string {
  const epoch = stmt.get('epoch')?.value;
  if (!epoch) throw new LogOpenError('unreadable', file, `the log ${file} has no epoch in its meta table`);
  return epoch;
}

function missingLog(file: string): LogOpenError {
  return new LogOpenError('missing', file, `the log does not exist yet at ${file}`);
}

export function describeOpenError(err: unknown, file: string): Error {
  if (err instanceof LogOpenError) return err;
  const detail = errorMessage(err);
  if (isCorruption(err) && hasLogHeader(file)) return corruptLog(file, detail, err);
  return new LogOpenError(
    'unreadable',
    file,
    `cannot open the log ${file}: ${detail} (is it a pima-kiosk SQLite log? the file was left unchanged)`,
    { cause: err },
  );
}

export function isCorruption(err: unknown): boolean {
  const code = (err as { code?: unknown } | null)?.code;
  return typeof code === 'string' && (code.startsWith('SQLITE_CORRUPT') || code === 'SQLITE_NOTADB');
}
