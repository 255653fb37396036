/**
 * How the page tells a live controller from a dead one (docs/web.md, "No current information"). The
 * page polls the status and follows the event stream; when neither has answered for ORPHAN_AFTER_MS it
 * stops showing the last state. A status whose own time is older than its heartbeat plus
 * STATUS_GRACE_MS is stale just the same: the service still answers but has stopped deciding.
 */
export const ORPHAN_AFTER_MS = 20_000;
/** The page asks for the status this often; each answer carries the service clock (X-Point-Time). */
export const STATUS_POLL_MS = 5000;
export const STATUS_GRACE_MS = 30_000;

/** The oldest a status may be (by the service clock) before the page calls it stale. */
export function statusMaxAgeMs(heartbeatMs: number): number {
  return heartbeatMs + STATUS_GRACE_MS;
}
