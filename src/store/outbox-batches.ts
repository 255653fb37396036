import type Database from 'better-sqlite3';
import { EVENT_LEVELS } from '../core/events.js';
import type { EncodedBatch, ReadingColumns, Stream } from './types.js';

/**
 * Batches of the outbox encoded by SQLite itself (CONTRACT.md §5 record JSON), so a catch-up drain
 * never builds a JS object per row: one statement returns the whole payload as one Buffer. The text
 * is byte-for-byte what `src/uplink/encode.ts` builds from the rows (a property test checks it):
 * where SQLite's own rendering differs from JavaScript's (integers stored as REAL print as `12.0`,
 * exponents as `1.0e-07`, some doubles with 17 digits instead of the shortest; years outside
 * 0000-9999) the value is rendered by a small JS function instead, called only for those rows.
 */

type Db = Database.Database;

/** Below 2^53 an integer-valued double prints in JS as the integer itself. */
const INT_TEXT = `CAST(CAST(value AS INTEGER) AS TEXT)`;
// At most 15 significant digits and no exponent: then SQLite's text is the shortest round-trip one,
// which is what JavaScript prints (any longer text may have 17 digits where JS has 16).
const VALUE = `CASE WHEN value IS NULL THEN 'null'
  WHEN value = CAST(value AS INTEGER) AND abs(value) < 9007199254740992 THEN ${INT_TEXT}
  WHEN abs(value) < 1e15 AND length(CAST(value AS TEXT)) <= 16 AND instr(CAST(value AS TEXT), 'e') = 0
    THEN CAST(value AS TEXT)
  ELSE pima_json_number(value) END`;
/**
 * ISO-8601 with ms, as Date#toISOString, for 1970-9999 (past that JS writes `+010000`). datetime() with
 * 'subsec' yields the same digits as strftime('%Y-%m-%dT%H:%M:%fZ') at about a third of the cost: no
 * format string to interpret per row, which was most of a drain's time per reading.
 */
const TS = `CASE WHEN ts >= 0 AND ts < 253402300800000
  THEN replace(datetime(ts / 1000.0, 'unixepoch', 'subsec'), ' ', 'T') || 'Z' ELSE pima_iso_time(ts) END`;

const READING = `'{"seq":' || seq || ',"ts":"' || ${TS} || '","channel":' || json_quote(channel) ||
  ',"value":' || (${VALUE}) || '}'`;
const EVENT = `'{"seq":' || seq || ',"ts":"' || ${TS} || '","type":' || json_quote(type) ||
  ',"level":' || json_quote(level) || ',"message":' || json_quote(message) ||
  CASE WHEN data IS NULL THEN '' ELSE ',"data":' || data END || '}'`;
const LEVELS = EVENT_LEVELS.map((l) => `'${l}'`).join(', ');
// `data` is JSON.stringify output written by appendEvent, so it is inserted as it is; a row the JS
// path would refuse (unknown level, data not an object) is reported instead of sent.
const EVENT_BAD = `level NOT IN (${LEVELS}) OR (data IS NOT NULL AND json_type(data) IS NOT 'object')`;

interface BatchRow {
  count: number;
  first: number | null;
  last: number | null;
  bad: number | null;
  payload: Buffer | null;
}

function batchSql(table: string, columns: string, record: string, bad: string): string {
  // The inner ORDER BY ... LIMIT feeds group_concat in seq order (a rowid scan of the table).
  return `SELECT count(*) AS count, min(seq) AS first, max(seq) AS last,
      min(CASE WHEN ${bad} THEN seq END) AS bad,
      CAST(:prefix || coalesce(group_concat(${record}, ','), '') || :suffix AS BLOB) AS payload
    FROM (SELECT ${columns} FROM ${table} WHERE seq > :after ORDER BY seq LIMIT :limit)`;
}

interface ColumnsRow {
  count: number;
  first: number | null;
  last: number | null;
  seqs: string;
  times: string;
  channels: string;
  values: string;
}

// One row per batch: each column as one text, aggregated in seq order like the batch JSON above.
// Parsing a list of integers is V8's fastest JSON; a row object per reading cost more than the rest.
const READING_COLUMNS = `SELECT count(*) AS count, min(seq) AS first, max(seq) AS last,
    coalesce(group_concat(seq), '') AS seqs, coalesce(group_concat(ts), '') AS times,
    json_group_array(channel) AS channels, coalesce(group_concat(${VALUE}), '') AS "values"
  FROM (SELECT seq, ts, channel, value FROM readings WHERE seq > ? ORDER BY seq LIMIT ?)`;

export class OutboxBatches {
  private readonly statements: Record<Stream, Database.Statement<unknown[], BatchRow>>;
  private readonly columns: Database.Statement<[number, number], ColumnsRow>;
  private readonly firstTs: Record<Stream, Database.Statement<[number], unknown>>;

  constructor(db: Db) {
    // Deterministic, pure: only for the rows whose SQLite rendering would differ from JavaScript's.
    db.function('pima_json_number', { deterministic: true }, (v: unknown) => {
      const n = Number(v);
      return Number.isFinite(n) ? String(n) : 'null';
    });
    db.function('pima_iso_time', { deterministic: true }, (ts: unknown) =>
      new Date(Number(ts)).toISOString(),
    );
    this.statements = {
      telemetry: db.prepare(batchSql('readings', 'seq, ts, channel, value', READING, '0')),
      events: db.prepare(batchSql('events', 'seq, ts, type, level, message, data', EVENT, EVENT_BAD)),
    };
    this.columns = db.prepare(READING_COLUMNS);
    this.firstTs = {
      telemetry: db.prepare('SELECT ts FROM readings WHERE seq > ? ORDER BY seq LIMIT 1').pluck(),
      events: db.prepare('SELECT ts FROM events WHERE seq > ? ORDER BY seq LIMIT 1').pluck(),
    };
  }

  /**
   * ts of the first record after each stream's position (the oldest logged, by seq: the wall clock
   * may have jumped since), the older of the two; null when nothing waits.
   */
  oldestUnsentTs(positions: Readonly<Record<Stream, number>>): number | null {
    let oldest: number | null = null;
    for (const stream of ['telemetry', 'events'] as const) {
      const ts = this.firstTs[stream].get(positions[stream]);
      if (typeof ts === 'number' && (oldest === null || ts < oldest)) oldest = ts;
    }
    return oldest;
  }

  /** Up to `limit` records after `afterSeq`, as `prefix` + records joined by ',' + `suffix`. */
  batch(stream: Stream, afterSeq: number, limit: number, prefix: string, suffix: string): EncodedBatch {
    if (!Number.isSafeInteger(limit) || limit < 1) throw new RangeError(`invalid batch limit ${limit}`);
    if (!Number.isSafeInteger(afterSeq)) throw new RangeError(`invalid seq ${afterSeq}`);
    const row = this.statements[stream].get({ after: afterSeq, limit, prefix, suffix });
    if (!row || row.payload === null) throw new Error(`no ${stream} batch row from the log`);
    if (row.bad !== null) {
      throw new Error(`event ${row.bad} in the log has an unknown level or data that is not a JSON object`);
    }
    return { count: row.count, firstSeq: row.first ?? 0, lastSeq: row.last ?? 0, payload: row.payload };
  }

  /** Up to `limit` readings after `afterSeq` as columns; values rendered as in `batch`. */
  readingColumns(afterSeq: number, limit: number): ReadingColumns {
    if (!Number.isSafeInteger(limit) || limit < 1) throw new RangeError(`invalid batch limit ${limit}`);
    if (!Number.isSafeInteger(afterSeq)) throw new RangeError(`invalid seq ${afterSeq}`);
    const row = this.columns.get(afterSeq, limit);
    if (!row) throw new Error('no readings column row from the log');
    return {
      count: row.count,
      firstSeq: row.first ?? 0,
      lastSeq: row.last ?? 0,
      seqs: JSON.parse(`[${row.seqs}]`) as number[],
      times: JSON.parse(`[${row.times}]`) as number[],
      channels: JSON.parse(row.channels) as string[],
      values: row.values,
    };
  }
}
