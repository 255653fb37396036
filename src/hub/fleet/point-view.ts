/**
 * What the municipality sees of one point (`pima-hub points --json`, /api/points, the feeds), from the
 * stored latest messages and the hub's clock. Pure. The rule that matters: a point is UNKNOWN when its
 * last will said offline or its status is older than staleAfterSec, and then nothing of its last status
 * (places left, hours left) is shown as current.
 */
import { InfoMessage } from '../../contract/info.js';
import { StatusMessage } from '../../contract/status.js';
import type { PointRow } from '../storage/types.js';

export type FleetState = StatusMessage['status'] | 'UNKNOWN';

export interface PointView {
  id: string;
  name: string;
  state: FleetState;
  /** Why UNKNOWN: offline (its last will or a clean stop), stale (no status for too long), or no status yet. */
  unknownBecause: 'offline' | 'stale' | 'no-status' | null;
  /** ISO time its last status, online or info message arrived at the hub. */
  lastSeen: string | null;
  placesLeft: number | null;
  capacity: number | null;
  /** Energy left: battery and fuel hours together while not on the grid; null on the grid or unknown. */
  hoursLeft: number | null;
  alarms: Array<{ alarm: string; severity: string; since: string; message: string }>;
  /** Records the point still has to send, by its own last report. */
  backlog: { telemetry: number; events: number } | null;
  online: boolean | null;
  /** The point's own time of the status shown. */
  statusTs: string | null;
  location: { lat: number; lon: number } | null;
  address: string | null;
  hours: string | null;
  contact: string | null;
  services: string[];
  temperatureIndoor: number | null;
  power: string | null;
}

export function pointView(row: PointRow, now: number, staleAfterSec: number): PointView {
  const status = parseStatus(row.status);
  const info = parseInfo(row.info);
  const unknownBecause = whyUnknown(row, status, now, staleAfterSec);
  const live = unknownBecause === null ? status : undefined;
  return {
    id: row.id,
    name: info?.name ?? status?.name ?? row.id,
    state: live?.status ?? 'UNKNOWN',
    unknownBecause,
    lastSeen: row.lastSeenAt === null ? null : new Date(row.lastSeenAt).toISOString(),
    placesLeft: live?.placesLeft ?? null,
    capacity: status?.capacity ?? info?.capacity ?? null,
    hoursLeft: live ? energyHours(live) : null,
    alarms: (live?.alarms ?? []).map((a) => ({
      alarm: a.alarm,
      severity: a.severity,
      since: a.since,
      message: a.message,
    })),
    backlog: live ? live.uplink.backlog : null,
    online: row.online,
    statusTs: status?.ts ?? null,
    location: info?.location ?? null,
    address: info?.address ?? null,
    hours: info?.hours ?? null,
    contact: info?.contact ?? null,
    services: offeredServices(status, info),
    temperatureIndoor: live?.temperatures.indoor ?? null,
    power: live?.power.source ?? null,
  };
}

/**
 * A status counts from the earlier of the point's own ts and its arrival here: a retained snapshot
 * delivered late is as old as the point says, and a point whose clock runs ahead (or simulated) is
 * judged by when we last heard from it.
 */
function whyUnknown(
  row: PointRow,
  status: StatusMessage | undefined,
  now: number,
  staleAfterSec: number,
): PointView['unknownBecause'] {
  if (row.online === false) return 'offline';
  if (!status || row.statusReceivedAt === null) return 'no-status';
  return now > staleFrom(row, status, staleAfterSec) ? 'stale' : null;
}

function staleFrom(row: PointRow, status: StatusMessage, staleAfterSec: number): number {
  return (
    Math.min(row.statusReceivedAt ?? Number.NEGATIVE_INFINITY, Date.parse(status.ts)) + staleAfterSec * 1000
  );
}

/**
 * The hub time after which this row's view turns stale with no new message; null when time alone
 * changes nothing (offline, no status). Lets the dashboard re-judge only the rows whose time has come.
 */
export function turnsStaleAt(row: PointRow, staleAfterSec: number): number | null {
  if (row.online === false || row.statusReceivedAt === null) return null;
  const status = parseStatus(row.status);
  return status ? staleFrom(row, status, staleAfterSec) : null;
}

function energyHours(s: StatusMessage): number | null {
  if (s.power.source === 'grid') return null;
  const parts = [s.battery.hoursLeft, s.generator.fuelHoursLeft].filter(
    (h): h is number => typeof h === 'number',
  );
  if (parts.length === 0) return null;
  return Math.round(parts.reduce((a, b) => a + b, 0) * 100) / 100;
}

function offeredServices(status: StatusMessage | undefined, info: InfoMessage | undefined): string[] {
  if (info?.services) return info.services;
  if (!status) return [];
  return Object.keys(status.services);
}

/** The stored status text as the contract's message; undefined when absent or not valid. */
export function parseStatus(text: string | null): StatusMessage | undefined {
  return parseWith(text, (v) => StatusMessage.safeParse(v));
}

/** The stored info text as the contract's message; undefined when absent or not valid. */
export function parseInfo(text: string | null): InfoMessage | undefined {
  return parseWith(text, (v) => InfoMessage.safeParse(v));
}

function parseWith<T>(
  text: string | null,
  parse: (v: unknown) => { success: true; data: T } | { success: false },
): T | undefined {
  if (text === null) return undefined;
  try {
    const r = parse(JSON.parse(text));
    return r.success ? r.data : undefined;
  } catch {
    return undefined;
  }
}
