import { randomBytes } from 'node:crypto';
import type Database from 'better-sqlite3';

export type LogOpenProblem = 'missing' | 'unreadable' | 'incompatible' | 'foreign' | 'corrupt';

/** Why a log could not be opened; the file named in the message was never modified. */
export class LogOpenError extends Error {
  override readonly name = 'LogOpenError';

  constructor(
    readonly problem: LogOpenProblem,
    readonly path: string,
    message: string,
    options?: ErrorOptions,
  ) {
    super(message, options);
  }
}

export interface Migration {
  /** Stored in `PRAGMA user_version` once applied; versions are consecutive from 1. */
  version: number;
  up(db: Database.Database): void;
}

/** `PRAGMA application_id` of a pima-kiosk log ('PIMA'), so a foreign SQLite file is never migrated. */
export const APPLICATION_ID = 0x50494d41;

function createV1(db: Database.Database): void {
  db.exec(`
    CREATE TABLE meta (
      key TEXT PRIMARY KEY,
      value TEXT NOT NULL
    ) STRICT;

    -- AUTOINCREMENT: a seq is never reused, even after the newest rows are deleted (CONTRACT.md §5).
    CREATE TABLE readings (
      seq INTEGER PRIMARY KEY AUTOINCREMENT,
      ts INTEGER NOT NULL,
      channel TEXT NOT NULL,
      value REAL
    ) STRICT;
    CREATE INDEX readings_channel_seq ON readings (channel, seq);
    CREATE INDEX readings_ts ON readings (ts);

    CREATE TABLE events (
      seq INTEGER PRIMARY KEY AUTOINCREMENT,
      ts INTEGER NOT NULL,
      type TEXT NOT NULL,
      level TEXT NOT NULL,
      message TEXT NOT NULL,
      data TEXT
    ) STRICT;
    CREATE INDEX events_ts ON events (ts);

    CREATE TABLE outbox (
      stream TEXT PRIMARY KEY,
      sent_seq INTEGER NOT NULL
    ) STRICT;

    CREATE TABLE status_snapshot (
      id INTEGER PRIMARY KEY CHECK (id = 1),
      json TEXT NOT NULL,
      saved_at INTEGER NOT NULL
    ) STRICT;

    CREATE TABLE operator_commands (
      id INTEGER PRIMARY KEY AUTOINCREMENT,
      ts INTEGER NOT NULL,
      name TEXT NOT NULL,
      args TEXT NOT NULL,
      actor TEXT NOT NULL,
      source TEXT NOT NULL,
      applied_at INTEGER,
      result TEXT
    ) STRICT;
  `);
  const meta = db.prepare<[string, string]>('INSERT INTO meta (key, value) VALUES (?, ?)');
  meta.run('epoch', randomBytes(8).toString('hex'));
  meta.run('created_at', String(Date.now()));
  db.pragma(`application_id = ${APPLICATION_ID}`);
}

/**
 * v2: clock stamps on every record (boot, monotonic ms, clock state), the boots they refer to, the
 * downsampled history, and no secondary index on readings. The (channel, seq) index made each group
 * commit touch one index page per channel and the ts index one more: together about 3-4× the SD writes
 * of the rows themselves (docs/storage.md, "SD budget"). Readings are read by seq: the latest of a
 * channel by scanning back from the newest, exports and time filters by one forward scan.
 * Existing rows keep their seq and ts; their stamps stay NULL ("written before stamps existed").
 */
function upgradeToV2(db: Database.Database): void {
  db.exec(`
    CREATE TABLE boots (
      id INTEGER PRIMARY KEY,
      boot_id TEXT NOT NULL UNIQUE,
      first_seen_ts INTEGER NOT NULL,
      -- wall − monotonic once the clock was synchronised during this boot; NULL until then
      offset_ms INTEGER
    ) STRICT;

    -- clock: 0 unsynchronised, 1 synchronised, 2 corrected from the monotonic offset, NULL unknown
    ALTER TABLE readings ADD COLUMN boot INTEGER;
    ALTER TABLE readings ADD COLUMN mono INTEGER;
    ALTER TABLE readings ADD COLUMN clock INTEGER;
    ALTER TABLE events ADD COLUMN boot INTEGER;
    ALTER TABLE events ADD COLUMN mono INTEGER;
    ALTER TABLE events ADD COLUMN clock INTEGER;
    DROP INDEX readings_channel_seq;
    DROP INDEX readings_ts;

    -- Raw readings older than storage.rawRetentionDays, folded per channel and interval.
    CREATE TABLE downsampled (
      channel TEXT NOT NULL,
      bucket_start INTEGER NOT NULL,
      bucket_ms INTEGER NOT NULL,
      first_seq INTEGER NOT NULL,
      last_seq INTEGER NOT NULL,
      n INTEGER NOT NULL,
      min REAL,
      max REAL,
      mean REAL,
      PRIMARY KEY (channel, bucket_start, first_seq)
    ) STRICT;
  `);
}

/**
 * v3: a command's own id (`key`, chosen by its sender: applied at most once, so a replayed or redelivered
 * command finds the first one and its result) and its expiry. Results become JSON `{ok, text}`; older
 * rows keep their "ok: …" text, which the reader still understands.
 */
function upgradeToV3(db: Database.Database): void {
  db.exec(`
    ALTER TABLE operator_commands ADD COLUMN key TEXT;
    ALTER TABLE operator_commands ADD COLUMN expires_at INTEGER;
    CREATE UNIQUE INDEX operator_commands_key ON operator_commands (key) WHERE key IS NOT NULL;
  `);
}

export const MIGRATIONS: readonly Migration[] = [
  { version: 1, up: createV1 },
  { version: 2, up: upgradeToV2 },
  { version: 3, up: upgradeToV3 },
];

export const LATEST_VERSION = MIGRATIONS.reduce((max, m) => Math.max(max, m.version), 0);

export function schemaVersion(db: Database.Database): number {
  return Number(db.pragma('user_version', { simple: true }));
}

export function applicationId(db: Database.Database): number {
  return Number(db.pragma('application_id', { simple: true }));
}

/** Throws unless the schema is one this code can read: never newer, and ours when not empty. */
export function assertCompatible(db: Database.Database, file: string): void {
  const version = schemaVersion(db);
  if (version > LATEST_VERSION) {
    throw new LogOpenError(
      'incompatible',
      file,
      `log ${file} has schema version ${version}, newer than this program knows (${LATEST_VERSION}); ` +
        'upgrade pima-kiosk (the file was left unchanged)',
    );
  }
  const ours = version > 0 ? applicationId(db) === APPLICATION_ID : !hasSchemaObjects(db);
  if (!ours) {
    throw new LogOpenError(
      'foreign',
      file,
      `${file} is an SQLite database but not a pima-kiosk log (the file was left unchanged)`,
    );
  }
}

function hasSchemaObjects(db: Database.Database): boolean {
  return db.prepare('SELECT 1 FROM sqlite_master LIMIT 1').get() !== undefined;
}

/**
 * Brings the schema to LATEST_VERSION. BEGIN IMMEDIATE takes the write lock before the version is read,
 * so the service and a CLI opening a new log at the same moment cannot both apply a migration.
 */
export function migrate(db: Database.Database, file: string): void {
  const run = db.transaction(() => {
    assertCompatible(db, file);
    const from = schemaVersion(db);
    for (const m of MIGRATIONS) {
      if (m.version <= from) continue;
      m.up(db);
      db.pragma(`user_version = ${m.version}`);
    }
  });
  run.immediate();
}
