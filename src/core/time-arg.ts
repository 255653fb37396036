const UNITS_MS: Record<string, number> = { s: 1000, m: 60_000, h: 3_600_000, d: 86_400_000, w: 604_800_000 };

/** CONTRACT.md §1: T is an ISO-8601 time or a duration back from now (`15m`, `2h`, `7d`). */
export function parseTimeArg(text: string, now: number): number {
  const m = /^(\d+(?:\.\d+)?)([smhdw])$/.exec(text.trim());
  if (m) return now - Number(m[1]) * (UNITS_MS[m[2] ?? 's'] ?? 1000);
  if (/^\d{4}-\d{2}-\d{2}/.test(text)) {
    const t = Date.parse(text);
    if (!Number.isNaN(t)) return t;
  }
  throw new RangeError(
    `not a time: ${JSON.stringify(text)} (use ISO-8601 like 2026-12-01T08:00Z or a duration like 15m, 2h, 7d)`,
  );
}
