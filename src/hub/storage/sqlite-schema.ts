/** The hub's tables in SQLite. Record tables are keyed (point, epoch, seq) WITHOUT ROWID: the key is the table. */
export const SQLITE_SCHEMA = `
CREATE TABLE IF NOT EXISTS telemetry (
  point TEXT NOT NULL, epoch TEXT NOT NULL, seq INTEGER NOT NULL,
  ts INTEGER NOT NULL, channel TEXT NOT NULL, value REAL,
  PRIMARY KEY (point, epoch, seq)
) WITHOUT ROWID;
CREATE TABLE IF NOT EXISTS events (
  point TEXT NOT NULL, epoch TEXT NOT NULL, seq INTEGER NOT NULL,
  ts INTEGER NOT NULL, type TEXT NOT NULL, level TEXT NOT NULL, message TEXT NOT NULL, data TEXT,
  PRIMARY KEY (point, epoch, seq)
) WITHOUT ROWID;
CREATE INDEX IF NOT EXISTS events_gaps ON events (point) WHERE type = 'gap';
-- a point's page reads its last warnings newest first by time
CREATE INDEX IF NOT EXISTS events_point_ts ON events (point, ts);
CREATE TABLE IF NOT EXISTS lanes (
  point TEXT NOT NULL, epoch TEXT NOT NULL, stream TEXT NOT NULL,
  contiguous INTEGER NOT NULL, max_seq INTEGER NOT NULL, first_seen_at INTEGER NOT NULL,
  PRIMARY KEY (point, epoch, stream)
) WITHOUT ROWID;
CREATE TABLE IF NOT EXISTS points (
  id TEXT PRIMARY KEY,
  info TEXT, info_ts INTEGER,
  status TEXT, status_ts INTEGER, status_epoch TEXT, status_received_at INTEGER, state TEXT,
  online INTEGER, online_ts INTEGER, online_received_at INTEGER,
  last_seen_at INTEGER
);
CREATE TABLE IF NOT EXISTS online_history (
  point TEXT NOT NULL, ts INTEGER NOT NULL, online INTEGER NOT NULL,
  received_at INTEGER NOT NULL, reason TEXT,
  PRIMARY KEY (point, ts, online)
) WITHOUT ROWID;
CREATE TABLE IF NOT EXISTS transitions (
  id INTEGER PRIMARY KEY AUTOINCREMENT,
  point TEXT NOT NULL, ts INTEGER NOT NULL, from_state TEXT, to_state TEXT NOT NULL
);
CREATE TABLE IF NOT EXISTS command_results (
  point TEXT NOT NULL, name TEXT NOT NULL, id TEXT NOT NULL, received_at INTEGER NOT NULL, body TEXT NOT NULL,
  PRIMARY KEY (point, name, id)
) WITHOUT ROWID;
CREATE TABLE IF NOT EXISTS desired (
  point TEXT PRIMARY KEY, id TEXT NOT NULL, issued_at INTEGER NOT NULL, body TEXT NOT NULL
);
CREATE TABLE IF NOT EXISTS staff_users (
  name TEXT PRIMARY KEY, role TEXT NOT NULL, password_hash TEXT NOT NULL, created_at INTEGER NOT NULL
);
CREATE TABLE IF NOT EXISTS audit (
  id INTEGER PRIMARY KEY AUTOINCREMENT,
  ts INTEGER NOT NULL, actor TEXT NOT NULL, action TEXT NOT NULL, point TEXT, detail TEXT NOT NULL,
  result TEXT NOT NULL
);
`;
