/** The embedded backend: one SQLite file through better-sqlite3, so a hub runs on a laptop in a crisis room. */
import { mkdirSync } from 'node:fs';
import { dirname } from 'node:path';
import Database from 'better-sqlite3';
import { commitWork } from './commit.js';
import { gapNotice, holesOf, MAX_TS, MIN_TS, recordOrder, table } from './queries.js';
import { SQLITE_SCHEMA } from './sqlite-schema.js';
import { LANE_SELECT, SqliteTx, toLaneRow } from './sqlite-tx.js';
import type {
  AuditEntry,
  DesiredRow,
  EventRow,
  GapNotice,
  HubStorage,
  IngestOutcome,
  IngestWork,
  LaneRow,
  OnlineHistoryRow,
  PointRow,
  PointStamp,
  RecordQuery,
  SeqRange,
  StaffUser,
  TelemetryRow,
  TransitionRow,
} from './types.js';

type Db = Database.Database;

const BUSY_TIMEOUT_MS = 10_000;

export class SqliteHubStorage implements HubStorage {
  private db: Db | undefined;
  private chain: Promise<unknown> = Promise.resolve();
  private readonly statements = new Map<string, Database.Statement>();

  constructor(
    private readonly file: string,
    private readonly now: () => number = Date.now,
  ) {}

  async start(): Promise<void> {
    if (this.db) return;
    mkdirSync(dirname(this.file), { recursive: true });
    const db = new Database(this.file, { timeout: BUSY_TIMEOUT_MS });
    db.pragma('journal_mode = WAL');
    // FULL: a commit is on disk before the broker is told; the hub acknowledges only what survives power loss.
    db.pragma('synchronous = FULL');
    db.pragma(`busy_timeout = ${BUSY_TIMEOUT_MS}`);
    db.exec(SQLITE_SCHEMA);
    // From now on a busy file is waited for with timers, not by blocking the event loop (begin()).
    db.pragma('busy_timeout = 0');
    this.db = db;
  }

  async stop(): Promise<void> {
    await this.chain.catch(() => undefined);
    this.statements.clear();
    this.db?.close();
    this.db = undefined;
  }

  /** Commits run one after another; BEGIN IMMEDIATE also orders them against other hubs on the file. */
  commit(work: IngestWork): Promise<IngestOutcome> {
    return this.write((db) => commitWork(new SqliteTx(db, this.statements), work, this.now()));
  }

  /**
   * One write transaction, in line with the commits. Every write goes through here: with busy_timeout 0
   * a bare INSERT beside another process's commit (the running hub, when `pima-hub command` or `user`
   * writes) fails at once with "database is locked" instead of waiting its turn.
   */
  private write<T>(work: (db: Db) => T | Promise<T>): Promise<T> {
    const run = this.chain.then(async () => {
      const db = this.open();
      await begin(db);
      try {
        const result = await work(db);
        db.exec('COMMIT');
        return result;
      } catch (err) {
        if (db.inTransaction) db.exec('ROLLBACK');
        throw err;
      }
    });
    this.chain = run.catch(() => undefined);
    return run;
  }

  async points(): Promise<PointRow[]> {
    return this.open().prepare(`${POINT_SELECT} ORDER BY id`).all().map(toPointRow);
  }

  async point(id: string): Promise<PointRow | undefined> {
    const row = this.open().prepare(`${POINT_SELECT} WHERE id = ?`).get(id);
    return row ? toPointRow(row) : undefined;
  }

  async pointStamps(): Promise<PointStamp[]> {
    const rows = this.open()
      .prepare(
        `SELECT p.id, p.last_seen_at AS lastSeenAt, p.status_ts AS statusTs,
           p.status_received_at AS statusReceivedAt, p.online, p.online_ts AS onlineTs,
           d.id AS desiredId, d.issued_at AS desiredIssuedAt
         FROM points p LEFT JOIN desired d ON d.point = p.id ORDER BY p.id`,
      )
      .all() as Array<Omit<PointStamp, 'online'> & { online: number | null }>;
    return rows.map((r) => ({ ...r, online: r.online === null ? null : r.online === 1 }));
  }

  async lanes(point?: string): Promise<LaneRow[]> {
    const where = point === undefined ? '' : 'WHERE point = @point';
    const rows = this.open()
      .prepare(`${LANE_SELECT} ${where} ORDER BY point, epoch, stream`)
      .all(point === undefined ? {} : { point });
    return rows.map(toLaneRow);
  }

  async holes(lane: LaneRow): Promise<SeqRange[]> {
    const seqs = this.open()
      .prepare(`SELECT seq FROM ${table(lane.stream)} WHERE point = ? AND epoch = ? AND seq > ? ORDER BY seq`)
      .pluck()
      .all(lane.point, lane.epoch, lane.contiguous) as number[];
    return holesOf(lane.contiguous, seqs, lane.maxSeq);
  }

  async gapNotices(point: string): Promise<GapNotice[]> {
    const rows = this.open()
      .prepare("SELECT epoch, data FROM events WHERE point = ? AND type = 'gap' ORDER BY epoch, seq")
      .all(point) as Array<{ epoch: string; data: string | null }>;
    return rows.flatMap((r) => gapNotice(r.epoch, r.data));
  }

  async telemetry(q: RecordQuery): Promise<Array<TelemetryRow & { epoch: string }>> {
    return this.open()
      .prepare(
        `SELECT epoch, seq, ts, channel, value FROM telemetry ${RECORD_WHERE}
         AND (@channels IS NULL OR channel IN (SELECT value FROM json_each(@channels)))
         ${recordOrder(q)} LIMIT @limit`,
      )
      .all({ ...recordParams(q), channels: listParam(q.channels) }) as Array<
      TelemetryRow & { epoch: string }
    >;
  }

  async events(q: RecordQuery): Promise<Array<EventRow & { epoch: string }>> {
    return this.open()
      .prepare(
        `SELECT epoch, seq, ts, type, level, message, data FROM events ${RECORD_WHERE}
         AND (@levels IS NULL OR level IN (SELECT value FROM json_each(@levels)))
         ${recordOrder(q)} LIMIT @limit`,
      )
      .all({ ...recordParams(q), levels: listParam(q.levels) }) as Array<EventRow & { epoch: string }>;
  }

  async onlineHistory(point: string, limit: number): Promise<OnlineHistoryRow[]> {
    const rows = this.open()
      .prepare(
        'SELECT online, ts, received_at, reason FROM online_history WHERE point = ? ORDER BY ts DESC, online LIMIT ?',
      )
      .all(point, limit) as Array<{ online: number; ts: number; received_at: number; reason: string | null }>;
    return rows.map((r) => ({
      online: r.online === 1,
      ts: r.ts,
      receivedAt: r.received_at,
      reason: r.reason,
    }));
  }

  async transitions(limit: number): Promise<TransitionRow[]> {
    const rows = this.open()
      .prepare(
        'SELECT id, point, ts, from_state, to_state FROM transitions ORDER BY ts DESC, id DESC LIMIT ?',
      )
      .all(limit) as Array<{
      id: number;
      point: string;
      ts: number;
      from_state: string | null;
      to_state: string;
    }>;
    return rows.map((r) => ({ id: r.id, point: r.point, ts: r.ts, from: r.from_state, to: r.to_state }));
  }

  async saveDesired(row: DesiredRow): Promise<void> {
    await this.write((db) =>
      db
        .prepare(
          `INSERT INTO desired (point, id, issued_at, body) VALUES (@point, @id, @issuedAt, @body)
         ON CONFLICT (point) DO UPDATE SET id = excluded.id, issued_at = excluded.issued_at, body = excluded.body`,
        )
        .run(row),
    );
  }

  async desired(point: string): Promise<DesiredRow | undefined> {
    const row = this.open()
      .prepare('SELECT point, id, issued_at AS issuedAt, body FROM desired WHERE point = ?')
      .get(point) as DesiredRow | undefined;
    return row;
  }

  async allDesired(): Promise<DesiredRow[]> {
    return this.open()
      .prepare('SELECT point, id, issued_at AS issuedAt, body FROM desired ORDER BY point')
      .all() as DesiredRow[];
  }

  async saveUser(user: StaffUser): Promise<void> {
    await this.write((db) =>
      db
        .prepare(
          `INSERT INTO staff_users (name, role, password_hash, created_at) VALUES (@name, @role, @passwordHash, @createdAt)
         ON CONFLICT (name) DO UPDATE SET role = excluded.role, password_hash = excluded.password_hash`,
        )
        .run(user),
    );
  }

  async user(name: string): Promise<StaffUser | undefined> {
    return this.open()
      .prepare(
        'SELECT name, role, password_hash AS passwordHash, created_at AS createdAt FROM staff_users WHERE name = ?',
      )
      .get(name) as StaffUser | undefined;
  }

  async appendAudit(entry: AuditEntry): Promise<number> {
    const r = await this.write((db) =>
      db
        .prepare(
          `INSERT INTO audit (ts, actor, action, point, detail, result)
         VALUES (@ts, @actor, @action, @point, @detail, @result)`,
        )
        .run(entry),
    );
    return Number(r.lastInsertRowid);
  }

  async auditLog(limit: number): Promise<Array<AuditEntry & { id: number }>> {
    return this.open()
      .prepare('SELECT id, ts, actor, action, point, detail, result FROM audit ORDER BY id DESC LIMIT ?')
      .all(limit) as Array<AuditEntry & { id: number }>;
  }

  private open(): Db {
    if (!this.db) throw new Error('hub storage is not started');
    return this.db;
  }
}

/**
 * BEGIN IMMEDIATE, waiting while another hub on the same file writes. The wait yields to the event
 * loop: a busy_timeout would block it, and with it the HTTP server and the writer we wait for if it
 * lives in this process.
 */
async function begin(db: Db): Promise<void> {
  const deadline = Date.now() + BUSY_TIMEOUT_MS;
  for (let delay = 1; ; delay = Math.min(delay * 2, 50)) {
    try {
      db.exec('BEGIN IMMEDIATE');
      return;
    } catch (err) {
      if ((err as { code?: string }).code !== 'SQLITE_BUSY' || Date.now() > deadline) throw err;
      await new Promise((r) => setTimeout(r, delay));
    }
  }
}

const RECORD_WHERE =
  'WHERE point = @point AND (epoch, seq) > (@afterEpoch, @afterSeq) AND ts >= @since AND ts <= @until';

function recordParams(q: RecordQuery): Record<string, string | number> {
  return {
    point: q.point,
    afterEpoch: q.after?.epoch ?? '',
    afterSeq: q.after?.seq ?? Number.MIN_SAFE_INTEGER,
    since: q.sinceMs ?? MIN_TS,
    until: q.untilMs ?? MAX_TS,
    limit: q.limit,
  };
}

/** A filter list as JSON for json_each; null means no filter. */
function listParam(list: readonly string[] | undefined): string | null {
  return list === undefined ? null : JSON.stringify(list);
}

const POINT_SELECT = `SELECT id, info, status, status_ts, status_received_at, online, online_ts,
  online_received_at, last_seen_at FROM points`;

function toPointRow(raw: unknown): PointRow {
  const r = raw as {
    id: string;
    info: string | null;
    status: string | null;
    status_ts: number | null;
    status_received_at: number | null;
    online: number | null;
    online_ts: number | null;
    online_received_at: number | null;
    last_seen_at: number | null;
  };
  return {
    id: r.id,
    info: r.info,
    status: r.status,
    statusTs: r.status_ts,
    statusReceivedAt: r.status_received_at,
    online: r.online === null ? null : r.online === 1,
    onlineTs: r.online_ts,
    onlineReceivedAt: r.online_received_at,
    lastSeenAt: r.last_seen_at,
  };
}
