/** The statements of one SQLite transaction (StorageTx), prepared once per connection. */
import type Database from 'better-sqlite3';
import type { StorageTx, StoredLatest } from './commit.js';
import { table } from './queries.js';
import type { EventRow, LaneRow, StreamName, TelemetryRow } from './types.js';

type Db = Database.Database;

export const LANE_SELECT =
  'SELECT point, epoch, stream, contiguous, max_seq AS maxSeq, first_seen_at AS firstSeenAt FROM lanes';

export function toLaneRow(raw: unknown): LaneRow {
  return raw as LaneRow;
}

export class SqliteTx implements StorageTx {
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
