/**
 * One line of the crisis staff's dashboard: the fleet view of a point plus what staff act on (hours of
 * energy by its smaller source, cold against 18 °C, how old the unsent backlog is, what became of the
 * last command, the announcement the point shows). Pure. Like PointView, nothing of a stale status is
 * shown as current: an UNKNOWN point has no energy, temperature or announcement here.
 */
import { DesiredMessage } from '../../contract/desired.js';
import type { DesiredRow, PointRow } from '../storage/types.js';
import { type PointView, parseStatus, pointView } from './point-view.js';

/** Energimyndigheten asks for at least 18 °C indoors at a trygghetspunkt (shared/notes/municipal.md). */
export const MIN_INDOOR_C = 18;

export interface DashboardRow extends PointView {
  batteryHours: number | null;
  fuelHours: number | null;
  /** The smaller of battery time-to-go and fuel trend while off the grid; null on the grid or unknown. */
  energyHours: number | null;
  /** Indoor below MIN_INDOOR_C; null without a live indoor reading. */
  cold: boolean | null;
  /** Age of the oldest record the point has not sent yet, by its own report. */
  backlogAgeSec: number | null;
  fuelLitres: number | null;
  fuelPercentPerHour: number | null;
  fuelLevel: number | null;
  /** The point's report on the last `desired` it saw (kept even when stale: it is what the point last said). */
  desiredReport: { id: string; applied: boolean; error?: string } | null;
  announcement: { text: string; expiresAt?: string } | null;
  /** The desired state the hub last published for the point, and what the point made of it so far. */
  command: {
    id: string;
    issuedAt: string;
    desired: DesiredMessage;
    /** pending until the point's status names this id. */
    outcome: 'pending' | 'applied' | 'refused';
    error?: string;
  } | null;
}

export function dashboardRow(
  row: PointRow,
  now: number,
  staleAfterSec: number,
  issued?: DesiredRow,
): DashboardRow {
  const view = pointView(row, now, staleAfterSec);
  const status = parseStatus(row.status);
  const live = view.unknownBecause === null ? status : undefined;
  const offGrid = live !== undefined && live.power.source !== 'grid';
  const batteryHours = live?.battery.hoursLeft ?? null;
  const fuelHours = live?.generator.fuelHoursLeft ?? null;
  const sources = [batteryHours, fuelHours].filter((h): h is number => h !== null);
  const indoor = view.temperatureIndoor;
  const a = live?.announcement;
  return {
    ...view,
    batteryHours,
    fuelHours,
    energyHours: offGrid && sources.length > 0 ? Math.min(...sources) : null,
    cold: indoor === null ? null : indoor < MIN_INDOOR_C,
    backlogAgeSec: live?.uplink.oldestUnsentAgeSec ?? null,
    fuelLitres: live?.generator.fuelLitres ?? null,
    fuelPercentPerHour: live?.generator.fuelPercentPerHour ?? null,
    fuelLevel: live?.generator.fuelLevel ?? null,
    desiredReport: status?.desired ?? null,
    command: commandOutcome(issued, status?.desired),
    announcement:
      a && a.text !== '' ? { text: a.text, ...(a.expiresAt ? { expiresAt: a.expiresAt } : {}) } : null,
  };
}

function commandOutcome(
  issued: DesiredRow | undefined,
  report: { id: string; applied: boolean; error?: string | undefined } | undefined,
): DashboardRow['command'] {
  if (!issued) return null;
  const desired = DesiredMessage.safeParse(JSON.parse(issued.body));
  if (!desired.success) return null;
  const base = { id: issued.id, issuedAt: new Date(issued.issuedAt).toISOString(), desired: desired.data };
  if (report?.id !== issued.id) return { ...base, outcome: 'pending' };
  if (report.applied) return { ...base, outcome: 'applied' };
  return report.error === undefined
    ? { ...base, outcome: 'refused' }
    : { ...base, outcome: 'refused', error: report.error };
}
