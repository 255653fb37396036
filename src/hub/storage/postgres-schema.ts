/**
 * The hub's tables in PostgreSQL: the same shape as sqlite-schema.ts. Text keys use the "C" collation
 * so (epoch, seq) order is byte order, as in SQLite. Readings are indexed by their primary key (a point's
 * export is a range scan) and by a BRIN index on ts (retention deletes by time stay cheap); docs/hub.md
 * has the partitioning for a country-sized fleet.
 */
export const POSTGRES_SCHEMA = `
CREATE TABLE IF NOT EXISTS telemetry (
  point TEXT COLLATE "C" NOT NULL, epoch TEXT COLLATE "C" NOT NULL, seq BIGINT NOT NULL,
  ts BIGINT NOT NULL, channel TEXT NOT NULL, value DOUBLE PRECISION,
  PRIMARY KEY (point, epoch, seq)
);
CREATE INDEX IF NOT EXISTS telemetry_ts ON telemetry USING brin (ts);
CREATE TABLE IF NOT EXISTS events (
  point TEXT COLLATE "C" NOT NULL, epoch TEXT COLLATE "C" NOT NULL, seq BIGINT NOT NULL,
  ts BIGINT NOT NULL, type TEXT NOT NULL, level TEXT NOT NULL, message TEXT NOT NULL, data TEXT,
  PRIMARY KEY (point, epoch, seq)
);
CREATE INDEX IF NOT EXISTS events_gaps ON events (point) WHERE type = 'gap';
-- a point's page reads its last warnings newest first by time
CREATE INDEX IF NOT EXISTS events_point_ts ON events (point, ts);
CREATE TABLE IF NOT EXISTS lanes (
  point TEXT COLLATE "C" NOT NULL, epoch TEXT COLLATE "C" NOT NULL, stream TEXT COLLATE "C" NOT NULL,
  contiguous BIGINT NOT NULL, max_seq BIGINT NOT NULL, first_seen_at BIGINT NOT NULL,
  PRIMARY KEY (point, epoch, stream)
);
CREATE TABLE IF NOT EXISTS points (
  id TEXT COLLATE "C" PRIMARY KEY,
  info TEXT, info_ts BIGINT,
  status TEXT, status_ts BIGINT, status_epoch TEXT, status_received_at BIGINT, state TEXT,
  online BOOLEAN, online_ts BIGINT, online_received_at BIGINT,
  last_seen_at BIGINT
);
CREATE TABLE IF NOT EXISTS online_history (
  point TEXT COLLATE "C" NOT NULL, ts BIGINT NOT NULL, online BOOLEAN NOT NULL,
  received_at BIGINT NOT NULL, reason TEXT,
  PRIMARY KEY (point, ts, online)
);
CREATE TABLE IF NOT EXISTS transitions (
  id BIGSERIAL PRIMARY KEY,
  point TEXT NOT NULL, ts BIGINT NOT NULL, from_state TEXT, to_state TEXT NOT NULL
);
CREATE TABLE IF NOT EXISTS command_results (
  point TEXT NOT NULL, name TEXT NOT NULL, id TEXT NOT NULL, received_at BIGINT NOT NULL, body TEXT NOT NULL,
  PRIMARY KEY (point, name, id)
);
CREATE TABLE IF NOT EXISTS desired (
  point TEXT PRIMARY KEY, id TEXT NOT NULL, issued_at BIGINT NOT NULL, body TEXT NOT NULL
);
CREATE TABLE IF NOT EXISTS staff_users (
  name TEXT PRIMARY KEY, role TEXT NOT NULL, password_hash TEXT NOT NULL, created_at BIGINT NOT NULL
);
CREATE TABLE IF NOT EXISTS audit (
  id BIGSERIAL PRIMARY KEY,
  ts BIGINT NOT NULL, actor TEXT NOT NULL, action TEXT NOT NULL, point TEXT, detail TEXT NOT NULL,
  result TEXT NOT NULL
);
`;
