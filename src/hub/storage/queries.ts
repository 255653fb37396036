/** Pure helpers both backends share: the bounds of an open time range, holes in a lane, gap events. */
import type { GapNotice, RecordQuery, SeqRange, StreamName } from './types.js';

export const MIN_TS = -8_640_000_000_000_000;
export const MAX_TS = 8_640_000_000_000_000;

/** Missing ranges above `contiguous` up to `maxSeq`, given the stored seqs above it (ascending). */
export function holesOf(contiguous: number, storedAbove: readonly number[], maxSeq: number): SeqRange[] {
  const out: SeqRange[] = [];
  let prev = contiguous;
  for (const seq of storedAbove) {
    if (seq > prev + 1) out.push({ from: prev + 1, to: seq - 1 });
    prev = Math.max(prev, seq);
  }
  if (maxSeq > prev) out.push({ from: prev + 1, to: maxSeq });
  return out;
}

/** A point's `gap` event (src/store/retention.ts gapEvent) as the range it names; [] if malformed. */
export function gapNotice(epoch: string, data: string | null): GapNotice[] {
  if (data === null) return [];
  let parsed: unknown;
  try {
    parsed = JSON.parse(data);
  } catch {
    return [];
  }
  if (!parsed || typeof parsed !== 'object') return [];
  const d = parsed as Record<string, unknown>;
  const stream = d.stream === 'telemetry' || d.stream === 'events' ? (d.stream as StreamName) : undefined;
  if (!stream || !Number.isInteger(d.fromSeq) || !Number.isInteger(d.toSeq)) return [];
  return [{ epoch, stream, from: d.fromSeq as number, to: d.toSeq as number }];
}

/** The table of a stream's records. */
export function table(stream: StreamName): string {
  return stream === 'telemetry' ? 'telemetry' : 'events';
}

/** The ORDER BY of a record query; a cursor only makes sense in (epoch, seq) order. */
export function recordOrder(q: RecordQuery): string {
  if (!q.newestFirst) return 'ORDER BY epoch, seq';
  if (q.after) throw new Error('a record query cannot page with `after` newest first');
  return 'ORDER BY ts DESC, epoch DESC, seq DESC';
}
