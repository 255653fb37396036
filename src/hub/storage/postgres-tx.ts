/** The statements of one PostgreSQL transaction (StorageTx); locks are row locks, taken in commit.ts's order. */
import type pg from 'pg';
import type { StorageTx, StoredLatest } from './commit.js';
import { table } from './queries.js';
import type {
  CommandResultUpdate,
  EventRow,
  InfoUpdate,
  LaneRow,
  OnlineUpdate,
  StatusUpdate,
  StreamName,
  TelemetryRow,
} from './types.js';

export const LANE_SELECT =
  'SELECT point, epoch, stream, contiguous, max_seq AS "maxSeq", first_seen_at AS "firstSeenAt" FROM lanes';

export class PgTx implements StorageTx {
  constructor(private readonly c: pg.PoolClient) {}

  async lockLane(point: string, epoch: string, stream: StreamName, now: number): Promise<LaneRow> {
    // One round trip: the no-op update locks the row, new or existing, and returns it.
    const r = await this.c.query(
      `INSERT INTO lanes AS l (point, epoch, stream, contiguous, max_seq, first_seen_at) VALUES ($1, $2, $3, 0, 0, $4)
       ON CONFLICT (point, epoch, stream) DO UPDATE SET contiguous = l.contiguous
       RETURNING point, epoch, stream, contiguous, max_seq AS "maxSeq", first_seen_at AS "firstSeenAt"`,
      [point, epoch, stream, now],
    );
    return r.rows[0] as LaneRow;
  }

  async insertTelemetry(point: string, epoch: string, rows: readonly TelemetryRow[]): Promise<number> {
    const r = await this.c.query(
      `INSERT INTO telemetry (point, epoch, seq, ts, channel, value)
       SELECT $1, $2, * FROM unnest($3::bigint[], $4::bigint[], $5::text[], $6::float8[])
       ON CONFLICT DO NOTHING`,
      [
        point,
        epoch,
        rows.map((x) => x.seq),
        rows.map((x) => x.ts),
        rows.map((x) => x.channel),
        rows.map((x) => x.value),
      ],
    );
    return r.rowCount ?? 0;
  }

  async insertEvents(point: string, epoch: string, rows: readonly EventRow[]): Promise<number> {
    const r = await this.c.query(
      `INSERT INTO events (point, epoch, seq, ts, type, level, message, data)
       SELECT $1, $2, * FROM unnest($3::bigint[], $4::bigint[], $5::text[], $6::text[], $7::text[], $8::text[])
       ON CONFLICT DO NOTHING`,
      [
        point,
        epoch,
        rows.map((x) => x.seq),
        rows.map((x) => x.ts),
        rows.map((x) => x.type),
        rows.map((x) => x.level),
        rows.map((x) => x.message),
        rows.map((x) => x.data),
      ],
    );
    return r.rowCount ?? 0;
  }

  async seqsAfter(lane: LaneRow, after: number, limit: number): Promise<number[]> {
    const r = await this.c.query(
      `SELECT seq FROM ${table(lane.stream)} WHERE point = $1 AND epoch = $2 AND seq > $3 ORDER BY seq LIMIT $4`,
      [lane.point, lane.epoch, after, limit],
    );
    return r.rows.map((x: { seq: number }) => x.seq);
  }

  async updateLane(lane: LaneRow): Promise<void> {
    await this.c.query(
      'UPDATE lanes SET contiguous = $4, max_seq = $5 WHERE point = $1 AND epoch = $2 AND stream = $3',
      [lane.point, lane.epoch, lane.stream, lane.contiguous, lane.maxSeq],
    );
  }

  async lockPoint(point: string, seenAt: number): Promise<StoredLatest> {
    const r = await this.c.query(
      `INSERT INTO points AS p (id, last_seen_at) VALUES ($1, $2)
       ON CONFLICT (id) DO UPDATE SET last_seen_at = greatest(p.last_seen_at, excluded.last_seen_at)
       RETURNING status_ts AS "statusTs", state, online_ts AS "onlineTs", online, info_ts AS "infoTs"`,
      [point, seenAt],
    );
    return r.rows[0] as StoredLatest;
  }

  async saveStatus(u: StatusUpdate): Promise<void> {
    await this.c.query(
      `UPDATE points SET status = $2, status_ts = $3, status_epoch = $4, status_received_at = $5, state = $6
       WHERE id = $1`,
      [u.point, u.body, u.ts, u.epoch, u.receivedAt, u.state],
    );
  }

  async addTransition(point: string, ts: number, from: string | null, to: string): Promise<void> {
    await this.c.query('INSERT INTO transitions (point, ts, from_state, to_state) VALUES ($1, $2, $3, $4)', [
      point,
      ts,
      from,
      to,
    ]);
  }

  async saveOnline(u: OnlineUpdate): Promise<void> {
    await this.c.query(
      'UPDATE points SET online = $2, online_ts = $3, online_received_at = $4 WHERE id = $1',
      [u.point, u.online, u.ts, u.receivedAt],
    );
  }

  async addOnlineHistory(u: OnlineUpdate): Promise<void> {
    await this.c.query(
      `INSERT INTO online_history (point, ts, online, received_at, reason) VALUES ($1, $2, $3, $4, $5)
       ON CONFLICT DO NOTHING`,
      [u.point, u.ts, u.online, u.receivedAt, u.reason],
    );
  }

  async saveInfo(u: InfoUpdate): Promise<void> {
    await this.c.query('UPDATE points SET info = $2, info_ts = $3 WHERE id = $1', [u.point, u.body, u.ts]);
  }

  async saveResult(u: CommandResultUpdate): Promise<void> {
    await this.c.query(
      `INSERT INTO command_results (point, name, id, received_at, body) VALUES ($1, $2, $3, $4, $5)
       ON CONFLICT DO NOTHING`,
      [u.point, u.name, u.id ?? '', u.receivedAt, u.body],
    );
  }
}
