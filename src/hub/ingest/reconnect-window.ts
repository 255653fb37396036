/**
 * The fleet's drain hint the hub publishes (`{prefix}/_fleet/drain`, src/uplink/drain-hint.ts): how far
 * points connecting now should spread the start of their backlog, from how many came online in the last
 * minute. Pure: arrival times in, the spread out.
 */
import { spreadForReconnects } from '../../uplink/drain-hint.js';

const WINDOW_MS = 60_000;

export class ReconnectWindow {
  private arrivals: number[] = [];

  /** A point's `online: true` arrived live (not a retained copy replayed on subscribe). */
  add(at: number): void {
    this.arrivals.push(at);
  }

  /** The spread to publish now. */
  spreadMs(now: number): number {
    this.arrivals = this.arrivals.filter((t) => now - t < WINDOW_MS);
    return spreadForReconnects(this.arrivals.length);
  }
}
