import { createConnection, createServer, type Server, type Socket } from 'node:net';
import { SeededRandom } from '../../src/drivers/sim/random.js';

/**
 * A slow network link in userspace (this machine's kernel has no netem): a TCP relay on loopback that
 * passes each direction through a bottleneck of `rateBitsPerSec`, then a one-way delay of `rttMs / 2`.
 * Bytes wait in the bottleneck's queue like in a router's buffer; when more than `bufferMs` of link
 * time is queued the relay stops reading, and TCP backpressure reaches the sender (as a full buffer
 * would). `loss` emulates lost segments as stalls: a segment (1460 bytes) is lost with that probability
 * and delivered one retransmission timeout later, holding back everything after it (TCP delivers in
 * order) while the link keeps transmitting. Seeded, so a run can be repeated.
 */

export interface LinkOptions {
  rateBitsPerSec: number;
  rttMs: number;
  /** Link time the bottleneck queue may hold before the relay stops reading. Default 2000 ms. */
  bufferMs?: number;
  /** Probability that a 1460-byte segment is lost (delivered after a retransmission timeout). Default 0. */
  loss?: number;
  /** Retransmission timeout of a lost segment. Default max(200, 2 × rttMs). */
  rtoMs?: number;
  seed?: number;
  /** Loopback port to listen on; default a free one. */
  port?: number;
}

export interface LinkStats {
  /** Bytes delivered client → target and target → client. */
  up: number;
  down: number;
  /** Segments delivered late to emulate a loss. */
  stalls: number;
}

export interface LinkEmulator {
  url: string;
  port: number;
  readonly stats: LinkStats;
  /** Drops every relayed connection now (the link went down). */
  dropConnections(): void;
  close(): Promise<void>;
}

const SEGMENT = 1460;

/** Relays connections on a free loopback port to `targetPort` through the emulated link. */
export async function startLinkEmulator(targetPort: number, opts: LinkOptions): Promise<LinkEmulator> {
  const rng = new SeededRandom(opts.seed ?? 1);
  const random = (): number => rng.next();
  const stats: LinkStats = { up: 0, down: 0, stalls: 0 };
  const sockets = new Set<Socket>();
  const server: Server = createServer((client) => {
    const target = createConnection({ host: '127.0.0.1', port: targetPort });
    for (const s of [client, target]) {
      s.setNoDelay(true);
      sockets.add(s);
      s.on('error', () => undefined);
      s.on('close', () => {
        sockets.delete(s);
        client.destroy();
        target.destroy();
      });
    }
    const direction = (from: Socket, to: Socket, count: (n: number) => void): Direction =>
      new Direction(from, to, opts, random, count, () => {
        stats.stalls += 1;
      });
    const up = direction(client, target, (n) => {
      stats.up += n;
    });
    const down = direction(target, client, (n) => {
      stats.down += n;
    });
    client.on('close', () => {
      up.stop();
      down.stop();
    });
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(opts.port ?? 0, '127.0.0.1', resolve);
  });
  const address = server.address();
  if (address === null || typeof address === 'string') throw new Error('link emulator has no port');
  const dropConnections = (): void => {
    for (const s of sockets) s.destroy();
  };
  return {
    url: `mqtt://127.0.0.1:${address.port}`,
    port: address.port,
    stats,
    dropConnections,
    close: async () => {
      dropConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}

/** One direction of the link: serialisation at the link rate, propagation delay, in-order delivery. */
class Direction {
  /** When the bottleneck finishes sending what it holds (ms, performance time). */
  private linkFreeAt = 0;
  /** Delivery time of the last segment: TCP hands data over in order. */
  private lastDeliverAt = 0;
  private readonly queue: Array<{ at: number; data: Buffer }> = [];
  private timer: ReturnType<typeof setTimeout> | undefined;
  private resumeTimer: ReturnType<typeof setTimeout> | undefined;
  private stopped = false;
  private readonly msPerByte: number;
  private readonly bufferMs: number;
  private readonly rtoMs: number;

  constructor(
    private readonly from: Socket,
    private readonly to: Socket,
    private readonly opts: LinkOptions,
    private readonly random: () => number,
    private readonly count: (bytes: number) => void,
    private readonly stalled: () => void,
  ) {
    this.msPerByte = 8000 / opts.rateBitsPerSec;
    this.bufferMs = opts.bufferMs ?? 2000;
    this.rtoMs = opts.rtoMs ?? Math.max(200, 2 * opts.rttMs);
    from.on('data', (chunk: Buffer) => this.enqueue(chunk));
  }

  stop(): void {
    this.stopped = true;
    clearTimeout(this.timer);
    clearTimeout(this.resumeTimer);
  }

  private enqueue(chunk: Buffer): void {
    const now = performance.now();
    for (let off = 0; off < chunk.length; off += SEGMENT) {
      const data = chunk.subarray(off, off + SEGMENT);
      this.linkFreeAt = Math.max(this.linkFreeAt, now) + data.length * this.msPerByte;
      let at = this.linkFreeAt + this.opts.rttMs / 2;
      if ((this.opts.loss ?? 0) > 0 && this.random() < (this.opts.loss ?? 0)) {
        at += this.rtoMs;
        this.stalled();
      }
      at = Math.max(at, this.lastDeliverAt);
      this.lastDeliverAt = at;
      this.queue.push({ at, data });
    }
    const queuedMs = this.linkFreeAt - now;
    if (queuedMs > this.bufferMs && !this.from.isPaused()) {
      this.from.pause();
      this.resumeTimer = setTimeout(() => this.from.resume(), queuedMs - this.bufferMs / 2);
    }
    this.schedule();
  }

  private schedule(): void {
    if (this.timer || this.stopped) return;
    const head = this.queue[0];
    if (!head) return;
    this.timer = setTimeout(() => this.deliver(), Math.max(0, head.at - performance.now()));
  }

  private deliver(): void {
    this.timer = undefined;
    const now = performance.now();
    const due: Buffer[] = [];
    while (this.queue[0] && this.queue[0].at <= now + 0.5) due.push(this.queue.shift()?.data as Buffer);
    if (due.length > 0 && !this.to.destroyed) {
      const data = Buffer.concat(due);
      this.to.write(data);
      this.count(data.length);
    }
    this.schedule();
  }
}
