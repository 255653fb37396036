// Whether the page still hears from the controller: the event stream and a status poll, timed on the
// page's own monotonic clock (the Pi's wall clock may jump when it syncs).
import { connectLive } from './common.js';

/**
 * Follows the controller and remembers when it was last heard. `on.status`, `on.announcement` and
 * `on.connection` as for connectLive. Returns what the page needs to judge whether its data is current.
 */
export function watchController({ pollMs }, on) {
  const loadedAt = performance.now();
  let heardAt;
  /** The service clock at a known moment of the page's clock (from X-Point-Time). */
  let clock;
  const heard = () => {
    heardAt = performance.now();
  };
  const poll = async () => {
    try {
      const res = await fetch('/api/status', { cache: 'no-store', signal: AbortSignal.timeout(pollMs) });
      if (!res.ok) return;
      const status = await res.json();
      const pointTime = Date.parse(res.headers.get('X-Point-Time') ?? '');
      if (Number.isFinite(pointTime)) clock = { page: performance.now(), point: pointTime };
      heard();
      on.status?.(status);
    } catch {
      // silence is what the watch measures; nothing else to do
    }
  };
  connectLive({ ...on, heard });
  setInterval(poll, pollMs);
  poll();
  const pointTimeAt = (pageMs) =>
    clock ? clock.point + (pageMs - clock.page) : Date.now() - (performance.now() - pageMs);
  return {
    /** How long nothing has come from the controller (since the page loaded, if it never has). */
    silentMs: () => performance.now() - (heardAt ?? loadedAt),
    /** The service clock now, as far as the page knows it. */
    pointNow: () => pointTimeAt(performance.now()),
    /** The service clock when the controller was last heard (the page's load, if it never was). */
    lastHeard: () => pointTimeAt(heardAt ?? loadedAt),
  };
}
