/**
 * A token bucket on an injected time axis (ms): `capacity` tokens, refilled at `capacity` per `periodMs`.
 * Used for the hourly byte budget of a metered link and the command rate limit. Pure: time comes in.
 */
export class TokenBucket {
  private tokens: number;
  private last: number;

  constructor(
    private readonly capacity: number,
    private readonly periodMs: number,
    now: number,
  ) {
    if (!(capacity > 0) || !(periodMs > 0)) throw new RangeError('capacity and period must be positive');
    this.tokens = capacity;
    this.last = now;
  }

  /** Takes `n` tokens if there are that many; false (and nothing taken) otherwise. */
  take(n: number, now: number): boolean {
    this.refill(now);
    if (this.tokens < n) return false;
    this.tokens -= n;
    return true;
  }

  /** Takes `n` tokens even if that goes negative (live traffic is never held, but it is counted). */
  charge(n: number, now: number): void {
    this.refill(now);
    this.tokens -= n;
  }

  available(now: number): number {
    this.refill(now);
    return this.tokens;
  }

  /** Milliseconds until `n` tokens are available (0 if they are now). */
  waitMs(n: number, now: number): number {
    this.refill(now);
    const missing = Math.min(n, this.capacity) - this.tokens;
    return missing <= 0 ? 0 : Math.ceil((missing * this.periodMs) / this.capacity);
  }

  private refill(now: number): void {
    const elapsed = Math.max(0, now - this.last);
    this.last = Math.max(this.last, now);
    this.tokens = Math.min(this.capacity, this.tokens + (elapsed * this.capacity) / this.periodMs);
  }
}
