/** The embedded backend: one SQLite file through better-sqlite3, so a hub runs on a laptop in a crisis room. */
import { mkdirSync } from 'node:fs';
import { dirname } from 'node:path';
import Database from 'better-sqlite3';
import { commitWork, type StorageTx, type StoredLatest } from './commit.js';
import { gapNotice, holesOf, MAX_TS, MIN_TS } from './queries.js';
import { SQLITE_SCHEMA } from './sqlite-schema.js';
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
  RecordQuery,
  SeqRange,
  StaffUser,
  StreamName,
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
    const run = this.chain.then(() => this.commitNow(work));
    this.chain = run.catch(() => undefined);
    return run;
  }

  private async commitNow(work: IngestWork): Promise<IngestOutcome> {
    const db = this.open();
    await begin(db);
    try {
      const outcome = await commitWork(new SqliteTx(db, this.statements), work, this.now());
      db.exec('COMMIT');
      return outcome;
    } catch (err) {
      if (db.inTransaction) db.exec('ROLLBACK');
      throw err;
    }
  }

  async points(): Promise<PointRow[]> {
    return this.open().prepare(`${POINT_SELECT} ORDER BY id`).all().map(toPointRow);
  }

  async point(id: string): Promise<PointRow | undefined> {
    const row = this.open().prepare(`${POINT_SELECT} WHERE id = ?`).get(id);
    return row ? toPointRow(row) : undefined;
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
        `SELECT epoch, seq, ts, channel, value FROM telemetry ${RECORD_WHERE} ORDER BY epoch, seq LIMIT @limit`,
      )
      .all(recordParams(q)) as Array<TelemetryRow & { epoch: string }>;
  }

  async events(q: RecordQuery): Promise<Array<EventRow & { epoch: string }>> {
    return this.open()
      .prepare(
        `SELECT epoch, seq, ts, type, level, message, data FROM events ${RECORD_WHERE} ORDER BY epoch, seq LIMIT @limit`,
      )
      .all(recordParams(q)) as Array<EventRow & { epoch: string }>;
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
    this.open()
      .prepare(
        `INSERT INTO desired (point, id, issued_at, body) VALUES (@point, @id, @issuedAt, @body)
         ON CONFLICT (point) DO UPDATE SET id = excluded.id, issued_at = excluded.issued_at, body = excluded.body`,
      )
      .run(row);
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
    this.open()
      .prepare(
        `INSERT INTO staff_users (name, role, password_hash, created_at) VALUES (@name, @role, @passwordHash, @createdAt)
         ON CONFLICT (name) DO UPDATE SET role = excluded.role, password_hash = excluded.password_hash`,
      )
      .run(user);
  }

  async user(name: string): Promise<StaffUser | undefined> {
    return this.open()
      .prepare(
        'SELECT name, role, password_hash AS passwordHash, created_at AS createdAt FROM staff_users WHERE name = ?',
      )
      .get(name) as StaffUser | undefined;
  }

  async appendAudit(entry: AuditEntry): Promise<number> {
    const r = this.open()
      .prepare(
        `INSERT INTO audit (ts, actor, action, point, detail, result)
         VALUES (@ts, @actor, @action, @point, @detail, @result)`,
      )
      .run(entry);
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

function table(stream: StreamName): string {
  return stream === 'telemetry' ? 'telemetry' : 'events';
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

const LANE_SELECT =
  'SELECT point, epoch, stream, contiguous, max_seq AS maxSeq, first_seen_at AS firstSeenAt FROM lanes';

function toLaneRow(raw: unknown): LaneRow {
  return raw as LaneRow;
}

/** The statements of one transaction, prepared once per connection. */
class SqliteTx implements StorageTx {
  constructor(
    private readonly db: Db,
    private readonly statements: Map<string, Database.Statement>,
  ) {}

  private prep(sql: string): Database.Statement {
    let stmt = this.statements.get(sql);
    if (!stmt) {
      stmt = this.db.prepare(sql);
      this.statements.set(sql, stmt);
    }
    return stmt;
  }

  async lockLane(point: string, epoch: string, stream: StreamName, now: number): Promise<LaneRow> {
    this.prep(
      'INSERT OR IGNORE INTO lanes (point, epoch, stream, contiguous, max_seq, first_seen_at) VALUES (?, ?, ?, 0, 0, ?)',
    ).run(point, epoch, stream, now);
    const row = this.prep(`${LANE_SELECT} WHERE point = ? AND epoch = ? AND stream = ?`).get(
      point,
      epoch,
      stream,
    );
    return toLaneRow(row);
  }

  async insertTelemetry(point: string, epoch: string, rows: readonly TelemetryRow[]): Promise<number> {
    const stmt = this.prep(
      'INSERT OR IGNORE INTO telemetry (point, epoch, seq, ts, channel, value) VALUES (?, ?, ?, ?, ?, ?)',
    );
    let n = 0;
    for (const r of rows) n += stmt.run(point, epoch, r.seq, r.ts, r.channel, r.value).changes;
    return n;
  }

  async insertEvents(point: string, epoch: string, rows: readonly EventRow[]): Promise<number> {
    const stmt = this.prep(
      'INSERT OR IGNORE INTO events (point, epoch, seq, ts, type, level, message, data) VALUES (?, ?, ?, ?, ?, ?, ?, ?)',
    );
    let n = 0;
    for (const r of rows)
      n += stmt.run(point, epoch, r.seq, r.ts, r.type, r.level, r.message, r.data).changes;
    return n;
  }

  async seqsAfter(lane: LaneRow, after: number, limit: number): Promise<number[]> {
    return this.prep(
      `SELECT seq FROM ${table(lane.stream)} WHERE point = ? AND epoch = ? AND seq > ? ORDER BY seq LIMIT ?`,
    )
      .pluck()
      .all(lane.point, lane.epoch, after, limit) as number[];
  }

  async updateLane(lane: LaneRow): Promise<void> {
    this.prep(
      'UPDATE lanes SET contiguous = @contiguous, max_seq = @maxSeq WHERE point = @point AND epoch = @epoch AND stream = @stream',
    ).run(lane);
  }

  async lockPoint(point: string, seenAt: number): Promise<StoredLatest> {
    this.prep(
      `INSERT INTO points (id, last_seen_at) VALUES (?, ?)
         ON CONFLICT (id) DO UPDATE SET last_seen_at = max(coalesce(last_seen_at, 0), excluded.last_seen_at)`,
    ).run(point, seenAt);
    const r = this.prep('SELECT status_ts, state, online_ts, online, info_ts FROM points WHERE id = ?').get(
      point,
    ) as {
      status_ts: number | null;
      state: string | null;
      online_ts: number | null;
      online: number | null;
      info_ts: number | null;
    };
    return {
      statusTs: r.status_ts,
      state: r.state,
      onlineTs: r.online_ts,
      online: r.online === null ? null : r.online === 1,
      infoTs: r.info_ts,
    };
  }

  async saveStatus(u: Parameters<StorageTx['saveStatus']>[0]): Promise<void> {
    this.prep(
      `UPDATE points SET status = @body, status_ts = @ts, status_epoch = @epoch,
         status_received_at = @receivedAt, state = @state WHERE id = @point`,
    ).run(u);
  }

  async addTransition(point: string, ts: number, from: string | null, to: string): Promise<void> {
    this.prep('INSERT INTO transitions (point, ts, from_state, to_state) VALUES (?, ?, ?, ?)').run(
      point,
      ts,
      from,
      to,
    );
  }

  async saveOnline(u: Parameters<StorageTx['saveOnline']>[0]): Promise<void> {
    this.prep('UPDATE points SET online = ?, online_ts = ?, online_received_at = ? WHERE id = ?').run(
      u.online ? 1 : 0,
      u.ts,
      u.receivedAt,
      u.point,
    );
  }

  async addOnlineHistory(u: Parameters<StorageTx['addOnlineHistory']>[0]): Promise<void> {
    this.prep(
      'INSERT OR IGNORE INTO online_history (point, ts, online, received_at, reason) VALUES (?, ?, ?, ?, ?)',
    ).run(u.point, u.ts, u.online ? 1 : 0, u.receivedAt, u.reason);
  }

  async saveInfo(u: Parameters<StorageTx['saveInfo']>[0]): Promise<void> {
    this.prep('UPDATE points SET info = ?, info_ts = ? WHERE id = ?').run(u.body, u.ts, u.point);
  }

  async saveResult(u: Parameters<StorageTx['saveResult']>[0]): Promise<void> {
    this.prep(
      'INSERT OR IGNORE INTO command_results (point, name, id, received_at, body) VALUES (?, ?, ?, ?, ?)',
    ).run(u.point, u.name, u.id ?? '', u.receivedAt, u.body);
  }
}
