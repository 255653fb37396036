import type { ScheduleEntry } from '../config/schema.js';
import type { ScheduledMode } from '../point/types.js';

/** Whether a cron expression matches the minute holding `ts` in the zone (node-cron, behind the adapter). */
export type CronMatch = (expression: string, timeZone: string, ts: number) => boolean;

export interface SchedulePhase {
  mode: ScheduledMode;
  /** The entry that set it, and the minute it fired; null when no entry fired within the look-back. */
  entry: ScheduleEntry | null;
  firedAt: number | null;
}

const MINUTE_MS = 60_000;
/** A weekly schedule repeats within 7 days; look back one day more for an entry on the boundary. */
export const LOOKBACK_MINUTES = 8 * 24 * 60;

export const OPEN_ALWAYS: SchedulePhase = { mode: 'open', entry: null, firedAt: null };

/**
 * The schedule's phase at `now`: the mode of the entry that fired last, looking back minute by minute.
 * Without entries the point is open (its state then follows the rules alone). When two entries fire in
 * the same minute, the later one in the list wins, as it does when the scheduler fires them in order.
 */
export function phaseAt(
  entries: readonly ScheduleEntry[],
  timeZone: string,
  now: number,
  match: CronMatch,
  lookbackMinutes = LOOKBACK_MINUTES,
): SchedulePhase {
  if (entries.length === 0) return OPEN_ALWAYS;
  const minute = Math.floor(now / MINUTE_MS) * MINUTE_MS;
  for (let k = 0; k <= lookbackMinutes; k++) {
    const t = minute - k * MINUTE_MS;
    for (let i = entries.length - 1; i >= 0; i--) {
      const e = entries[i];
      if (e && match(e.cron, timeZone, t)) return { mode: e.mode, entry: e, firedAt: t };
    }
  }
  // nothing fired for over a week: an entry list that never fires is a config choice, be open
  return OPEN_ALWAYS;
}

/** The phase after `entry` fires at `firedAt`. */
export function phaseAfter(entry: ScheduleEntry, firedAt: number): SchedulePhase {
  return { mode: entry.mode, entry, firedAt };
}
