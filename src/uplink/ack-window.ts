/**
 * Pure bookkeeping of one stream's in-flight batches. PUBACKs may be reported out of order (a broker
 * may answer batch 3 before batch 2 fails), so the position only moves over a contiguous acknowledged
 * prefix: a record is never counted as delivered while an earlier one may still be lost.
 */
export class AckWindow {
  private readonly pending: Array<{ lastSeq: number; acked: boolean }> = [];

  /** `position`: highest seq already delivered (the log's sent position). */
  constructor(private delivered: number) {}

  get position(): number {
    return this.delivered;
  }

  /** The last seq published (settled or not): where reading continues. */
  get lastSent(): number {
    return this.pending.at(-1)?.lastSeq ?? this.delivered;
  }

  /** Batches published and not yet settled. */
  get inFlight(): number {
    return this.pending.length;
  }

  /** A batch ending at `lastSeq` was published; batches must be sent in seq order. */
  sent(lastSeq: number): void {
    const prev = this.pending.at(-1)?.lastSeq ?? this.delivered;
    if (!(lastSeq > prev))
      throw new RangeError(`batch ending at ${lastSeq} sent after one ending at ${prev}`);
    this.pending.push({ lastSeq, acked: false });
  }

  /** The batch ending at `lastSeq` was acknowledged; returns true when the position advanced. */
  acked(lastSeq: number): boolean {
    const batch = this.pending.find((p) => p.lastSeq === lastSeq);
    if (!batch) return false;
    batch.acked = true;
    let advanced = false;
    while (this.pending[0]?.acked === true) {
      this.delivered = this.pending[0].lastSeq;
      this.pending.shift();
      advanced = true;
    }
    return advanced;
  }

  /** The batch ending at `lastSeq` failed: forget it and everything after (they are read again). */
  failed(lastSeq: number): void {
    const i = this.pending.findIndex((p) => p.lastSeq === lastSeq);
    if (i >= 0) this.pending.splice(i);
  }
}
