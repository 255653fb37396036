/** Full jitter: uniform in [0, min(max, min·2^failures)), so many points never retry in step. Pure. */
export function backoffDelay(failures: number, minMs: number, maxMs: number, random: () => number): number {
  const ceiling = Math.min(maxMs, minMs * 2 ** Math.min(failures, 30));
  return Math.floor(Math.min(Math.max(random(), 0), 1) * ceiling);
}
