/**
 * What the uplink puts into log contexts: the broker URL without its password, an error as
 * { error, code }. Separate because every uplink module logs, and none should leak a secret or an
 * empty message.
 */

export function redactUrl(url: string): string {
  try {
    const parsed = new URL(url);
    if (parsed.password) parsed.password = '***';
    return parsed.toString();
  } catch {
    return url;
  }
}

export function describeError(err: unknown): { error?: string; code?: string } {
  if (err === undefined) return {};
  if (!(err instanceof Error)) return { error: String(err) };
  const raw: unknown = 'code' in err ? err.code : undefined;
  const code = typeof raw === 'string' || typeof raw === 'number' ? String(raw) : undefined;
  // Node's AggregateError for ECONNREFUSED on a dual-stack host has an empty message.
  return { error: err.message || code || err.name, code };
}
