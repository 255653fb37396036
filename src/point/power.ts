import type { PowerSource } from './types.js';

/** Fresh values by channel: stale and null readings are already left out (unknown). */
export type Fresh = ReadonlyMap<string, number>;

export function powerSource(fresh: Fresh): PowerSource {
  const mains = fresh.get('mains.present');
  const generator = fresh.get('generator.running');
  if (mains === 1) return 'grid';
  if (generator === 1) return 'generator';
  const soc = fresh.get('battery.soc');
  const voltage = fresh.get('battery.voltage');
  if (soc !== undefined) return soc > 0 ? 'battery' : 'none';
  if (voltage !== undefined) return 'battery';
  if (mains === 0 && generator === 0) return 'none';
  return 'unknown';
}

/**
 * Hours the battery carries the point at the present draw: the monitor's own time-to-go when it gives
 * one, else the charge left (SOC × capacity) over the discharge current. Null when not discharging.
 */
export function batteryHoursLeft(fresh: Fresh, capacityAh: number): number | null {
  const ttg = fresh.get('battery.timeToGo');
  if (ttg !== undefined && ttg >= 0) return ttg / 60;
  const soc = fresh.get('battery.soc');
  const current = fresh.get('battery.current');
  if (soc === undefined || current === undefined || current >= -0.05) return null;
  return ((soc / 100) * capacityAh) / -current;
}

/** Running time since the generator's last rest (DSNS: 30 min off every 5 h), integrated over time. */
export interface GeneratorRun {
  /** Running time since the last full rest. */
  runMs: number;
  /** How long it has now been off without a break. */
  offMs: number;
  /** The time and running state of the last evaluation, to integrate the next interval. */
  lastTs: number;
  lastRunning: boolean | null;
}

export function newGeneratorRun(now: number): GeneratorRun {
  return { runMs: 0, offMs: 0, lastTs: now, lastRunning: null };
}

/**
 * Adds the interval since the last evaluation to running or off time, by the state seen at its start.
 * An interval longer than `maxGapMs` (the controller was down) is not counted: nobody knows what ran.
 */
export function stepGeneratorRun(
  prev: GeneratorRun,
  running: number | undefined,
  now: number,
  opts: { restMs: number; maxGapMs: number },
): GeneratorRun {
  const dt = now - prev.lastTs;
  let { runMs, offMs } = prev;
  if (dt > 0 && dt <= opts.maxGapMs && prev.lastRunning !== null) {
    if (prev.lastRunning) {
      runMs += dt;
      offMs = 0;
    } else {
      offMs += dt;
      if (offMs >= opts.restMs) runMs = 0;
    }
  }
  const lastRunning = running === undefined ? null : running === 1;
  return { runMs, offMs, lastTs: Math.max(now, prev.lastTs), lastRunning };
}
