import type { LimitReason, Mode, PointState, PointStateName, ScheduledMode } from './types.js';

/** The operator's override wins; in `auto` the schedule decides whether the point is open at all. */
export function effectiveMode(mode: Mode, scheduled: ScheduledMode): ScheduledMode {
  return mode === 'auto' ? scheduled : mode;
}

export function wantedState(
  mode: Mode,
  scheduled: ScheduledMode,
  full: boolean,
  reasons: readonly LimitReason[],
): PointStateName {
  const m = effectiveMode(mode, scheduled);
  if (m === 'closed') return 'CLOSED';
  if (m === 'standby') return 'STANDBY';
  if (full) return 'FULL';
  return reasons.length > 0 ? 'OPEN_LIMITED' : 'OPEN';
}

/**
 * A rule-driven change waits until the current state has been shown for `minDwellMs`. An operator's
 * mode change or a schedule step acts at once (a person decided), and so does FULL, whose own latch has
 * its dwell (`fullDwellSec`): the door must not keep inviting people into a full room.
 */
export function applyDwell(
  prev: PointState | undefined,
  wanted: PointStateName,
  now: number,
  ctx: { mode: Mode; scheduled: ScheduledMode; minDwellMs: number },
): PointStateName {
  if (!prev || prev.state === wanted) return wanted;
  const decided =
    effectiveMode(prev.mode, prev.scheduled) !== effectiveMode(ctx.mode, ctx.scheduled) ||
    prev.mode !== ctx.mode;
  if (decided || wanted === 'FULL') return wanted;
  return now - prev.since >= ctx.minDwellMs ? wanted : prev.state;
}
