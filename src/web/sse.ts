import type { IncomingMessage, ServerResponse } from 'node:http';
import { AddressBudget, type BudgetLimits } from './address-budget.js';
import { HttpError, SECURITY_HEADERS } from './http.js';

export interface SseOptions {
  /** The current value of each topic; a topic whose JSON changed is sent as an event of that name. */
  topics: () => Record<string, unknown>;
  /** How often topics are looked at (real time). */
  pollMs: number;
  /** A `ping` event this often keeps the stream open and lets the page notice a dead connection. */
  pingMs: number;
  /** Streams for visitors (in all and per address) and the kiosk screen's own reserve. */
  slots: BudgetLimits;
  /** A client that has this much unread is dropped: one slow reader cannot grow the heap. */
  backlogBytes: number;
}

/**
 * Server-Sent Events for live updates. A new client gets every topic at once, then each change. The hub
 * looks at the topics itself, so the service needs no callbacks into the web layer.
 */
export class SseHub {
  private readonly clients = new Set<ServerResponse>();
  private readonly last = new Map<string, string>();
  private timers: Array<ReturnType<typeof setInterval>> = [];
  private readonly budget: AddressBudget;

  constructor(private readonly opts: SseOptions) {
    this.budget = new AddressBudget(opts.slots);
  }

  start(): void {
    if (this.timers.length > 0) return;
    this.timers = [
      setInterval(() => this.poll(), this.opts.pollMs),
      setInterval(() => this.broadcast('event: ping\ndata: {}\n\n'), this.opts.pingMs),
    ];
  }

  stop(): void {
    for (const t of this.timers) clearInterval(t);
    this.timers = [];
    for (const res of this.clients) res.end();
    this.clients.clear();
  }

  get size(): number {
    return this.clients.size;
  }

  add(req: IncomingMessage, res: ServerResponse): void {
    const address = req.socket.remoteAddress;
    if (!this.budget.admit(address)) {
      throw new HttpError(503, 'too many live connections; the page updates by polling', {
        'Retry-After': '30',
      });
    }
    res.on('close', () => {
      this.budget.release(address);
      this.clients.delete(res);
    });
    res.writeHead(200, {
      ...SECURITY_HEADERS,
      'Content-Type': 'text/event-stream; charset=utf-8',
      'Cache-Control': 'no-store',
      Connection: 'keep-alive',
      'X-Accel-Buffering': 'no',
    });
    res.write('retry: 2000\n\n');
    // The newcomer gets the current values; `last` stays as the others saw it, so none of them misses a change.
    for (const [topic, value] of Object.entries(this.opts.topics())) {
      res.write(frame(topic, JSON.stringify(value ?? null)));
    }
    this.clients.add(res);
  }

  /** Sends every topic whose value changed since the last look. */
  poll(): void {
    let topics: Record<string, unknown>;
    try {
      topics = this.opts.topics();
    } catch {
      return;
    }
    for (const [topic, value] of Object.entries(topics)) {
      const json = JSON.stringify(value ?? null);
      if (this.last.get(topic) === json) continue;
      this.last.set(topic, json);
      this.broadcast(frame(topic, json));
    }
  }

  /**
   * Sends an event made elsewhere (already JSON): for a source that knows when it changed and has its
   * text ready, so nothing is polled or serialised here.
   */
  publish(topic: string, json: string): void {
    this.last.set(topic, json);
    this.broadcast(frame(topic, json));
  }

  private broadcast(text: string): void {
    for (const res of this.clients) {
      if (res.writableLength > this.opts.backlogBytes) {
        this.clients.delete(res);
        res.destroy();
      } else res.write(text);
    }
  }
}

function frame(event: string, json: string): string {
  return `event: ${event}\ndata: ${json}\n\n`;
}
