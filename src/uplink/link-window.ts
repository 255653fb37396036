/**
 * Pure: how many bytes may await a PUBACK at once on one connection, from the link's measured
 * bandwidth-delay product. Every byte in flight beyond what the link holds waits in a queue (the
 * client's socket, a router's buffer) in front of the next live message; too few leave the link idle.
 * So, like TCP BBR: window = gain × (highest recent delivery rate) × (lowest round-trip time), between
 * a floor (two batches, so batches pipeline) and the configured ceiling. While the window limits the
 * rate, a sample shows rate = window / RTT and the next window is gain × minRTT / RTT × window: it
 * grows each round trip until the link, not the window, is the limit; then it holds about gain × BDP.
 * TCP BBR uses 2; here PUBACKs also wait for a busy broker and a busy event loop, which inflates the
 * RTT without any queue on the link: on a loaded 2-core machine (bench:link) the RTT doubled, and a
 * gain of 2 then froze the window at half the link. Gain 3 still grows there, and a live message waits
 * about two round trips of queue at most, not seconds.
 */

export interface LinkWindowOptions {
  /** Smallest window (bytes), whatever the measurements say. */
  minBytes: number;
  /** Largest window (bytes): `mqtt.inFlightMaxBytes`. */
  maxBytes: number;
  /**
   * Window before the link has been measured for one round trip (bytes; default `minBytes`). Like
   * TCP's initial window: a whole catch-up can be shorter than the few round trips the window needs to
   * grow from the floor, and then it would be spent mostly waiting for PUBACKs.
   */
  initialBytes?: number;
  /** Multiple of the bandwidth-delay product. Default 3. */
  gain?: number;
  /** Delivery-rate samples older than this (ms) are forgotten, so a slower link is noticed. Default 10 000. */
  rateHorizonMs?: number;
}

/** What the window remembers of one message until its PUBACK. */
export interface SentMark {
  at: number;
  deliveredAtSend: number;
  bytes: number;
}

export class LinkWindow {
  private delivered = 0;
  private minRttMs = Number.POSITIVE_INFINITY;
  /** Rate samples of the horizon, each higher than every later one: the front is the maximum. */
  private readonly rates: Array<{ at: number; bytesPerMs: number }> = [];
  private largestBatch = 0;
  /** When the first PUBACK came; startup ends with the PUBACK of a message sent after it. */
  private firstAckAt = Number.POSITIVE_INFINITY;
  private startup = true;
  private readonly gain: number;
  private readonly horizonMs: number;

  constructor(private readonly opts: LinkWindowOptions) {
    this.gain = opts.gain ?? 3;
    this.horizonMs = opts.rateHorizonMs ?? 10_000;
  }

  /** A message of `bytes` went to the client at `now` (monotonic ms). */
  sent(bytes: number, now: number, batch = false): SentMark {
    if (batch) this.largestBatch = Math.max(this.largestBatch, bytes);
    return { at: now, deliveredAtSend: this.delivered, bytes };
  }

  /** Its PUBACK came at `now`. */
  acked(mark: SentMark, now: number): void {
    this.delivered += mark.bytes;
    // A message sent after the first PUBACK was sent with a measured window: its sample is a full
    // round trip of the link, no longer the handful of messages of the connect.
    if (this.firstAckAt === Number.POSITIVE_INFINITY) this.firstAckAt = now;
    else if (mark.at >= this.firstAckAt) this.startup = false;
    const rtt = Math.max(now - mark.at, 0.01);
    this.minRttMs = Math.min(this.minRttMs, rtt);
    // BBR's delivery-rate sample: what was acknowledged while this message was in flight, over its RTT.
    const bytesPerMs = (this.delivered - mark.deliveredAtSend) / rtt;
    while ((this.rates.at(-1)?.bytesPerMs ?? Number.POSITIVE_INFINITY) <= bytesPerMs) this.rates.pop();
    this.rates.push({ at: now, bytesPerMs });
    while (this.rates.length > 1 && (this.rates[0]?.at ?? now) < now - this.horizonMs) this.rates.shift();
  }

  /** Bytes per second of the best recent sample; 0 before the first PUBACK. */
  get rateBytesPerSec(): number {
    return (this.rates[0]?.bytesPerMs ?? 0) * 1000;
  }

  /** Lowest round-trip time seen (ms); Infinity before the first PUBACK. */
  get minRtt(): number {
    return this.minRttMs;
  }

  /** The window now, in bytes. */
  get bytes(): number {
    const { minBytes, maxBytes, initialBytes = minBytes } = this.opts;
    const floor = Math.min(
      maxBytes,
      Math.max(minBytes, this.startup ? initialBytes : 0, 2 * this.largestBatch),
    );
    if (!Number.isFinite(this.minRttMs)) return floor;
    const bdp = (this.rateBytesPerSec / 1000) * this.minRttMs;
    return Math.round(Math.min(this.opts.maxBytes, Math.max(floor, this.gain * bdp)));
  }
}
