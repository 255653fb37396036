/**
 * Records delivered per second over a sliding window, for the heartbeat's drain rate and ETA.
 * Pure: the caller passes monotonic time in ms.
 */
export class RateMeter {
  private readonly samples: Array<{ at: number; count: number }> = [];

  constructor(private readonly windowMs = 30_000) {}

  add(count: number, now: number): void {
    this.samples.push({ at: now, count });
    this.prune(now);
  }

  /** Records per second over the window; 0 when nothing was delivered in it. */
  perSecond(now: number): number {
    this.prune(now);
    const first = this.samples[0];
    if (!first) return 0;
    const total = this.samples.reduce((sum, s) => sum + s.count, 0);
    // A window that started less than a second ago would overstate a short burst.
    const spanMs = Math.max(1000, now - first.at);
    return total / (spanMs / 1000);
  }

  private prune(now: number): void {
    while (this.samples.length > 0 && (this.samples[0]?.at ?? now) < now - this.windowMs)
      this.samples.shift();
  }
}

/** Seconds until `backlog` records are delivered at `perSecond`; null when nothing drains. */
export function etaSeconds(backlog: number, perSecond: number): number | null {
  if (backlog === 0) return 0;
  if (!(perSecond > 0)) return null;
  return Math.ceil(backlog / perSecond);
}
