/**
 * The dashboard's view of the fleet, refreshed from storage on a timer: every row, a revision that
 * grows when any row changes, and the last change (the rows that changed, the ids gone, the new
 * "needs action" list) for the live stream. A page applies a change whose rev follows its own and
 * fetches everything again otherwise, so 1,000 points cost one small event per change, not the fleet.
 */
import type { Logger } from '../../core/logger.js';
import { type DashboardRow, dashboardRow } from '../fleet/dashboard-row.js';
import { type ActionItem, needsAction } from '../fleet/needs-action.js';
import type { HubStorage } from '../storage/types.js';

export interface FleetChange {
  rev: number;
  changed: DashboardRow[];
  removed: string[];
  needsAction: ActionItem[];
}

export interface FleetSnapshotOptions {
  storage: HubStorage;
  staleAfterSec: number;
  now: () => number;
  pollMs: number;
  logger: Logger;
}

export class FleetSnapshot {
  private rows: DashboardRow[] = [];
  private json = new Map<string, string>();
  private revision = 0;
  private change: FleetChange = { rev: 0, changed: [], removed: [], needsAction: [] };
  private timer: ReturnType<typeof setInterval> | undefined;
  private busy = false;
  /** all() as JSON, made once per revision: 1,000 pages asking cost one serialisation, not 1,000. */
  private allJson: { rev: number; text: string } | undefined;

  constructor(private readonly opts: FleetSnapshotOptions) {}

  async start(): Promise<void> {
    if (this.timer) return;
    await this.refresh();
    this.timer = setInterval(() => void this.refresh(), this.opts.pollMs);
  }

  stop(): void {
    clearInterval(this.timer);
    this.timer = undefined;
  }

  /** Everything, for a page that starts or lost track. */
  all(): { rev: number; rows: DashboardRow[]; needsAction: ActionItem[] } {
    return { rev: this.revision, rows: this.rows, needsAction: this.change.needsAction };
  }

  /** all() as JSON text, serialised once per revision. */
  allText(): string {
    if (this.allJson?.rev !== this.revision) {
      this.allJson = { rev: this.revision, text: JSON.stringify(this.all()) };
    }
    return this.allJson.text;
  }

  /** The last change, for the live stream. */
  lastChange(): FleetChange {
    return this.change;
  }

  /** Reads the fleet again; a change of any row makes a new revision. Never two at once. */
  async refresh(): Promise<void> {
    if (this.busy) return;
    this.busy = true;
    try {
      const now = this.opts.now();
      const issued = new Map((await this.opts.storage.allDesired()).map((d) => [d.point, d]));
      const rows = (await this.opts.storage.points()).map((r) =>
        dashboardRow(r, now, this.opts.staleAfterSec, issued.get(r.id)),
      );
      const next = new Map<string, string>();
      const changed: DashboardRow[] = [];
      for (const row of rows) {
        const text = JSON.stringify(row);
        next.set(row.id, text);
        if (this.json.get(row.id) !== text) changed.push(row);
      }
      const removed = [...this.json.keys()].filter((id) => !next.has(id));
      this.json = next;
      this.rows = rows;
      if (changed.length === 0 && removed.length === 0 && this.revision > 0) return;
      this.revision += 1;
      this.change = { rev: this.revision, changed, removed, needsAction: needsAction(rows) };
    } catch (err) {
      this.opts.logger.error('cannot read the fleet', { error: String(err) });
    } finally {
      this.busy = false;
    }
  }
}
