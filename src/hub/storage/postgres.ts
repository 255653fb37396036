/** The production backend: PostgreSQL through node-postgres, several hubs on one database. */
import pg from 'pg';
import { commitWork } from './commit.js';
import { appendBatch } from './postgres-append.js';
import { POSTGRES_SCHEMA } from './postgres-schema.js';
import { LANE_SELECT, PgTx } from './postgres-tx.js';
import { gapNotice, holesOf, MAX_TS, MIN_TS, recordOrder, table } from './queries.js';
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
  RecordBatch,
  RecordQuery,
  SeqRange,
  StaffUser,
  TelemetryRow,
  TransitionRow,
} from './types.js';

const INT8_OID = 20;
/** Any number; taken in a transaction so hubs starting together do not race on CREATE TABLE. */
const MIGRATION_LOCK = 7_345_001;
/** deadlock_detected, serialization_failure: the transaction is retried as a whole. */
const RETRYABLE = new Set(['40P01', '40001']);
const MAX_ATTEMPTS = 5;

/** BIGINT columns are epoch ms and seqs: well inside Number's exact range. */
const types = {
  getTypeParser: ((oid: number, format?: string) =>
    oid === INT8_OID && format !== 'binary'
      ? (v: string) => Number(v)
      : pg.types.getTypeParser(oid, format as 'text')) as typeof pg.types.getTypeParser,
};

export class PostgresHubStorage implements HubStorage {
  private pool: pg.Pool | undefined;

  constructor(
    private readonly url: string,
    private readonly poolSize = 4,
    private readonly now: () => number = Date.now,
  ) {}

  async start(): Promise<void> {
    if (this.pool) return;
    const pool = new pg.Pool({ connectionString: this.url, max: this.poolSize, types });
    // An idle client losing its server must not crash the process: the next query reconnects.
    pool.on('error', () => undefined);
    try {
      await inTransaction(pool, async (c) => {
        await c.query('SELECT pg_advisory_xact_lock($1)', [MIGRATION_LOCK]);
        await c.query(POSTGRES_SCHEMA);
      });
    } catch (err) {
      await pool.end();
      throw err;
    }
    this.pool = pool;
  }

  async stop(): Promise<void> {
    const pool = this.pool;
    this.pool = undefined;
    await pool?.end();
  }

  async commit(work: IngestWork): Promise<IngestOutcome> {
    for (let attempt = 1; ; attempt++) {
      try {
        const batch = onlyBatch(work);
        if (batch) {
          const r = await appendBatch(this.open(), batch, this.now());
          if (r.maxSeq > r.contiguous)
            await inTransaction(this.open(), (c) => commitWork(new PgTx(c), work, this.now()));
          return { inserted: r.inserted, duplicates: batch.records.length - r.inserted };
        }
        return await inTransaction(this.open(), (c) => commitWork(new PgTx(c), work, this.now()));
      } catch (err) {
        const code = (err as { code?: string }).code;
        if (attempt >= MAX_ATTEMPTS || code === undefined || !RETRYABLE.has(code)) throw err;
      }
    }
  }

  async points(): Promise<PointRow[]> {
    const r = await this.open().query(`${POINT_SELECT} ORDER BY id`);
    return r.rows.map(toPointRow);
  }

  async point(id: string): Promise<PointRow | undefined> {
    const r = await this.open().query(`${POINT_SELECT} WHERE id = $1`, [id]);
    return r.rows[0] ? toPointRow(r.rows[0]) : undefined;
  }

  async pointStamps(): Promise<PointStamp[]> {
    const r = await this.open().query(
      `SELECT p.id, p.last_seen_at AS "lastSeenAt", p.status_ts AS "statusTs",
         p.status_received_at AS "statusReceivedAt", p.online, p.online_ts AS "onlineTs",
         d.id AS "desiredId", d.issued_at AS "desiredIssuedAt"
       FROM points p LEFT JOIN desired d ON d.point = p.id ORDER BY p.id`,
    );
    return r.rows as PointStamp[];
  }

  async lanes(point?: string): Promise<LaneRow[]> {
    const r =
      point === undefined
        ? await this.open().query(`${LANE_SELECT} ORDER BY point, epoch, stream`)
        : await this.open().query(`${LANE_SELECT} WHERE point = $1 ORDER BY point, epoch, stream`, [point]);
    return r.rows as LaneRow[];
  }

  async holes(lane: LaneRow): Promise<SeqRange[]> {
    const r = await this.open().query(
      `SELECT seq FROM ${table(lane.stream)} WHERE point = $1 AND epoch = $2 AND seq > $3 ORDER BY seq`,
      [lane.point, lane.epoch, lane.contiguous],
    );
    return holesOf(
      lane.contiguous,
      r.rows.map((x: { seq: number }) => x.seq),
      lane.maxSeq,
    );
  }

  async gapNotices(point: string): Promise<GapNotice[]> {
    const r = await this.open().query(
      "SELECT epoch, data FROM events WHERE point = $1 AND type = 'gap' ORDER BY epoch, seq",
      [point],
    );
    return (r.rows as Array<{ epoch: string; data: string | null }>).flatMap((x) =>
      gapNotice(x.epoch, x.data),
    );
  }

  async telemetry(q: RecordQuery): Promise<Array<TelemetryRow & { epoch: string }>> {
    const r = await this.open().query(
      `SELECT epoch, seq, ts, channel, value FROM telemetry ${RECORD_WHERE}
       AND ($7::text[] IS NULL OR channel = ANY($7::text[])) ${recordOrder(q)} LIMIT $6`,
      [...recordParams(q), q.channels === undefined ? null : [...q.channels]],
    );
    return r.rows;
  }

  async events(q: RecordQuery): Promise<Array<EventRow & { epoch: string }>> {
    const r = await this.open().query(
      `SELECT epoch, seq, ts, type, level, message, data FROM events ${RECORD_WHERE}
       AND ($7::text[] IS NULL OR level = ANY($7::text[])) ${recordOrder(q)} LIMIT $6`,
      [...recordParams(q), q.levels === undefined ? null : [...q.levels]],
    );
    return r.rows;
  }

  async onlineHistory(point: string, limit: number): Promise<OnlineHistoryRow[]> {
    const r = await this.open().query(
      `SELECT online, ts, received_at AS "receivedAt", reason FROM online_history
       WHERE point = $1 ORDER BY ts DESC, online LIMIT $2`,
      [point, limit],
    );
    return r.rows;
  }

  async transitions(limit: number): Promise<TransitionRow[]> {
    const r = await this.open().query(
      `SELECT id, point, ts, from_state AS "from", to_state AS "to" FROM transitions
       ORDER BY ts DESC, id DESC LIMIT $1`,
      [limit],
    );
    return r.rows;
  }

  async saveDesired(row: DesiredRow): Promise<void> {
    await this.open().query(
      `INSERT INTO desired (point, id, issued_at, body) VALUES ($1, $2, $3, $4)
       ON CONFLICT (point) DO UPDATE SET id = excluded.id, issued_at = excluded.issued_at, body = excluded.body`,
      [row.point, row.id, row.issuedAt, row.body],
    );
  }

  async desired(point: string): Promise<DesiredRow | undefined> {
    const r = await this.open().query(
      'SELECT point, id, issued_at AS "issuedAt", body FROM desired WHERE point = $1',
      [point],
    );
    return r.rows[0];
  }

  async allDesired(): Promise<DesiredRow[]> {
    const r = await this.open().query(
      'SELECT point, id, issued_at AS "issuedAt", body FROM desired ORDER BY point',
    );
    return r.rows;
  }

  async saveUser(user: StaffUser): Promise<void> {
    await this.open().query(
      `INSERT INTO staff_users (name, role, password_hash, created_at) VALUES ($1, $2, $3, $4)
       ON CONFLICT (name) DO UPDATE SET role = excluded.role, password_hash = excluded.password_hash`,
      [user.name, user.role, user.passwordHash, user.createdAt],
    );
  }

  async user(name: string): Promise<StaffUser | undefined> {
    const r = await this.open().query(
      'SELECT name, role, password_hash AS "passwordHash", created_at AS "createdAt" FROM staff_users WHERE name = $1',
      [name],
    );
    return r.rows[0];
  }

  async appendAudit(entry: AuditEntry): Promise<number> {
    const r = await this.open().query(
      `INSERT INTO audit (ts, actor, action, point, detail, result) VALUES ($1, $2, $3, $4, $5, $6) RETURNING id`,
      [entry.ts, entry.actor, entry.action, entry.point, entry.detail, entry.result],
    );
    return Number(r.rows[0].id);
  }

  async auditLog(limit: number): Promise<Array<AuditEntry & { id: number }>> {
    const r = await this.open().query(
      'SELECT id, ts, actor, action, point, detail, result FROM audit ORDER BY id DESC LIMIT $1',
      [limit],
    );
    return r.rows.map((row) => ({ ...row, id: Number(row.id) }));
  }

  private open(): pg.Pool {
    if (!this.pool) throw new Error('hub storage is not started');
    return this.pool;
  }
}

/** The work of the common message: one non-empty record batch and nothing else. */
function onlyBatch(work: IngestWork): RecordBatch | undefined {
  const [batch, ...more] = work.batches;
  const other = work.statuses.length + work.onlines.length + work.infos.length + work.results.length;
  return batch && more.length === 0 && other === 0 && batch.records.length > 0 ? batch : undefined;
}

async function inTransaction<T>(pool: pg.Pool, fn: (c: pg.PoolClient) => Promise<T>): Promise<T> {
  const client = await pool.connect();
  try {
    await client.query('BEGIN');
    const out = await fn(client);
    await client.query('COMMIT');
    return out;
  } catch (err) {
    await client.query('ROLLBACK').catch(() => undefined);
    throw err;
  } finally {
    client.release();
  }
}

const RECORD_WHERE = 'WHERE point = $1 AND (epoch, seq) > ($2, $3) AND ts >= $4 AND ts <= $5';

function recordParams(q: RecordQuery): Array<string | number | string[] | null> {
  return [
    q.point,
    q.after?.epoch ?? '',
    q.after?.seq ?? Number.MIN_SAFE_INTEGER,
    q.sinceMs ?? MIN_TS,
    q.untilMs ?? MAX_TS,
    q.limit,
  ];
}

const POINT_SELECT = `SELECT id, info, status, status_ts AS "statusTs", status_received_at AS "statusReceivedAt",
  online, online_ts AS "onlineTs", online_received_at AS "onlineReceivedAt", last_seen_at AS "lastSeenAt"
  FROM points`;

function toPointRow(raw: unknown): PointRow {
  return raw as PointRow;
}
