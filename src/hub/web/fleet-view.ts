/**
 * The dashboard's view of the fleet, held in memory so no request reads storage: every point's row as
 * the dashboard shows it, a revision that grows when any row changes, and the derived orders and counts.
 * It changes incrementally: the ingest (and the staff's commands) name the points they touched and only
 * those are read again; rows whose status ages past staleAfterSec are re-judged without a read; and a
 * slow look at every point's stamp (a few columns) finds what other processes wrote (another hub of a
 * shared group, `pima-hub command`), whose rows are then read.
 * Changes are gathered for a short tick and leave as one delta, so a busy fleet makes a few revisions a
 * second, not one per message.
 */
import type { Logger } from '../../core/logger.js';
import { type DashboardRow, dashboardRow } from '../fleet/dashboard-row.js';
import { type FleetOrder, type FleetSummary, fleetOrder, fleetSummary } from '../fleet/fleet-query.js';
import { type ActionItem, needsAction } from '../fleet/needs-action.js';
import { type PointView, pointView, turnsStaleAt } from '../fleet/point-view.js';
import type { DesiredRow, HubStorage, PointRow, PointStamp } from '../storage/types.js';

/** How long changes are gathered into one revision. */
const TICK_MS = 250;
/** How often everything is read again, for writes this process did not see. */
const RECONCILE_MS = 10_000;
/** More changed points than this are read with the whole fleet, not one by one. */
const READ_ONE_BY_ONE = 50;
/** A delta with more rows than this tells pages to fetch again instead (a mass outage, a restart). */
const MAX_DELTA_ROWS = 100;

export interface FleetChange {
  rev: number;
  changed: DashboardRow[];
  removed: string[];
  summary: FleetSummary;
  /** Too much changed to send: fetch what is shown again. */
  resync?: true;
}

export interface FleetViewOptions {
  storage: HubStorage;
  staleAfterSec: number;
  now: () => number;
  logger: Logger;
  tickMs?: number | undefined;
  reconcileMs?: number | undefined;
  /** Each new revision's delta as JSON text, made once for every listener. */
  onChange?: ((json: string) => void) | undefined;
}

interface Entry {
  point: PointRow;
  desired: DesiredRow | undefined;
  row: DashboardRow;
  view: PointView;
  json: string;
  /** What the map draws of it (JSON), null without a location. */
  mapJson: string | null;
  /** Hub time after which time alone changes the row; null when it cannot. */
  staleAt: number | null;
  /** What the stored rows were, to skip unchanged ones on a full read. */
  signature: string;
}

interface Derived {
  needs: ActionItem[];
  order: FleetOrder;
  summary: FleetSummary;
}

export class FleetView {
  private readonly entries = new Map<string, Entry>();
  private readonly dirty = new Set<string>();
  private revision = 0;
  private derived: Derived = {
    needs: [],
    order: fleetOrder([], []),
    summary: fleetSummary([], []),
  };
  private nameOrder: string[] = [];
  private timers: Array<ReturnType<typeof setInterval>> = [];
  private fullDue = true;
  private busy: Promise<void> | undefined;

  constructor(private readonly opts: FleetViewOptions) {}

  async start(): Promise<void> {
    if (this.timers.length > 0) return;
    await this.update();
    this.timers = [
      setInterval(() => void this.update(), this.opts.tickMs ?? TICK_MS),
      setInterval(() => {
        this.fullDue = true;
      }, this.opts.reconcileMs ?? RECONCILE_MS),
    ];
  }

  stop(): void {
    for (const t of this.timers) clearInterval(t);
    this.timers = [];
  }

  /** These points changed in storage (a commit, a command): read them again on the next tick. */
  touch(ids: Iterable<string>): void {
    for (const id of ids) this.dirty.add(id);
  }

  get rev(): number {
    return this.revision;
  }

  /** Every row, by name. */
  rows(): readonly DashboardRow[] {
    return this.derived.order.byName;
  }

  row(id: string): DashboardRow | undefined {
    return this.entries.get(id)?.row;
  }

  /** Each row as JSON text, made when the row changed. */
  rowJson(id: string): string | undefined {
    return this.entries.get(id)?.json;
  }

  /** A row's map marker as JSON text (id, name, state, location, places left); null without a location. */
  mapJson(id: string): string | null {
    return this.entries.get(id)?.mapJson ?? null;
  }

  /** The stored rows as last read (what pure views such as the run sheet are made from), by id. */
  pointRows(): PointRow[] {
    return [...this.entries.values()]
      .map((e) => e.point)
      .sort((a, b) => (a.id < b.id ? -1 : a.id > b.id ? 1 : 0));
  }

  /** The CLI's and the feeds' view of every point, by id. */
  views(): PointView[] {
    return [...this.entries.values()]
      .map((e) => e.view)
      .sort((a, b) => (a.id < b.id ? -1 : a.id > b.id ? 1 : 0));
  }

  needs(): readonly ActionItem[] {
    return this.derived.needs;
  }

  order(): FleetOrder {
    return this.derived.order;
  }

  summary(): FleetSummary {
    return this.derived.summary;
  }

  /** Applies what changed since the last call; one at a time (a call during one waits for it). */
  update(): Promise<void> {
    if (this.busy) return this.busy;
    this.busy = this.apply()
      .catch((err: unknown) => this.opts.logger.error('cannot read the fleet', { error: String(err) }))
      .finally(() => {
        this.busy = undefined;
      });
    return this.busy;
  }

  private async apply(): Promise<void> {
    const { storage } = this.opts;
    const changed = new Map<string, DashboardRow>();
    const removed: string[] = [];
    let added = false;
    const put = (point: PointRow, desired: DesiredRow | undefined, now: number) => {
      const before = this.entries.get(point.id);
      const signature = signatureOf(point, desired);
      if (before && before.signature === signature) return;
      const entry = this.entry(point, desired, now, signature);
      this.entries.set(point.id, entry);
      if (!before) added = true;
      if (before?.json !== entry.json) changed.set(point.id, entry.row);
    };
    if (this.fullDue && this.entries.size === 0) {
      // the first look: everything, in two queries
      this.fullDue = false;
      this.dirty.clear();
      const [points, desired] = await Promise.all([storage.points(), storage.allDesired()]);
      const issued = new Map(desired.map((d) => [d.point, d]));
      const now = this.opts.now();
      for (const point of points) put(point, issued.get(point.id), now);
    } else if (this.fullDue) {
      // the slow full look: a few columns of every point find what others wrote; only those are read
      this.fullDue = false;
      const seen = new Set<string>();
      for (const stamp of await storage.pointStamps()) {
        seen.add(stamp.id);
        if (this.entries.get(stamp.id)?.signature !== stampSignature(stamp)) this.dirty.add(stamp.id);
      }
      for (const id of this.entries.keys()) if (!seen.has(id)) removed.push(id);
    }
    if (this.dirty.size > READ_ONE_BY_ONE) {
      // many at once (another hub of the group took half the fleet): two queries beat hundreds
      const ids = new Set(this.dirty);
      this.dirty.clear();
      const [points, desired] = await Promise.all([storage.points(), storage.allDesired()]);
      const issued = new Map(desired.map((d) => [d.point, d]));
      const now = this.opts.now();
      for (const point of points) if (ids.has(point.id)) put(point, issued.get(point.id), now);
    } else if (this.dirty.size > 0) {
      const ids = [...this.dirty];
      this.dirty.clear();
      for (const id of ids) {
        const [point, desired] = await Promise.all([storage.point(id), storage.desired(id)]);
        if (point) put(point, desired, this.opts.now());
        else if (this.entries.has(id)) removed.push(id);
      }
    }
    // statuses that aged past staleAfterSec since the last look turn UNKNOWN, with no read at all
    const now = this.opts.now();
    for (const [id, e] of this.entries) {
      if (e.staleAt === null || now <= e.staleAt) continue;
      const entry = this.entry(e.point, e.desired, now, e.signature);
      this.entries.set(id, entry);
      if (entry.json !== e.json) changed.set(id, entry.row);
    }
    for (const id of removed) {
      this.entries.delete(id);
      changed.delete(id);
    }
    if (changed.size === 0 && removed.length === 0 && this.revision > 0) return;
    this.revision += 1;
    this.derive(added || removed.length > 0 || [...changed.keys()].some((id) => this.nameChanged(id)));
    this.publish([...changed.keys()], removed);
  }

  private entry(point: PointRow, desired: DesiredRow | undefined, now: number, signature: string): Entry {
    const { staleAfterSec } = this.opts;
    const row = dashboardRow(point, now, staleAfterSec, desired);
    const staleAt = turnsStaleAt(point, staleAfterSec);
    return {
      point,
      desired,
      row,
      view: pointView(point, now, staleAfterSec),
      json: JSON.stringify(row),
      mapJson: row.location
        ? JSON.stringify({
            id: row.id,
            name: row.name,
            state: row.state,
            location: row.location,
            placesLeft: row.placesLeft,
          })
        : null,
      // once stale, time changes nothing more until a message comes
      staleAt: staleAt !== null && now <= staleAt ? staleAt : null,
      signature,
    };
  }

  private nameChanged(id: string): boolean {
    const i = this.derived.order.byName.findIndex((r) => r.id === id);
    return i < 0 || this.derived.order.byName[i]?.name !== this.entries.get(id)?.row.name;
  }

  /** Orders and counts; sorting by name again only when a name or the set of points changed. */
  private derive(resort: boolean): void {
    let rows: DashboardRow[];
    if (resort) {
      const order = fleetOrder(
        [...this.entries.values()].map((e) => e.row),
        [],
      );
      this.nameOrder = order.byName.map((r) => r.id);
      rows = [...order.byName];
    } else {
      rows = this.nameOrder.map((id) => this.entries.get(id)?.row).filter((r): r is DashboardRow => !!r);
    }
    const needs = needsAction(rows);
    this.derived = { needs, order: fleetOrder(rows, needs, true), summary: fleetSummary(rows, needs) };
  }

  private publish(changed: string[], removed: string[]): void {
    const { onChange } = this.opts;
    if (!onChange || this.revision === 1) return;
    const summary = JSON.stringify(this.derived.summary);
    if (changed.length > MAX_DELTA_ROWS) {
      onChange(`{"rev":${this.revision},"changed":[],"removed":[],"summary":${summary},"resync":true}`);
      return;
    }
    // the rows' JSON is already made: the delta is joined, not serialised again
    const rows = changed.map((id) => this.entries.get(id)?.json).filter((j): j is string => j !== undefined);
    onChange(
      `{"rev":${this.revision},"changed":[${rows.join(',')}],"removed":${JSON.stringify(removed)},"summary":${summary}}`,
    );
  }
}

/**
 * What moves when a row or its desired state changes (an info, a command result move lastSeenAt); equal
 * signatures mean the same row at the same time.
 */
function signatureOf(p: PointRow, d: DesiredRow | undefined): string {
  return stampSignature({
    id: p.id,
    lastSeenAt: p.lastSeenAt,
    statusTs: p.statusTs,
    statusReceivedAt: p.statusReceivedAt,
    online: p.online,
    onlineTs: p.onlineTs,
    desiredId: d?.id ?? null,
    desiredIssuedAt: d?.issuedAt ?? null,
  });
}

function stampSignature(s: PointStamp): string {
  return [
    s.lastSeenAt,
    s.statusTs,
    s.statusReceivedAt,
    s.online,
    s.onlineTs,
    s.desiredId,
    s.desiredIssuedAt,
  ].join('|');
}
