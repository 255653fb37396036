// Pure helpers of the fleet bench: counters sampled over time, per-second bins, peaks and averages.

/** A broker counter ($SYS/...) sampled over time; a broker restart resets it, which is folded away. */
export class CounterSeries {
  private readonly samples: { t: number; total: number }[] = [];
  private offset = 0;
  private prev: number | undefined;

  add(t: number, value: number): void {
    if (this.prev !== undefined && value < this.prev) this.offset += this.prev;
    this.prev = value;
    this.samples.push({ t, total: value + this.offset });
  }

  /** Mean rate per second between the first and last sample inside [from, to]. */
  mean(from: number, to: number): number | undefined {
    const inside = this.samples.filter((s) => s.t >= from && s.t <= to);
    const a = inside[0];
    const b = inside.at(-1);
    if (!a || !b || b.t <= a.t) return undefined;
    return ((b.total - a.total) * 1000) / (b.t - a.t);
  }

  /** The highest rate between two consecutive samples inside [from, to]. */
  peak(from: number, to: number): number | undefined {
    const inside = this.samples.filter((s) => s.t >= from && s.t <= to);
    let best: number | undefined;
    for (let i = 1; i < inside.length; i++) {
      const a = inside[i - 1];
      const b = inside[i];
      if (!a || !b || b.t <= a.t) continue;
      const rate = ((b.total - a.total) * 1000) / (b.t - a.t);
      best = best === undefined ? rate : Math.max(best, rate);
    }
    return best;
  }

  /** Samples taken so far. */
  get length(): number {
    return this.samples.length;
  }
}

/** Counts per wall-clock second (messages and bytes seen by a subscriber). */
export class SecondBins {
  private readonly bins = new Map<number, { count: number; bytes: number }>();

  add(t: number, bytes: number): void {
    const s = Math.floor(t / 1000);
    const bin = this.bins.get(s) ?? { count: 0, bytes: 0 };
    bin.count += 1;
    bin.bytes += bytes;
    this.bins.set(s, bin);
  }

  /** Totals and the busiest whole second within [from, to). */
  window(from: number, to: number): { count: number; bytes: number; peakCount: number; peakBytes: number } {
    let count = 0;
    let bytes = 0;
    let peakCount = 0;
    let peakBytes = 0;
    for (let s = Math.floor(from / 1000); s * 1000 < to; s++) {
      const bin = this.bins.get(s);
      if (!bin) continue;
      count += bin.count;
      bytes += bin.bytes;
      peakCount = Math.max(peakCount, bin.count);
      peakBytes = Math.max(peakBytes, bin.bytes);
    }
    return { count, bytes, peakCount, peakBytes };
  }

  /** Per-second counts from `from` for `seconds` seconds (a sparkline of the reconnect). */
  series(from: number, seconds: number): number[] {
    const first = Math.floor(from / 1000);
    return Array.from({ length: seconds }, (_, i) => this.bins.get(first + i)?.count ?? 0);
  }
}

export function percentile(values: readonly number[], p: number): number | undefined {
  if (values.length === 0) return undefined;
  const sorted = [...values].sort((a, b) => a - b);
  const i = Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1));
  return sorted[i];
}
