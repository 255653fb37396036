// Messages between the fleet coordinator (main.ts) and its worker processes (worker.ts), over IPC.
import type { Credential } from './credentials.js';

export interface WorkerSetup {
  url: string;
  /** A directory for this worker's point logs and secrets files (tmpfs in the bench). */
  dir: string;
  points: readonly Credential[];
  drainStartJitterMs: number;
  reconnectMaxMs: number;
  /** First seed; each point gets its own. */
  seed: number;
  /** Record when each point's uplink connects and its backlog starts (from the uplink's log lines). */
  traceUplink?: boolean;
}

/** When a point's uplink connected and let its backlog go (ms since the epoch, sub-ms). */
export interface UplinkTrace {
  connectedAt: number | null;
  /** When the drain start was decided (the hub's hint, or its absence) and how long after the connect. */
  backlogStartAt: number | null;
  backlogDelayMs: number | null;
  /** `hint`, `no hint` or `hint refused`. */
  why: string | null;
}

/** One reading of a logged outage, relative to the outage's start: what each point's backlog is made of. */
export interface BacklogReading {
  channel: string;
  value: number | null;
  /** ms after the outage's start. */
  atMs: number;
}

export type ToWorker =
  | { kind: 'setup'; setup: WorkerSetup }
  | { kind: 'speed'; speed: number }
  /** Stop every service and build it again on the same log with this jitter (a reboot). */
  | { kind: 'restart'; drainStartJitterMs: number }
  /** Log these readings into every point's log, as if logged over the last `spanMs` of its outage. */
  | { kind: 'backlog'; readings: readonly BacklogReading[]; spanMs: number }
  /** Remember every log's last seq per stream: "drained" means acknowledged up to there. */
  | { kind: 'mark' }
  | { kind: 'progress' }
  | { kind: 'stop' };

export interface PointProgress {
  id: string;
  /** Records between the mark and the acknowledged position, both streams. */
  behind: number;
  /** Wall-clock ms when the point first caught up with its mark, or null. */
  drainedAt: number | null;
  /** Records not yet acknowledged when the mark was set (the backlog the drain must clear). */
  backlogAtMark: number;
  /** The last seq per stream at the mark. */
  markSeq: { telemetry: number; events: number } | null;
  uplink?: UplinkTrace;
}

export type FromWorker =
  | { kind: 'ready'; points: number }
  | { kind: 'done'; what: ToWorker['kind'] }
  | { kind: 'progress'; points: PointProgress[]; rssMb: number }
  | { kind: 'error'; message: string };
