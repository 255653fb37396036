/**
 * A threshold with hysteresis and dwell, as plain data. The caller decides, from a measurement, whether
 * it is past the raise level (`raise`), back past the clear level (`clear`), or in the band between or
 * unknown (`hold`). The latch changes only after its verdict has held for the dwell time, so noise that
 * crosses a threshold for a moment changes nothing.
 */
export interface Latch {
  active: boolean;
  /** When `active` last changed (or the latch was created). */
  since: number;
  /** Since when the verdict has pointed to the other side; null when it does not. */
  pendingSince: number | null;
}

export type Verdict = 'raise' | 'clear' | 'hold';

export interface LatchTiming {
  raiseAfterMs: number;
  clearAfterMs: number;
}

export const AT_ONCE: LatchTiming = { raiseAfterMs: 0, clearAfterMs: 0 };

export function newLatch(now: number): Latch {
  return { active: false, since: now, pendingSince: null };
}

export function stepLatch(prev: Latch, verdict: Verdict, now: number, timing: LatchTiming): Latch {
  const towards = prev.active ? 'clear' : 'raise';
  if (verdict !== towards) {
    // back in the band (or unknown): a pending change is abandoned, and must start over
    return prev.pendingSince === null ? prev : { ...prev, pendingSince: null };
  }
  const pendingSince = prev.pendingSince ?? now;
  const wait = prev.active ? timing.clearAfterMs : timing.raiseAfterMs;
  if (now - pendingSince >= wait) return { active: !prev.active, since: now, pendingSince: null };
  return pendingSince === prev.pendingSince ? prev : { ...prev, pendingSince };
}

/** Verdict for "too high": raise at or above `raiseAt`, clear below `clearBelow`. */
export function above(value: number | undefined | null, raiseAt: number, clearBelow: number): Verdict {
  if (value === undefined || value === null || !Number.isFinite(value)) return 'hold';
  if (value >= raiseAt) return 'raise';
  return value < clearBelow ? 'clear' : 'hold';
}

/** Verdict for "too low": raise below `raiseBelow`, clear at or above `clearAt`. */
export function below(value: number | undefined | null, raiseBelow: number, clearAt: number): Verdict {
  if (value === undefined || value === null || !Number.isFinite(value)) return 'hold';
  if (value < raiseBelow) return 'raise';
  return value >= clearAt ? 'clear' : 'hold';
}
