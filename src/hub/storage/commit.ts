/**
 * The one code path of a commit, shared by both backends: each backend only supplies the statements
 * (StorageTx). Locks are taken in one global order — lanes sorted, then points sorted — so two hubs
 * committing overlapping work wait for each other instead of deadlocking.
 */
import type {
  CommandResultUpdate,
  EventRow,
  InfoUpdate,
  IngestOutcome,
  IngestWork,
  LaneRow,
  OnlineUpdate,
  RecordBatch,
  StatusUpdate,
  StreamName,
  TelemetryRow,
} from './types.js';
import { pointsUpdated } from './types.js';

/** The statements of one open transaction. */
export interface StorageTx {
  /** The lane, created if new, locked until the transaction ends. */
  lockLane(point: string, epoch: string, stream: StreamName, now: number): Promise<LaneRow>;
  insertTelemetry(point: string, epoch: string, rows: readonly TelemetryRow[]): Promise<number>;
  insertEvents(point: string, epoch: string, rows: readonly EventRow[]): Promise<number>;
  /** Up to `limit` stored seqs of the lane above `after`, ascending. */
  seqsAfter(lane: LaneRow, after: number, limit: number): Promise<number[]>;
  updateLane(lane: LaneRow): Promise<void>;
  /** The point's row, created if new, locked; its latest status and online as stored. */
  lockPoint(point: string, seenAt: number): Promise<StoredLatest>;
  saveStatus(u: StatusUpdate): Promise<void>;
  addTransition(point: string, ts: number, from: string | null, to: string): Promise<void>;
  saveOnline(u: OnlineUpdate): Promise<void>;
  addOnlineHistory(u: OnlineUpdate): Promise<void>;
  saveInfo(u: InfoUpdate): Promise<void>;
  saveResult(u: CommandResultUpdate): Promise<void>;
}

export interface StoredLatest {
  statusTs: number | null;
  state: string | null;
  onlineTs: number | null;
  online: boolean | null;
  infoTs: number | null;
}

const WALK_PAGE = 1000;

export async function commitWork(tx: StorageTx, work: IngestWork, now: number): Promise<IngestOutcome> {
  const outcome: IngestOutcome = { inserted: 0, duplicates: 0 };
  for (const batch of [...work.batches].sort(byLane)) {
    const inserted = await storeBatch(tx, batch, now);
    outcome.inserted += inserted;
    outcome.duplicates += batch.records.length - inserted;
  }
  // Record batches do not touch the point's row: the hot path locks only its lane.
  for (const point of [...pointsUpdated(work)].sort()) await storePointUpdates(tx, point, work, now);
  return outcome;
}

function byLane(a: RecordBatch, b: RecordBatch): number {
  return cmp(a.point, b.point) || cmp(a.epoch, b.epoch) || cmp(a.stream, b.stream);
}

function cmp(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

async function storeBatch(tx: StorageTx, batch: RecordBatch, now: number): Promise<number> {
  if (batch.records.length === 0) return 0;
  const lane = await tx.lockLane(batch.point, batch.epoch, batch.stream, now);
  const inserted =
    batch.stream === 'telemetry'
      ? await tx.insertTelemetry(batch.point, batch.epoch, batch.records)
      : await tx.insertEvents(batch.point, batch.epoch, batch.records);
  const seqs = batch.records.map((r) => r.seq).sort((a, b) => a - b);
  const next = { ...lane, maxSeq: Math.max(lane.maxSeq, seqs.at(-1) ?? 0) };
  next.contiguous = advance(lane.contiguous, seqs);
  // Records that arrived earlier out of order (another hub's share, a live copy) may continue the run.
  while (next.maxSeq > next.contiguous) {
    const stored = await tx.seqsAfter(next, next.contiguous, WALK_PAGE);
    const reached = advance(next.contiguous, stored);
    if (reached === next.contiguous) break;
    next.contiguous = reached;
    if (stored.length < WALK_PAGE) break;
  }
  if (next.contiguous !== lane.contiguous || next.maxSeq !== lane.maxSeq) await tx.updateLane(next);
  return inserted;
}

/** The end of the run of consecutive seqs starting right after `from` (sorted input). */
export function advance(from: number, sortedSeqs: readonly number[]): number {
  let c = from;
  for (const seq of sortedSeqs) {
    if (seq <= c) continue;
    if (seq !== c + 1) break;
    c = seq;
  }
  return c;
}

async function storePointUpdates(tx: StorageTx, point: string, work: IngestWork, now: number): Promise<void> {
  const latest = await tx.lockPoint(point, now);
  for (const u of work.onlines.filter((o) => o.point === point).sort((a, b) => a.ts - b.ts)) {
    await tx.addOnlineHistory(u);
    if (newerOnline(latest, u)) {
      await tx.saveOnline(u);
      latest.onlineTs = u.ts;
      latest.online = u.online;
    }
  }
  for (const u of work.statuses.filter((s) => s.point === point).sort((a, b) => a.ts - b.ts)) {
    // Never replaced by an older snapshot: a redelivered or backlogged status is history, not state.
    if (latest.statusTs !== null && u.ts <= latest.statusTs) continue;
    if (latest.state !== u.state) await tx.addTransition(point, u.ts, latest.state, u.state);
    await tx.saveStatus(u);
    latest.statusTs = u.ts;
    latest.state = u.state;
  }
  for (const u of work.infos.filter((i) => i.point === point).sort((a, b) => a.ts - b.ts)) {
    if (latest.infoTs !== null && u.ts <= latest.infoTs) continue;
    await tx.saveInfo(u);
    latest.infoTs = u.ts;
  }
  for (const u of work.results.filter((r) => r.point === point)) await tx.saveResult(u);
}

/**
 * Newer by the point's ts. The last will carries the ts of the connect it belongs to, the same as that
 * connect's `online: true`, so on a tie the offline message wins: it can only come after.
 */
export function newerOnline(latest: StoredLatest, u: OnlineUpdate): boolean {
  if (latest.onlineTs === null) return true;
  if (u.ts > latest.onlineTs) return true;
  return u.ts === latest.onlineTs && !u.online && latest.online === true;
}
