import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { AckWindow } from '../../../src/uplink/ack-window.js';
import { LinkWindow } from '../../../src/uplink/link-window.js';
import { etaSeconds, RateMeter } from '../../../src/uplink/rate-meter.js';
import { type BacklogSource, Sender } from '../../../src/uplink/sender.js';
import { TokenBucket } from '../../../src/uplink/token-bucket.js';

describe('AckWindow', () => {
  it('advances only over a contiguous acknowledged prefix', () => {
    const w = new AckWindow(10);
    w.sent(20);
    w.sent(30);
    w.sent(40);
    expect(w.acked(30)).toBe(false);
    expect(w.position).toBe(10);
    expect(w.acked(20)).toBe(true);
    expect(w.position).toBe(30);
    expect(w.inFlight).toBe(1);
    expect(w.acked(40)).toBe(true);
    expect(w.position).toBe(40);
    expect(() => w.sent(40)).toThrow(RangeError);
  });

  it('forgets a failed batch and everything after it, so they are read again', () => {
    const w = new AckWindow(0);
    w.sent(5);
    w.sent(9);
    w.sent(12);
    w.failed(9);
    expect(w.lastSent).toBe(5);
    expect(w.acked(12)).toBe(false);
    expect(w.acked(5)).toBe(true);
    expect(w.position).toBe(5);
  });

  it('never reports a position beyond an unacknowledged batch, for any ack order', () => {
    fc.assert(
      fc.property(fc.integer({ min: 1, max: 12 }), fc.func(fc.integer()), (n, key) => {
        const w = new AckWindow(0);
        const ends = Array.from({ length: n }, (_, i) => (i + 1) * 10);
        for (const e of ends) w.sent(e);
        const order = [...ends].sort((a, b) => key(a) - key(b));
        const acked = new Set<number>();
        for (const e of order) {
          w.acked(e);
          acked.add(e);
          const firstMissing = ends.find((x) => !acked.has(x));
          expect(w.position).toBe(firstMissing === undefined ? n * 10 : firstMissing - 10);
        }
      }),
    );
  });
});

describe('TokenBucket and RateMeter', () => {
  it('spends and refills a byte budget over the hour', () => {
    const b = new TokenBucket(1000, 3_600_000, 0);
    expect(b.take(600, 0)).toBe(true);
    expect(b.take(600, 0)).toBe(false);
    expect(b.available(0)).toBe(400);
    b.charge(500, 0);
    expect(b.available(0)).toBe(-100);
    expect(b.waitMs(100, 0)).toBe(720_000);
    expect(b.available(1_800_000)).toBe(400);
    expect(b.available(99_000_000)).toBe(1000);
  });

  it('measures records per second over its window, and the ETA from it', () => {
    const m = new RateMeter(10_000);
    expect(m.perSecond(0)).toBe(0);
    m.add(100, 0);
    m.add(100, 1000);
    m.add(100, 2000);
    expect(m.perSecond(2000)).toBe(150);
    expect(m.perSecond(30_000)).toBe(0);
    expect(etaSeconds(300, 150)).toBe(2);
    expect(etaSeconds(0, 0)).toBe(0);
    expect(etaSeconds(10, 0)).toBeNull();
  });
});

const turn = () => new Promise((r) => setImmediate(r));

/** A sender with a 100-byte window whose publishes wait in `pending` for their PUBACK. */
function senderOf(pending: Array<(err?: Error) => void>, backlog: BacklogSource): Sender {
  return new Sender({
    publish: (_m, settled) => pending.push(settled),
    limit: 16,
    window: new LinkWindow({ minBytes: 100, maxBytes: 100 }),
    monotonic: () => 0,
    backlogAllowance: () => Number.POSITIVE_INFINITY,
    backlog,
  });
}

describe('Sender: the backlog in the byte window', () => {
  it('waits for PUBACKs rather than cut a batch to fit a sliver, and never stalls an empty window', async () => {
    const asked: number[] = [];
    const pending: Array<(err?: Error) => void> = [];
    // a backlog of batches of up to 40 bytes, each as large as the room it is offered
    const sender = senderOf(pending, {
      next: (maxBytes) => {
        asked.push(maxBytes);
        return { topic: 't', payload: 'x', bytes: Math.min(40, maxBytes) };
      },
    });
    sender.start();
    // one batch per turn of the event loop
    expect(asked).toEqual([50]);
    await turn();
    // at most half the window per batch; 40 + 40 fill 80 of 100 bytes; the 20 left are less than a
    // batch: nothing more until an ack
    await turn();
    expect(asked).toEqual([50, 50]);
    pending.shift()?.();
    await turn();
    expect(asked).toEqual([50, 50, 50]);
    // once the acks are in, the window fills again
    for (const settle of pending.splice(0)) settle();
    await turn();
    await turn();
    expect(sender.inFlight).toBe(2);
  });
});

describe('Sender: batches built ahead while the window waits', () => {
  it('prepares the next batch in a later turn once the window is full, and sends it at the next PUBACK', async () => {
    const events: string[] = [];
    const pending: Array<(err?: Error) => void> = [];
    let ready = false;
    const sender = senderOf(pending, {
      next: (maxBytes) => {
        events.push(ready ? `next ${maxBytes} (ready)` : `next ${maxBytes}`);
        ready = false;
        return { topic: 't', payload: 'x', bytes: 50 };
      },
      prepare: (maxBytes) => {
        events.push(`prepare ${maxBytes}`);
        const built = !ready;
        ready = true;
        return built;
      },
    });
    sender.start();
    await turn();
    // Two batches fill the window: the third is built in a turn of its own, not at the PUBACK.
    expect(events).toEqual(['next 50', 'next 50']);
    for (let i = 0; i < 5; i++) await turn();
    // Built once; asked once more, it says there is nothing more to build, and is left alone.
    expect(events).toEqual(['next 50', 'next 50', 'prepare 50', 'prepare 50']);
    pending.shift()?.();
    expect(events.at(-1)).toBe('next 50 (ready)');
    sender.close();
    await turn();
  });
});

describe('LinkWindow: bytes in flight from the bandwidth-delay product', () => {
  /** Runs a window-limited sender over a link of `bytesPerMs` and `rttMs` for `ms`; returns the window. */
  function converge(bytesPerMs: number, rttMs: number, max = 1_000_000, untilMs = 20_000): LinkWindow {
    const w = new LinkWindow({ minBytes: 4096, maxBytes: max });
    const batch = 1000;
    let now = 0;
    let linkFreeAt = 0;
    const inFlight: Array<{ ackAt: number; mark: ReturnType<LinkWindow['sent']> }> = [];
    let bytes = 0;
    while (now < untilMs) {
      while (bytes + batch <= w.bytes) {
        linkFreeAt = Math.max(linkFreeAt, now) + batch / bytesPerMs;
        inFlight.push({ ackAt: linkFreeAt + rttMs, mark: w.sent(batch, now, true) });
        bytes += batch;
      }
      inFlight.sort((a, b) => a.ackAt - b.ackAt);
      const next = inFlight.shift();
      if (!next) break;
      now = next.ackAt;
      bytes -= batch;
      w.acked(next.mark, now);
    }
    return w;
  }

  it('settles near three times the bandwidth-delay product of a slow link (1 Mbit/s, 100 ms)', () => {
    const w = converge(125, 100);
    // BDP = 125 B/ms × 100 ms = 12.5 kB
    expect(w.bytes).toBeGreaterThan(2.5 * 12_500);
    expect(w.bytes).toBeLessThan(4 * 12_500);
    expect(w.rateBytesPerSec).toBeGreaterThan(0.9 * 125_000);
  });

  it('grows to the ceiling on a fast link and stays at the floor before any PUBACK', () => {
    expect(converge(1_000_000, 1, 262_144, 50).bytes).toBe(262_144);
    expect(new LinkWindow({ minBytes: 4096, maxBytes: 65_536 }).bytes).toBe(4096);
  });

  it('holds the initial window until a message sent after the first PUBACK is acknowledged', () => {
    const w = new LinkWindow({ minBytes: 4096, initialBytes: 32_768, maxBytes: 262_144 });
    expect(w.bytes).toBe(32_768);
    // The connect's messages: a small one acknowledged fast says little about the link's rate.
    const early = [w.sent(100, 0), w.sent(8000, 0, true), w.sent(8000, 0, true)];
    w.acked(early[0] as ReturnType<LinkWindow['sent']>, 100);
    expect(3 * (w.rateBytesPerSec / 1000) * w.minRtt).toBeLessThan(4096);
    expect(w.bytes).toBe(32_768);
    w.acked(early[1] as ReturnType<LinkWindow['sent']>, 164);
    expect(w.bytes).toBe(32_768);
    // Sent after the first PUBACK: a full round trip measured; from here the link decides.
    const later = w.sent(100, 150);
    w.acked(later, 250);
    expect(w.bytes).toBeLessThan(32_768);
    expect(w.bytes).toBeGreaterThanOrEqual(16_000);
    // Without an initial window it is the floor before any PUBACK, as before.
    expect(new LinkWindow({ minBytes: 4096, maxBytes: 262_144 }).bytes).toBe(4096);
  });

  it('keeps room for two batches so they pipeline, within the ceiling', () => {
    const w = new LinkWindow({ minBytes: 4096, maxBytes: 50_000 });
    w.sent(20_000, 0, true);
    expect(w.bytes).toBe(40_000);
    w.sent(30_000, 0, true);
    expect(w.bytes).toBe(50_000);
  });
});
