import type { Passage } from '../../point/occupancy.js';

/** `A` is the outer beam, `B` the inner one. */
export type Beam = 'A' | 'B';

export interface DoorDecoderOptions {
  /** A break (or a gap in a break) shorter than this is noise and is ignored. */
  minBreakMs: number;
  /** A beam broken this long is blocked: a fault until it clears, and no passage is counted across it. */
  blockedMs: number;
}

export type DoorOutput =
  | { kind: 'passage'; direction: Passage; t: number }
  | { kind: 'blocked'; beam: Beam; t: number }
  | { kind: 'cleared'; beam: Beam; t: number };

/** Both beams as one number: bit 0 = A broken, bit 1 = B broken (0 none, 1 A, 3 A+B, 2 B). */
type Combined = 0 | 1 | 2 | 3;

const ENTRY: readonly Combined[] = [1, 3, 2];
const EXIT: readonly Combined[] = [2, 3, 1];
const MAX_PATH = 8;

interface BeamState {
  /** What the decoder believes (noise filtered). */
  broken: boolean;
  /** What the input says right now. */
  raw: boolean;
  rawSince: number;
  /** When the accepted break began, for the blocked check. */
  brokenSince: number;
  blocked: boolean;
}

/**
 * Counts people at a door with two beams, pure: edges and time in, passages and faults out. Direction
 * comes from the whole sequence: in = A, A+B, B, none; out = B, A+B, A, none. Stepping back undoes a
 * step, so someone who turns back is not counted, and anything that is not a clean sequence is dropped.
 * Call `advance(now)` at `deadline()` so pending noise checks and the blocked check can run.
 */
export class DoorDecoder {
  private readonly beams: Record<Beam, BeamState>;
  /** The states visited since both beams were last clear, with reversals removed. */
  private path: Combined[] = [];
  /** Set when a beam was blocked during the current sequence: it is not counted. */
  private spoiled = false;

  constructor(
    private readonly opts: DoorDecoderOptions,
    now: number,
  ) {
    const beam = (): BeamState => ({
      broken: false,
      raw: false,
      rawSince: now,
      brokenSince: now,
      blocked: false,
    });
    this.beams = { A: beam(), B: beam() };
  }

  /** The input of `beam` changed to `broken` at `t` (t never goes backwards). */
  edge(beam: Beam, broken: boolean, t: number): DoorOutput[] {
    const out = this.advance(t);
    const b = this.beams[beam];
    if (b.raw !== broken) {
      b.raw = broken;
      b.rawSince = t;
    }
    if (this.opts.minBreakMs <= 0) out.push(...this.advance(t));
    return out;
  }

  /** Accepts changes that have held for `minBreakMs` and raises blocked faults, in time order, up to `t`. */
  advance(t: number): DoorOutput[] {
    const out: DoorOutput[] = [];
    for (;;) {
      const at = this.nextAccept(t);
      if (at === undefined) break;
      // changes that fall due together are one step: two beams at the same instant give no direction
      for (const name of ['A', 'B'] as const) if (this.dueAt(name) === at) this.accept(name, at, out);
      this.step(at, out);
    }
    for (const name of ['A', 'B'] as const) {
      const b = this.beams[name];
      if (b.broken && !b.blocked && t - b.brokenSince >= this.opts.blockedMs) {
        b.blocked = true;
        this.spoiled = true;
        out.push({ kind: 'blocked', beam: name, t: b.brokenSince + this.opts.blockedMs });
      }
    }
    return out;
  }

  /** The next time `advance` has something to do, or undefined. */
  deadline(): number | undefined {
    let best: number | undefined;
    for (const b of Object.values(this.beams)) {
      const candidates = [
        b.raw !== b.broken ? b.rawSince + this.opts.minBreakMs : undefined,
        b.broken && !b.blocked ? b.brokenSince + this.opts.blockedMs : undefined,
      ];
      for (const c of candidates) if (c !== undefined && (best === undefined || c < best)) best = c;
    }
    return best;
  }

  isBlocked(beam: Beam): boolean {
    return this.beams[beam].blocked;
  }

  private dueAt(name: Beam): number | undefined {
    const b = this.beams[name];
    return b.raw === b.broken ? undefined : b.rawSince + this.opts.minBreakMs;
  }

  private nextAccept(t: number): number | undefined {
    const due = [this.dueAt('A'), this.dueAt('B')].filter((x): x is number => x !== undefined && x <= t);
    return due.length ? Math.min(...due) : undefined;
  }

  private accept(name: Beam, at: number, out: DoorOutput[]): void {
    const b = this.beams[name];
    // a blocked check that fell due before this change must be reported first
    if (b.broken && !b.blocked && at - b.brokenSince >= this.opts.blockedMs) {
      b.blocked = true;
      this.spoiled = true;
      out.push({ kind: 'blocked', beam: name, t: b.brokenSince + this.opts.blockedMs });
    }
    b.broken = b.raw;
    if (b.broken) b.brokenSince = b.rawSince;
    else if (b.blocked) {
      b.blocked = false;
      out.push({ kind: 'cleared', beam: name, t: at });
    }
  }

  private step(at: number, out: DoorOutput[]): void {
    const s = ((this.beams.A.broken ? 1 : 0) | (this.beams.B.broken ? 2 : 0)) as Combined;
    if (s === 0) {
      const direction = this.spoiled
        ? undefined
        : sameAs(this.path, ENTRY)
          ? 'in'
          : sameAs(this.path, EXIT)
            ? 'out'
            : undefined;
      if (direction) out.push({ kind: 'passage', direction, t: at });
      this.path = [];
      this.spoiled = false;
      return;
    }
    if (this.path.length >= 2 && this.path[this.path.length - 2] === s) this.path.pop();
    else if (this.path.at(-1) !== s) this.path.push(s);
    if (this.path.length > MAX_PATH) this.spoiled = true;
  }
}

function sameAs(a: readonly Combined[], b: readonly Combined[]): boolean {
  return a.length === b.length && a.every((x, i) => x === b[i]);
}
