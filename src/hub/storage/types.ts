/**
 * What the hub stores and reads back: one interface, two implementations (sqlite.ts, postgres.ts), one
 * contract test suite (test/integration/hub-storage.test.ts). Times are epoch ms; JSON bodies are kept
 * as the text that arrived, so an export gives back exactly what the point logged.
 */

export type StreamName = 'telemetry' | 'events';
export const STREAMS: readonly StreamName[] = ['telemetry', 'events'];

export interface TelemetryRow {
  seq: number;
  ts: number;
  channel: string;
  value: number | null;
}

export interface EventRow {
  seq: number;
  ts: number;
  type: string;
  level: string;
  message: string;
  /** The event's `data` as JSON text; null without one. */
  data: string | null;
}

export type RecordBatch =
  | { point: string; epoch: string; stream: 'telemetry'; records: readonly TelemetryRow[] }
  | { point: string; epoch: string; stream: 'events'; records: readonly EventRow[] };

/** A `status` message: kept as the latest only if newer (by the point's ts) than the one stored. */
export interface StatusUpdate {
  point: string;
  epoch: string | null;
  /** The point's own timestamp of the snapshot. */
  ts: number;
  receivedAt: number;
  /** The point's state (OPEN, FULL, ...), for the transitions feed. */
  state: string;
  body: string;
  /** Records the point said wait to be sent (uplink.backlog, telemetry + events): the drain hint's input. */
  backlogRecords?: number;
}

export interface OnlineUpdate {
  point: string;
  online: boolean;
  ts: number;
  receivedAt: number;
  reason: string | null;
  epoch: string | null;
}

export interface InfoUpdate {
  point: string;
  ts: number;
  receivedAt: number;
  body: string;
}

export interface CommandResultUpdate {
  point: string;
  name: string;
  id: string | null;
  receivedAt: number;
  body: string;
}

/** Everything one transaction commits; the broker gets the acknowledgements once it has. */
export interface IngestWork {
  batches: RecordBatch[];
  statuses: StatusUpdate[];
  onlines: OnlineUpdate[];
  infos: InfoUpdate[];
  results: CommandResultUpdate[];
}

export function emptyWork(): IngestWork {
  return { batches: [], statuses: [], onlines: [], infos: [], results: [] };
}

/** The points whose latest row (status, online, info, command result) the work updates; records touch none. */
export function pointsUpdated(work: IngestWork): Set<string> {
  const points = new Set<string>();
  for (const u of [...work.statuses, ...work.onlines, ...work.infos, ...work.results]) points.add(u.point);
  return points;
}

export interface IngestOutcome {
  /** Records stored now. */
  inserted: number;
  /** Records that were already stored (redeliveries, live copies, a second hub's share). */
  duplicates: number;
}

/** The latest of everything known about one point. */
export interface PointRow {
  id: string;
  info: string | null;
  status: string | null;
  statusTs: number | null;
  statusReceivedAt: number | null;
  online: boolean | null;
  onlineTs: number | null;
  onlineReceivedAt: number | null;
  /** When its last status, online, info or command result arrived (hub clock). */
  lastSeenAt: number | null;
}

/** One (point, epoch, stream): every seq up to `contiguous` is stored; `maxSeq` is the highest seen. */
export interface LaneRow {
  point: string;
  epoch: string;
  stream: StreamName;
  contiguous: number;
  maxSeq: number;
  firstSeenAt: number;
}

export interface SeqRange {
  from: number;
  to: number;
}

/** A `gap` event of the point: it names a range that will never be sent (retention dropped it). */
export interface GapNotice extends SeqRange {
  epoch: string;
  stream: StreamName;
}

export interface OnlineHistoryRow {
  online: boolean;
  ts: number;
  receivedAt: number;
  reason: string | null;
}

/** A change of a point's state between two stored statuses (openings, closings, FULL). */
export interface TransitionRow {
  id: number;
  point: string;
  ts: number;
  from: string | null;
  to: string;
}

export interface RecordQuery {
  point: string;
  sinceMs?: number | undefined;
  untilMs?: number | undefined;
  /** Cursor: rows after (epoch, seq), in (epoch, seq) order. Not with newestFirst. */
  after?: { epoch: string; seq: number } | undefined;
  /** Telemetry: only readings of these channels (an empty list matches none). Ignored for events. */
  channels?: readonly string[] | undefined;
  /** Events: only these levels, e.g. warning, alarm, critical (an empty list matches none). Ignored for telemetry. */
  levels?: readonly string[] | undefined;
  /**
   * The newest `limit` rows by the point's time, newest first (ts, then epoch and seq, descending): the
   * last warnings of a point whatever it logged before. Default: (epoch, seq) order, oldest first.
   */
  newestFirst?: boolean | undefined;
  limit: number;
}

/**
 * What changes when anything of a point's row or its desired state does: the dashboard reads these few
 * columns of every point to find the rows another process changed, and only those rows whole.
 */
export interface PointStamp {
  id: string;
  lastSeenAt: number | null;
  statusTs: number | null;
  statusReceivedAt: number | null;
  online: boolean | null;
  onlineTs: number | null;
  desiredId: string | null;
  desiredIssuedAt: number | null;
}

export interface DesiredRow {
  point: string;
  id: string;
  issuedAt: number;
  body: string;
}

export type StaffRole = 'viewer' | 'operator';

/** A member of the crisis staff who may sign in to the dashboard; the password only as its scrypt hash. */
export interface StaffUser {
  name: string;
  role: StaffRole;
  /** `scrypt$N$r$p$salt$hash` (src/hub/web/password.ts). */
  passwordHash: string;
  createdAt: number;
}

/** One action of the staff (or the hub on their behalf): who, what, when, and what came of it. */
export interface AuditEntry {
  ts: number;
  actor: string;
  action: string;
  /** The point acted on; null for actions on the hub itself (a sign-in). */
  point: string | null;
  /** What exactly, as JSON text (the desired message, the announcement). */
  detail: string;
  result: string;
}

export interface HubStorage {
  /** Opens the database and creates or migrates its tables. */
  start(): Promise<void>;
  /** Safe twice. */
  stop(): Promise<void>;
  /** One transaction: records insert-ignore by (point, epoch, stream, seq), lanes, latest state. */
  commit(work: IngestWork): Promise<IngestOutcome>;
  points(): Promise<PointRow[]>;
  point(id: string): Promise<PointRow | undefined>;
  /** Every point's stamp, by id. */
  pointStamps(): Promise<PointStamp[]>;
  lanes(point?: string): Promise<LaneRow[]>;
  /** Seq ranges missing between `contiguous` and `maxSeq` of one lane. */
  holes(lane: LaneRow): Promise<SeqRange[]>;
  gapNotices(point: string): Promise<GapNotice[]>;
  telemetry(q: RecordQuery): Promise<Array<TelemetryRow & { epoch: string }>>;
  events(q: RecordQuery): Promise<Array<EventRow & { epoch: string }>>;
  onlineHistory(point: string, limit: number): Promise<OnlineHistoryRow[]>;
  /** Newest first. */
  transitions(limit: number): Promise<TransitionRow[]>;
  saveDesired(row: DesiredRow): Promise<void>;
  desired(point: string): Promise<DesiredRow | undefined>;
  /** Every point's desired state (the dashboard shows pending commands for all). */
  allDesired(): Promise<DesiredRow[]>;
  /** Adds the user or replaces its role and password. */
  saveUser(user: StaffUser): Promise<void>;
  user(name: string): Promise<StaffUser | undefined>;
  /** Appends to the audit log; returns the entry's id (growing). */
  appendAudit(entry: AuditEntry): Promise<number>;
  /** Newest first. */
  auditLog(limit: number): Promise<Array<AuditEntry & { id: number }>>;
}
