import type { PointEvent } from '../core/events.js';
import type { SqliteLog } from './sqlite-log.js';

export interface Correction {
  bootRow: number;
  offsetMs: number;
  readings: number;
  events: number;
}

/**
 * Once the clock is synchronised, records written earlier in the same boot with an unsynchronised clock
 * get `ts = mono + (wall − mono now)`, marked `clock = 2` (corrected). Runs once per boot: the offset
 * is stored on the boot, so a restart in the same boot does not correct twice. Records of an earlier
 * boot that never synchronised keep their ts and `clock = 0`: no offset is known for them.
 */
export function correctClock(log: SqliteLog, wallNowMs: number): Correction | undefined {
  const db = log.database();
  const bootRow = log.bootRow();
  const offsetMs = Math.round(wallNowMs - log.timeSource().monotonicMs());
  const run = db.transaction((): Correction | undefined => {
    const boot = db
      .prepare<[number], { offset_ms: number | null }>('SELECT offset_ms FROM boots WHERE id = ?')
      .get(bootRow);
    if (!boot || boot.offset_ms !== null) return undefined;
    db.prepare('UPDATE boots SET offset_ms = ? WHERE id = ?').run(offsetMs, bootRow);
    const fix = (table: string) =>
      db
        .prepare(`UPDATE ${table} SET ts = mono + ?, clock = 2 WHERE boot = ? AND clock = 0`)
        .run(offsetMs, bootRow).changes;
    return { bootRow, offsetMs, readings: fix('readings'), events: fix('events') };
  });
  return run();
}

export function correctionEvent(c: Correction, ts: number): PointEvent {
  return {
    type: 'clock.corrected',
    level: 'info',
    ts,
    message: `the clock is synchronised; corrected the time of ${c.readings} readings and ${c.events} events logged before in this boot`,
    data: { ...c },
  };
}
