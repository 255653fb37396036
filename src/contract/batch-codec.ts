/**
 * The wire encodings of a telemetry/events batch (docs/asyncapi.yaml, "Batch encodings"): the one place
 * that encodes and decodes them, shared by the point's uplink, the hub's ingest and the test receiver.
 * Pure: no MQTT, no I/O (zlib's synchronous calls only transform bytes).
 *
 * - `none`: the batch JSON text as it always was.
 * - `deflate`: the same JSON text, raw DEFLATE (RFC 1951), behind a 5-byte envelope.
 * - `columnar`: the batch with its records turned into columns (seq and numeric ts as deltas, repeated
 *   strings as a dictionary), as JSON, then raw DEFLATE, behind the envelope.
 *
 * Every message says what it is by its first byte: JSON text starts with `{` (or whitespace), the
 * envelope with 0x00, which no JSON text can. So a receiver can always tell, on MQTT 3.1.1 too; MQTT 5
 * messages carry the same information as their content type (`contentTypeOf`).
 */
import { deflateRawSync, inflateRawSync } from 'node:zlib';

export const BATCH_CODECS = ['none', 'deflate', 'columnar'] as const;
export type BatchCodec = (typeof BATCH_CODECS)[number];

/** A batch as every encoding decodes it: the JSON object of CONTRACT.md §5. */
export interface DecodedBatch {
  point: string;
  epoch: string;
  live?: boolean;
  records: Array<Record<string, unknown>>;
}

/** A payload that is not a batch in any known encoding; the message says what is wrong. */
export class BatchDecodeError extends Error {
  override readonly name = 'BatchDecodeError';
}

/** Envelope: 0x00, "PB", format version, codec id; the compressed body follows. */
const MAGIC = [0x00, 0x50, 0x42] as const;
const VERSION = 1;
const HEADER_BYTES = 5;
const CODEC_ID: Record<Exclude<BatchCodec, 'none'>, number> = { deflate: 1, columnar: 2 };
const CONTENT_TYPE: Record<BatchCodec, string> = {
  none: 'application/json',
  deflate: 'application/vnd.pima.batch+json; codec=deflate',
  columnar: 'application/vnd.pima.batch+json; codec=columnar',
};
/** A decoded batch larger than this is refused (a tiny deflate body can expand a thousandfold). */
export const MAX_DECODED_BYTES = 16 * 1024 * 1024;

/** The MQTT 5 content type of a message in `codec`. */
export function contentTypeOf(codec: BatchCodec): string {
  return CONTENT_TYPE[codec];
}

/** The codec a content type names, or undefined for one this format does not use. */
export function codecOfContentType(contentType: string): BatchCodec | undefined {
  return BATCH_CODECS.find((c) => CONTENT_TYPE[c] === contentType);
}

/**
 * The wire payload of a batch given as its JSON text (a string or the UTF-8 bytes the store built).
 * `none` returns the input as it is; the others return the envelope. Throws RangeError for a
 * `columnar` batch whose text is not a batch (the JSON encodings never parse their input).
 */
export function encodeBatch(json: string | Uint8Array, codec: BatchCodec): string | Buffer {
  if (codec === 'none') return typeof json === 'string' ? json : Buffer.from(json);
  return envelope(codec, codec === 'columnar' ? columnarText(json) : json);
}

/** The compressed body behind the envelope's 5 bytes. */
function envelope(codec: Exclude<BatchCodec, 'none'>, text: string | Uint8Array): Buffer {
  // Level 6: level 9 cost 6× the CPU on a batch of readings for 5 % fewer bytes.
  const body = deflateRawSync(text, { level: 6, memLevel: 9 });
  const out = Buffer.allocUnsafe(HEADER_BYTES + body.length);
  out.set(MAGIC, 0);
  out[3] = VERSION;
  out[4] = CODEC_ID[codec];
  out.set(body, HEADER_BYTES);
  return out;
}

/** The codec a payload is in, from its first bytes (without decoding it). */
export function codecOf(payload: Uint8Array | string): BatchCodec {
  if (typeof payload === 'string') return 'none';
  if (payload.length === 0) throw new BatchDecodeError('empty payload: not a batch');
  if (payload[0] !== MAGIC[0]) return 'none';
  if (payload.length < HEADER_BYTES || payload[1] !== MAGIC[1] || payload[2] !== MAGIC[2]) {
    throw new BatchDecodeError('payload starts with 0x00 but is not a batch envelope (0x00 "PB")');
  }
  if (payload[3] !== VERSION) {
    throw new BatchDecodeError(`batch envelope version ${payload[3]} is not supported (only ${VERSION})`);
  }
  const id = payload[4];
  const codec = (Object.keys(CODEC_ID) as Array<keyof typeof CODEC_ID>).find((c) => CODEC_ID[c] === id);
  if (!codec) throw new BatchDecodeError(`unknown batch codec id ${id} in the envelope`);
  return codec;
}

/**
 * Any batch payload back to its object. With `contentType` (MQTT 5) the payload must agree with it.
 * Throws BatchDecodeError naming what is wrong: not JSON, a corrupt or oversized deflate body, columns
 * that do not line up, a batch without point/epoch/records.
 */
export function decodeBatch(
  payload: Uint8Array | string,
  contentType?: string,
  maxBytes = MAX_DECODED_BYTES,
): DecodedBatch {
  const codec = codecOf(payload);
  if (contentType !== undefined && contentType !== CONTENT_TYPE[codec]) {
    throw new BatchDecodeError(
      `content type ${JSON.stringify(contentType)} does not match the payload, which is ${codec} (${CONTENT_TYPE[codec]})`,
    );
  }
  if (codec === 'none') {
    if (typeof payload !== 'string' && payload.length > maxBytes) {
      throw new BatchDecodeError(`batch of ${payload.length} bytes exceeds ${maxBytes}`);
    }
    return checkBatch(parseJson(typeof payload === 'string' ? payload : Buffer.from(payload).toString()));
  }
  const text = inflate(payload as Uint8Array, maxBytes);
  const parsed = parseJson(text);
  return checkBatch(codec === 'columnar' ? fromColumns(parsed) : parsed);
}

function inflate(payload: Uint8Array, maxBytes: number): string {
  try {
    return inflateRawSync(payload.subarray(HEADER_BYTES), { maxOutputLength: maxBytes }).toString();
  } catch (err) {
    const code = (err as { code?: string }).code;
    if (code === 'ERR_BUFFER_TOO_LARGE') {
      throw new BatchDecodeError(`decompressed batch exceeds ${maxBytes} bytes`);
    }
    throw new BatchDecodeError(`corrupt deflate body: ${(err as Error).message}`);
  }
}

function parseJson(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch (err) {
    throw new BatchDecodeError(`batch is not JSON: ${(err as Error).message}`);
  }
}

function isObject(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

function checkBatch(v: unknown): DecodedBatch {
  if (!isObject(v)) throw new BatchDecodeError('batch is not a JSON object');
  if (typeof v.point !== 'string') throw new BatchDecodeError('batch has no string "point"');
  if (typeof v.epoch !== 'string') throw new BatchDecodeError('batch has no string "epoch"');
  if (v.live !== undefined && typeof v.live !== 'boolean') {
    throw new BatchDecodeError('batch "live" is not a boolean');
  }
  const records = v.records;
  if (!Array.isArray(records)) throw new BatchDecodeError('batch has no "records" array');
  records.forEach((r, i) => {
    if (!isObject(r)) throw new BatchDecodeError(`record ${i} is not a JSON object`);
  });
  return v as unknown as DecodedBatch;
}

// ---- columnar ----------------------------------------------------------------------------------
//
// {"point", "epoch", "live"?, "n": records, "keys": ["seq", ...], "cols": [column, ...]} where every
// record has exactly `keys`, in that order, and each column is one of
//   {"d": [first, delta, ...]}   safe integers, delta-coded (seq, and ms timestamps)
//   {"t": [first, delta, ...]}   ISO-8601 UTC ms strings as epoch-ms deltas (`ts`)
//   {"k": [distinct...], "i": [index...]}   repeated values as a dictionary (channel, type, level)
//   {"v": [value...]}            anything else, as is
// Batches whose records differ in keys (an event with `data` next to one without) keep their rows:
// {"point", "epoch", "live"?, "rows": [record...]} — still deflated.

type Column = { d: number[] } | { t: number[] } | { k: unknown[]; i: number[] } | { v: unknown[] };

/** Seconds 00–59 only: a leap second (60) would not come back from toISOString. */
const ISO_MS = /^\d{4}-\d\d-\d\dT\d\d:\d\d:[0-5]\d\.\d{3}Z$/;

/** One column of a batch given as columns (`encodeColumnar`): every record's value of one key. */
export type ColumnValues =
  /** Safe integers (seq): sent as deltas. */
  | { ints: readonly number[] }
  /** Epoch ms (ts): sent as deltas, decoded to ISO-8601 UTC with ms, as `Date#toISOString` writes it. */
  | { times: readonly number[] }
  /** Strings that repeat (channel, type, level): a dictionary when that is smaller. */
  | { strings: readonly string[] }
  /** JSON numbers or `null`, as their texts joined by ',' (value): copied into the column as they are. */
  | { numbers: string };

/** A batch whose records all have `keys`, given as one column per key (each `count` long). */
export interface BatchColumns {
  point: string;
  epoch: string;
  live?: boolean;
  count: number;
  keys: readonly string[];
  columns: readonly ColumnValues[];
}

/**
 * The `columnar` payload of a batch given as columns, which is how the log holds records: no object
 * or JSON text per record, no timestamp text to parse. Decodes to the batch whose records are
 * `{key: value}` in `keys` order with times as ISO text. Throws RangeError for columns that do not
 * have `count` values and for a time `Date` cannot represent (as `toISOString` would).
 */
export function encodeColumnar(batch: BatchColumns): Buffer {
  const { count, keys, columns } = batch;
  if (!Number.isSafeInteger(count) || count < 0) throw new RangeError(`invalid record count ${count}`);
  if (keys.length !== columns.length) {
    throw new RangeError(`${keys.length} keys but ${columns.length} columns`);
  }
  if (count > 0 && keys.length === 0) throw new RangeError('records but no keys');
  const cols = columns.map((c, i) => columnText(c, count, keys[i] as string));
  const live = batch.live === undefined ? '' : `,"live":${batch.live}`;
  const head = `{"point":${JSON.stringify(batch.point)},"epoch":${JSON.stringify(batch.epoch)}${live}`;
  return envelope(
    'columnar',
    `${head},"n":${count},"keys":${JSON.stringify(keys)},"cols":[${cols.join(',')}]}`,
  );
}

function columnText(c: ColumnValues, n: number, key: string): string {
  const length =
    'numbers' in c
      ? listLength(c.numbers)
      : ('ints' in c ? c.ints : 'times' in c ? c.times : c.strings).length;
  if (length !== n) throw new RangeError(`column "${key}" has ${length} values, not ${n}`);
  if ('ints' in c) {
    const d = deltas(c.ints);
    return d ? `{"d":[${d.join(',')}]}` : `{"v":${JSON.stringify(c.ints)}}`;
  }
  if ('times' in c) {
    for (const ms of c.times) {
      if (!Number.isSafeInteger(ms) || Math.abs(ms) > MAX_DATE_MS) {
        throw new RangeError(`column "${key}" has a time ${ms} that is not a valid epoch ms`);
      }
    }
    const d = deltas(c.times);
    // Times far apart (a difference beyond 2^53) go as their text.
    return d
      ? `{"t":[${d.join(',')}]}`
      : `{"v":${JSON.stringify(c.times.map((ms) => new Date(ms).toISOString()))}}`;
  }
  if ('strings' in c) return JSON.stringify(dictionary(c.strings));
  return `{"v":[${c.numbers}]}`;
}

/** The largest |epoch ms| a Date holds. */
const MAX_DATE_MS = 8.64e15;

/** Values in a ','-joined list of JSON numbers (no value contains a comma). */
function listLength(text: string): number {
  if (text.length === 0) return 0;
  let n = 1;
  for (let at = text.indexOf(','); at >= 0; at = text.indexOf(',', at + 1)) n += 1;
  return n;
}

function columnarText(json: string | Uint8Array): string {
  const text = typeof json === 'string' ? json : Buffer.from(json).toString();
  let batch: DecodedBatch;
  try {
    batch = checkBatch(JSON.parse(text));
  } catch (err) {
    throw new RangeError(`columnar encoding needs a batch: ${(err as Error).message}`);
  }
  const head: Record<string, unknown> = { point: batch.point, epoch: batch.epoch };
  if (batch.live !== undefined) head.live = batch.live;
  const first = batch.records[0];
  const keys = first ? Object.keys(first) : [];
  const sameShape = batch.records.every((r) => {
    const k = Object.keys(r);
    return k.length === keys.length && k.every((key, i) => key === keys[i]);
  });
  // Records without keys ({}) have no columns to carry their count: rows too.
  if (!sameShape || (keys.length === 0 && batch.records.length > 0)) {
    return JSON.stringify({ ...head, rows: batch.records });
  }
  const cols = keys.map((key) => toColumn(batch.records.map((r) => r[key])));
  return JSON.stringify({ ...head, n: batch.records.length, keys, cols });
}

function toColumn(values: unknown[]): Column {
  const ints = values.every((v) => Number.isSafeInteger(v) && !Object.is(v, -0));
  if (ints) {
    const d = deltas(values as number[]);
    if (d) return { d };
  }
  const ms = isoMillis(values);
  if (ms) {
    const t = deltas(ms);
    if (t) return { t };
  }
  return dictionary(values);
}

/** `{k, i}` when at most half the values are distinct, else `{v}`. */
function dictionary(values: readonly unknown[]): Column {
  const distinct = new Map<string, number>();
  const k: unknown[] = [];
  const i: number[] = new Array(values.length);
  for (let n = 0; n < values.length; n++) {
    const v = values[n];
    // Strings (channels, types, levels) are most columns: no JSON text needed to tell them apart.
    const id = typeof v === 'string' ? `s${v}` : `j${JSON.stringify(v)}`;
    let at = distinct.get(id);
    if (at === undefined) {
      at = k.length;
      distinct.set(id, at);
      k.push(v);
    }
    i[n] = at;
  }
  return k.length * 2 <= values.length ? { k, i } : { v: values as unknown[] };
}

/**
 * Epoch ms of every value if all are ISO-8601 UTC ms timestamps that `toISOString` gives back exactly,
 * else undefined. The minute is parsed and checked once per run of equal minutes (readings come in
 * runs), the rest from the digits: a Date per value was most of the encoder's CPU.
 */
function isoMillis(values: unknown[]): number[] | undefined {
  const out: number[] = [];
  let minuteText = '';
  let minuteMs = 0;
  for (const v of values) {
    if (typeof v !== 'string' || !ISO_MS.test(v)) return undefined;
    const minute = v.slice(0, 17);
    if (minute !== minuteText) {
      const ms = Date.parse(`${minute}00.000Z`);
      if (!Number.isFinite(ms) || new Date(ms).toISOString().slice(0, 17) !== minute) return undefined;
      minuteText = minute;
      minuteMs = ms;
    }
    out.push(minuteMs + Number(v.slice(17, 19)) * 1000 + Number(v.slice(20, 23)));
  }
  return out;
}

/** First value then differences, or undefined if a difference is not a safe integer. */
function deltas(values: readonly number[]): number[] | undefined {
  const out: number[] = new Array(values.length);
  let prev = 0;
  for (let n = 0; n < values.length; n++) {
    const v = values[n] as number;
    const d = n === 0 ? v : v - prev;
    if (!Number.isSafeInteger(d) || Object.is(d, -0)) return undefined;
    out[n] = d;
    prev = v;
  }
  return out;
}

function fromColumns(v: unknown): unknown {
  if (!isObject(v)) throw new BatchDecodeError('columnar batch is not a JSON object');
  const head: Record<string, unknown> = { point: v.point, epoch: v.epoch };
  if (v.live !== undefined) head.live = v.live;
  if (v.rows !== undefined) return { ...head, records: v.rows };
  const { n, keys, cols } = v;
  if (!Number.isSafeInteger(n) || (n as number) < 0) {
    throw new BatchDecodeError('columnar batch has no record count "n"');
  }
  const count = n as number;
  if (!Array.isArray(keys) || !keys.every((k) => typeof k === 'string')) {
    throw new BatchDecodeError('columnar batch has no string array "keys"');
  }
  if (!Array.isArray(cols) || cols.length !== keys.length) {
    throw new BatchDecodeError(`columnar batch has ${keys.length} keys but not as many "cols"`);
  }
  if (count > 0 && keys.length === 0) throw new BatchDecodeError('columnar batch has records but no keys');
  const columns = cols.map((c, i) => fromColumn(c, count, keys[i] as string));
  const records: Array<Record<string, unknown>> = [];
  for (let r = 0; r < count; r++) {
    const record: Record<string, unknown> = {};
    keys.forEach((k: string, c) => {
      record[k] = columns[c]?.[r];
    });
    records.push(record);
  }
  return { ...head, records };
}

function fromColumn(c: unknown, n: number, key: string): unknown[] {
  const bad = (why: string): never => {
    throw new BatchDecodeError(`columnar batch: column "${key}" ${why}`);
  };
  if (!isObject(c)) return bad('is not an object');
  const lengthOk = (a: unknown): a is unknown[] => Array.isArray(a) && a.length === n;
  if ('d' in c || 't' in c) {
    const d = c.d ?? c.t;
    if (!lengthOk(d)) return bad(`does not have ${n} deltas`);
    let acc = 0;
    const out = d.map((x) => {
      if (!Number.isSafeInteger(x)) bad('has a delta that is not a safe integer');
      acc += x as number;
      if (!Number.isSafeInteger(acc)) bad('sums past the safe integer range');
      return acc;
    });
    if ('d' in c) return out;
    return out.map((ms) => {
      const date = new Date(ms);
      if (Number.isNaN(date.getTime())) bad('has a timestamp out of range');
      return date.toISOString();
    });
  }
  if ('k' in c) {
    const { k, i } = c;
    if (!Array.isArray(k)) return bad('has no dictionary array');
    if (!lengthOk(i)) return bad(`does not have ${n} dictionary indexes`);
    return i.map((x) => {
      if (!Number.isSafeInteger(x) || (x as number) < 0 || (x as number) >= k.length) {
        bad(`has dictionary index ${JSON.stringify(x)} outside 0..${k.length - 1}`);
      }
      return k[x as number];
    });
  }
  if ('v' in c) {
    if (!lengthOk(c.v)) return bad(`does not have ${n} values`);
    return c.v;
  }
  return bad('has none of d, t, k, v');
}
