/**
 * Polls `probe` until it gives something other than undefined (or true for a condition), and returns
 * it; throws naming `what` after `timeoutMs`. Tests wait for conditions, never for a fixed time: load
 * changes how long anything takes.
 */
export async function until<T>(
  probe: () => T | undefined | false,
  what: string,
  timeoutMs = 20_000,
  pollMs = 50,
): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const v = probe();
    if (v !== undefined && v !== false) return v;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, pollMs));
  }
}
