import type { LogStore } from '../store/types.js';
import type { Uplink } from '../uplink/types.js';

/** How long a backlog figure is reused: counting the outbox is a query, the sign path must stay fast. */
const REFRESH_MS = 1000;

export interface BacklogView {
  configured: boolean;
  connected: boolean;
  backlogRecords: number;
  /** Age of the oldest unsent record; null when nothing waits. */
  oldestUnsentAgeMs: number | null;
}

/**
 * The uplink's backlog for the technician indicator, refreshed at most once a second. The age of the
 * oldest unsent record comes from the log when it can tell (`oldestUnsentTs`); otherwise it is the time
 * since the backlog last started growing without a connection, which is the same thing once the link
 * has been down for longer than a drain takes.
 */
export class BacklogWatch {
  private at = Number.NEGATIVE_INFINITY;
  private view: BacklogView = {
    configured: false,
    connected: false,
    backlogRecords: 0,
    oldestUnsentAgeMs: null,
  };
  private waitingSince: number | null = null;

  constructor(
    private readonly store: LogStore,
    private readonly uplink: Uplink | undefined,
  ) {}

  current(now: number): BacklogView {
    if (now - this.at < REFRESH_MS && now >= this.at) return this.ageAt(now);
    this.at = now;
    const uplink = this.uplink;
    if (!uplink) {
      this.view = { configured: false, connected: false, backlogRecords: 0, oldestUnsentAgeMs: null };
      return this.view;
    }
    let records = 0;
    let oldest: number | null = null;
    try {
      const b = this.store.backlog();
      records = b.telemetry + b.events;
      oldest = this.store.oldestUnsentTs ? this.store.oldestUnsentTs() : null;
    } catch {
      // a failing disk must not stop the sign; the indicator then shows no backlog figure
    }
    const connected = uplink.state().connected;
    if (records === 0) this.waitingSince = null;
    else if (this.waitingSince === null)
      this.waitingSince = connected ? now : (uplink.state().lastConnectedAt ?? now);
    const since = oldest ?? this.waitingSince;
    this.view = {
      configured: true,
      connected,
      backlogRecords: records,
      oldestUnsentAgeMs: records === 0 || since === null ? null : Math.max(0, now - since),
    };
    return this.view;
  }

  private ageAt(now: number): BacklogView {
    const v = this.view;
    if (v.oldestUnsentAgeMs === null) return v;
    return { ...v, oldestUnsentAgeMs: v.oldestUnsentAgeMs + (now - this.at) };
  }
}
