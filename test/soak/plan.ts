import { SeededRandom } from '../../src/drivers/sim/random.js';

export type FaultKind = 'kill' | 'broker' | 'flap' | 'disk';

export interface Fault {
  /** Real milliseconds after the soak started. */
  atMs: number;
  kind: FaultKind;
  /** How long the fault lasts (broker down, link blocked, disk full, service dead), ms. */
  holdMs: number;
}

export interface PlanOptions {
  seed: number;
  /** Expected real duration of the run, ms (simulated seconds / speed). */
  durationMs: number;
  kills: number;
  brokerRestarts: number;
  flaps: number;
  diskFills: number;
}

const HOLD: Record<FaultKind, [number, number]> = {
  kill: [200, 1500],
  broker: [1000, 4000],
  flap: [0, 2000],
  disk: [1500, 4000],
};

/**
 * Where the faults fall: uniformly at random (seeded) over 5–80 % of the run, sorted, so the last
 * fifth is quiet and one long run shows whether memory stays flat and the backlog drains.
 */
export function faultPlan(o: PlanOptions): Fault[] {
  const rng = new SeededRandom(o.seed);
  const faults: Fault[] = [];
  const add = (kind: FaultKind, n: number): void => {
    for (let i = 0; i < n; i++) {
      const [lo, hi] = HOLD[kind];
      faults.push({
        atMs: Math.round(o.durationMs * (0.05 + 0.75 * rng.next())),
        kind,
        holdMs: Math.round(lo + (hi - lo) * rng.next()),
      });
    }
  };
  add('kill', o.kills);
  add('broker', o.brokerRestarts);
  add('flap', o.flaps);
  add('disk', o.diskFills);
  return faults.sort((a, b) => a.atMs - b.atMs);
}
