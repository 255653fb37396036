/**
 * The fleet's drain hint the hub publishes (`{prefix}/_fleet/drain`, src/uplink/drain-hint.ts): how far
 * points connecting now should spread the start of their backlog, from how many came online in the last
 * minute and how much backlog their first statuses said they brought. Pure: arrivals, backlogs and
 * times in, the spread out.
 */
import { spreadForBacklog, spreadForReconnects } from '../../uplink/drain-hint.js';

const WINDOW_MS = 60_000;

export interface ReconnectWindowOptions {
  /** Backlog bytes per second the broker and hubs take comfortably; undefined: count-based only. */
  comfortableBytesPerSec?: number | undefined;
}

export class ReconnectWindow {
  private arrivals: number[] = [];
  /** Per point that came online in the window: when, and the largest backlog (records) it reported since. */
  private backlogs = new Map<string, { at: number; records: number }>();

  constructor(private readonly opts: ReconnectWindowOptions = {}) {}

  /** A point's `online: true` arrived live (not a retained copy replayed on subscribe). */
  add(at: number, point?: string): void {
    this.arrivals.push(at);
    if (point !== undefined) this.backlogs.set(point, { at, records: 0 });
  }

  /**
   * A live status of `point` said `records` wait (telemetry + events). Counts only for a point that came
   * online in the window: its status goes out right after the connect, before its drain.
   */
  backlog(point: string, records: number): void {
    const b = this.backlogs.get(point);
    if (b && Number.isFinite(records)) b.records = Math.max(b.records, Math.max(0, records));
  }

  /** The spread to publish now: the longer of the count-based and the backlog-based one. */
  spreadMs(now: number): number {
    this.arrivals = this.arrivals.filter((t) => now - t < WINDOW_MS);
    let records = 0;
    for (const [point, b] of this.backlogs) {
      if (now - b.at < WINDOW_MS) records += b.records;
      else this.backlogs.delete(point);
    }
    const byCount = spreadForReconnects(this.arrivals.length);
    const rate = this.opts.comfortableBytesPerSec;
    return rate === undefined ? byCount : Math.max(byCount, spreadForBacklog(records, rate));
  }
}
