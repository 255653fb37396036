import type { DesiredReport } from '../contract/desired.js';
import type { Announcement, ClockSync, StatusMessage, StatusUplink } from '../contract/status.js';
import type { Occupancy } from './occupancy.js';
import type { LatestValues, PointState } from './types.js';

export type { Announcement };

export interface StatusContext {
  pointId: string;
  pointName: string;
  epoch: string;
  now: number;
  latest: LatestValues;
  occupancy: Occupancy;
  /** The uplink heartbeat (issue 6); the optional fields come from a running MQTT uplink. */
  uplink: StatusUplink;
  /** A notice from the municipality (MQTT `cmd/announce`), while it is current. */
  announcement?: Announcement | undefined;
  /** What became of the last desired state (CONTRACT.md §6), if one arrived. */
  desired?: (DesiredReport & { issuedAt?: number }) | undefined;
  /** synchronized | unsynchronized | unknown: timestamps before a sync are corrected later. */
  clockSync?: ClockSync;
  staleAfterMs: number;
}

/** The `status` message of CONTRACT.md §5 (also `pima-kiosk status --json`), built from plain data. */
export function buildStatus(state: PointState, ctx: StatusContext): StatusMessage {
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
    scheduled: state.scheduled,
    since: new Date(state.since).toISOString(),
    reasons: state.reasons,
    power: { source: state.power, mainsPresent: flag('mains.present') },
    battery: {
      soc: v('battery.soc'),
      voltage: v('battery.voltage'),
      current: v('battery.current'),
      power: v('battery.power'),
      timeToGo: v('battery.timeToGo'),
      hoursLeft: hours(state.estimates.batteryHoursLeft),
    },
    generator: {
      running: flag('generator.running'),
      fuelLevel: v('generator.fuelLevel'),
      load: v('generator.load'),
      runHours: v('generator.runHours'),
      fuelHoursLeft: hours(state.estimates.fuel.hoursLeft),
      fuelPercentPerHour: hours(state.estimates.fuel.percentPerHour),
      fuelLitres: hours(state.estimates.fuel.litres),
      fuelEstimate: state.estimates.fuel.basis,
      hoursSinceRest: hours(state.estimates.generatorHoursSinceRest),
    },
    temperatures: temperatures(ctx, v),
    ...occupancyFields(ctx.occupancy, state.capacity),
    services: state.services,
    alarms: state.alarms.map((a) => ({
      alarm: a.alarm,
      severity: a.severity,
      since: new Date(a.since).toISOString(),
      message: a.message,
      acknowledged: a.acknowledged
        ? { by: a.acknowledged.by, at: new Date(a.acknowledged.at).toISOString() }
        : null,
    })),
    uplink: ctx.uplink,
    announcement: ctx.announcement ?? null,
    clock: { sync: ctx.clockSync ?? 'unknown' },
    ...(ctx.desired ? { desired: desiredReport(ctx.desired) } : {}),
    epoch: ctx.epoch,
    ts: new Date(ctx.now).toISOString(),
  };
}

/** The status's people figures; also for `pima-kiosk status` laying newer logged counts over a snapshot. */
export function occupancyFields(
  o: Pick<Occupancy, 'count' | 'entries' | 'exits'>,
  capacity: number,
): Pick<StatusMessage, 'occupancy' | 'capacity' | 'placesLeft'> {
  return {
    occupancy: {
      count: o.count,
      entries: o.entries,
      exits: o.exits,
      percent: Math.round((o.count / capacity) * 100),
      visitorsToday: o.entries,
    },
    capacity,
    placesLeft: Math.max(0, capacity - o.count),
  };
}

function desiredReport(d: DesiredReport): DesiredReport {
  return d.error === undefined
    ? { id: d.id, applied: d.applied }
    : { id: d.id, applied: d.applied, error: d.error };
}

/** Hours (or another derived figure) to two decimals; null stays null. */
function hours(x: number | null): number | null {
  return x === null || !Number.isFinite(x) ? null : Math.round(x * 100) / 100;
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
