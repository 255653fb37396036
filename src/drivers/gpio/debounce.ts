export type Level = 0 | 1;

/**
 * A debounced binary input, pure: raw edges and time go in, the stable level comes out. A new level
 * becomes stable once it has held for `debounceMs` without changing back; chatter shorter than that
 * is ignored. The owner calls `settle(now)` at `deadline()` (or later) to let a pending level through.
 */
export class Debouncer {
  private stableLevel: Level;
  private raw: Level;
  private rawSince: number;

  constructor(
    initial: Level,
    private readonly debounceMs: number,
    now: number,
  ) {
    this.stableLevel = initial;
    this.raw = initial;
    this.rawSince = now;
  }

  get stable(): Level {
    return this.stableLevel;
  }

  /** A raw level seen at `t`. Returns the new stable level if this settles a change, else undefined. */
  feed(level: Level, t: number): Level | undefined {
    const settled = this.settle(t);
    if (level !== this.raw) {
      this.raw = level;
      this.rawSince = t;
    }
    return settled ?? this.settle(t);
  }

  /** Lets a pending level through once it has held long enough. */
  settle(t: number): Level | undefined {
    if (this.raw === this.stableLevel || t - this.rawSince < this.debounceMs) return undefined;
    this.stableLevel = this.raw;
    return this.stableLevel;
  }

  /** When a pending change would settle, or undefined when nothing is pending. */
  deadline(): number | undefined {
    return this.raw === this.stableLevel ? undefined : this.rawSince + this.debounceMs;
  }
}
