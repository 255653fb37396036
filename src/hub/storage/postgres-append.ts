/**
 * PostgreSQL's fast path for the common message: one record batch and nothing else. One statement in
 * autocommit inserts the records (insert-ignore) and moves the lane on when the batch continues it —
 * one round trip, as a bare INSERT would be, instead of five. When the lane still has records above its
 * contiguous seq afterwards (out-of-order arrival), the caller runs the shared commit (commit.ts), whose
 * walk moves it over them; repeating the inserts there is harmless.
 */
import type pg from 'pg';
import type { RecordBatch } from './types.js';

export interface AppendResult {
  inserted: number;
  contiguous: number;
  maxSeq: number;
}

const INSERT = {
  telemetry: `INSERT INTO telemetry (point, epoch, seq, ts, channel, value)
    SELECT $1, $2, * FROM unnest($7::bigint[], $8::bigint[], $9::text[], $10::float8[])
    ON CONFLICT DO NOTHING RETURNING 1`,
  events: `INSERT INTO events (point, epoch, seq, ts, type, level, message, data)
    SELECT $1, $2, * FROM unnest($7::bigint[], $8::bigint[], $9::text[], $10::text[], $11::text[], $12::text[])
    ON CONFLICT DO NOTHING RETURNING 1`,
};

/**
 * $3 lowest seq, $4 highest, $5 whether the batch's seqs are consecutive (then it can move the lane),
 * $6 now (a new lane's first sighting), $7… the records' columns.
 */
function statement(stream: RecordBatch['stream']): string {
  return `WITH ins AS (${INSERT[stream]}),
  lane AS (
    INSERT INTO lanes AS l (point, epoch, stream, contiguous, max_seq, first_seen_at)
    VALUES ($1, $2, '${stream}', CASE WHEN $5::boolean AND $3::bigint = 1 THEN $4::bigint ELSE 0 END, $4::bigint,
      $6::bigint)
    ON CONFLICT (point, epoch, stream) DO UPDATE SET
      max_seq = greatest(l.max_seq, $4::bigint),
      contiguous = CASE WHEN $5::boolean AND $3::bigint <= l.contiguous + 1
        THEN greatest(l.contiguous, $4::bigint) ELSE l.contiguous END
    RETURNING contiguous, max_seq
  )
  SELECT (SELECT count(*) FROM ins)::int AS inserted, contiguous, max_seq AS "maxSeq" FROM lane`;
}

export async function appendBatch(pool: pg.Pool, batch: RecordBatch, now: number): Promise<AppendResult> {
  const seqs = batch.records.map((r) => r.seq);
  const sorted = [...seqs].sort((a, b) => a - b);
  const consecutive = sorted.every((s, i) => i === 0 || s === (sorted[i - 1] as number) + 1);
  const head = [batch.point, batch.epoch, sorted[0] ?? 0, sorted.at(-1) ?? 0, consecutive, now];
  const columns =
    batch.stream === 'telemetry'
      ? [
          seqs,
          batch.records.map((r) => r.ts),
          batch.records.map((r) => r.channel),
          batch.records.map((r) => r.value),
        ]
      : [
          seqs,
          batch.records.map((r) => r.ts),
          batch.records.map((r) => r.type),
          batch.records.map((r) => r.level),
          batch.records.map((r) => r.message),
          batch.records.map((r) => r.data),
        ];
  const r = await pool.query(statement(batch.stream), [...head, ...columns]);
  return r.rows[0] as AppendResult;
}
