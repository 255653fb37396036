import type { Occupancy } from './occupancy.js';
import type { LatestValues, PointState } from './types.js';

export interface StatusContext {
  pointId: string;
  pointName: string;
  epoch: string;
  now: number;
  latest: LatestValues;
  occupancy: Occupancy;
  uplink: { connected: boolean; backlog: { telemetry: number; events: number } };
  staleAfterMs: number;
}

/** The `status` message of CONTRACT.md §5 (also `pima-kiosk status --json`), built from plain data. */
export function buildStatus(state: PointState, ctx: StatusContext): Record<string, unknown> {
  const v = (channel: string): number | null => {
    const r = ctx.latest.get(channel);
    if (!r || r.value === null || ctx.now - r.ts > ctx.staleAfterMs) return null;
    return r.value;
  };
  const flag = (channel: string): boolean | null => {
    const x = v(channel);
    return x === null ? null : x === 1;
  };
  return {
    point: ctx.pointId,
    name: ctx.pointName,
    status: state.state,
    mode: state.mode,
    since: new Date(state.since).toISOString(),
    reasons: state.reasons,
    power: { source: state.power, mainsPresent: flag('mains.present') },
    battery: {
      soc: v('battery.soc'),
      voltage: v('battery.voltage'),
      current: v('battery.current'),
      power: v('battery.power'),
      timeToGo: v('battery.timeToGo'),
    },
    generator: {
      running: flag('generator.running'),
      fuelLevel: v('generator.fuelLevel'),
      load: v('generator.load'),
      runHours: v('generator.runHours'),
    },
    temperatures: temperatures(ctx, v),
    occupancy: {
      count: ctx.occupancy.count,
      entries: ctx.occupancy.entries,
      exits: ctx.occupancy.exits,
      percent: Math.round((ctx.occupancy.count / state.capacity) * 100),
    },
    capacity: state.capacity,
    placesLeft: Math.max(0, state.capacity - ctx.occupancy.count),
    services: state.services,
    uplink: ctx.uplink,
    epoch: ctx.epoch,
    ts: new Date(ctx.now).toISOString(),
  };
}

function temperatures(
  ctx: StatusContext,
  v: (channel: string) => number | null,
): Record<string, number | null> {
  const out: Record<string, number | null> = {};
  for (const channel of [...ctx.latest.keys()].sort()) {
    if (channel.startsWith('temperature.')) out[channel.slice('temperature.'.length)] = v(channel);
  }
  return out;
}
