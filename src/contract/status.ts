import { z } from 'zod';
import {
  AnnouncementText,
  AnnouncementTranslations,
  Mode,
  NullableNumber,
  PointStateName,
  Timestamp,
} from './common.js';
import { DesiredReport } from './desired.js';

/**
 * `{prefix}/{id}/status`, retained (CONTRACT.md §5), also `pima-kiosk status --json`, `/api/status` and the
 * snapshot saved in the log. Fields may be added in later versions: a receiver ignores unknown ones (the
 * object schemas strip them). Measured values are null when the sensor is stale or faulty.
 */

const NullableBoolean = z.boolean().nullable();

export const StatusAlarm = z.object({
  alarm: z.string(),
  severity: z.enum(['alarm', 'critical']),
  since: Timestamp,
  message: z.string(),
  acknowledged: z.object({ by: z.string(), at: Timestamp }).nullable(),
});
export type StatusAlarm = z.infer<typeof StatusAlarm>;

export const Announcement = z.strictObject({
  text: AnnouncementText,
  /** The same notice in other languages (from the hub's desired state); a page picks its own. */
  translations: AnnouncementTranslations.optional(),
  /** When it was set. */
  ts: Timestamp,
  /** When it lapses; absent: until replaced or cleared. */
  expiresAt: Timestamp.optional(),
});
export type Announcement = z.infer<typeof Announcement>;

export const StatusUplink = z.object({
  connected: z.boolean(),
  backlog: z.object({ telemetry: z.int().min(0), events: z.int().min(0) }),
  lastConnectedAt: Timestamp.nullable().optional(),
  protocol: z.enum(['mqtt5', 'mqtt3.1.1']).nullable().optional(),
  oldestUnsentAgeSec: z.int().min(0).nullable().optional(),
  drainRatePerSec: z.number().min(0).optional(),
  etaSec: z.int().min(0).nullable().optional(),
});
export type StatusUplink = z.infer<typeof StatusUplink>;

export const CLOCK_SYNC = ['synchronized', 'unsynchronized', 'unknown'] as const;
export type ClockSync = (typeof CLOCK_SYNC)[number];

export const StatusMessage = z.object({
  point: z.string(),
  name: z.string(),
  status: PointStateName,
  mode: Mode,
  /** What the schedule says while the mode is `auto`. */
  scheduled: z.enum(['open', 'closed', 'standby']).optional(),
  since: Timestamp,
  reasons: z.array(z.string()),
  power: z.object({
    source: z.enum(['grid', 'generator', 'battery', 'none', 'unknown']),
    mainsPresent: NullableBoolean,
  }),
  battery: z
    .object({
      soc: NullableNumber,
      voltage: NullableNumber,
      current: NullableNumber,
      power: NullableNumber,
      timeToGo: NullableNumber,
      hoursLeft: NullableNumber.optional(),
    })
    .describe(
      'timeToGo is in minutes, null when not discharging or unknown; the telemetry channel ' +
        'battery.timeToGoInfinite tells which.',
    ),
  generator: z.object({
    running: NullableBoolean,
    fuelLevel: NullableNumber,
    load: NullableNumber,
    runHours: NullableNumber,
    fuelHoursLeft: NullableNumber.optional(),
    fuelPercentPerHour: NullableNumber.optional(),
    fuelLitres: NullableNumber.optional(),
    fuelEstimate: z.string().optional(),
    hoursSinceRest: NullableNumber.optional(),
  }),
  /** By sensor name (indoor, outdoor, ...), °C. */
  temperatures: z.record(z.string(), NullableNumber),
  occupancy: z.object({
    count: z.int().min(0),
    entries: z.int().min(0),
    exits: z.int().min(0),
    percent: z.number(),
    visitorsToday: z.int().min(0).optional(),
  }),
  capacity: z.int().min(1),
  placesLeft: z.int().min(0),
  services: z.record(z.string(), z.boolean()),
  alarms: z.array(StatusAlarm).optional(),
  uplink: StatusUplink,
  announcement: Announcement.nullable().optional(),
  clock: z.object({ sync: z.enum(CLOCK_SYNC) }).optional(),
  /** What became of the last `desired` state (CONTRACT.md §6); absent until one arrived. */
  desired: DesiredReport.optional(),
  epoch: z.string(),
  ts: Timestamp,
});
export type StatusMessage = z.infer<typeof StatusMessage>;
