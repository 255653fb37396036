import type { CommandOutcome } from '../contract/commands.js';
import type { StatusMessage } from '../contract/status.js';
import type { PointEvent } from '../core/events.js';

export type { CommandOutcome };

/**
 * What the web server may read from the running service: narrow views, never SQLite or MQTT directly.
 * `src/web/providers.ts` builds them from the pipeline and the log.
 */

/** The latest status message (CONTRACT.md §5), the very object the uplink publishes. */
export interface StatusSource {
  latest(): StatusMessage | undefined;
  /** The oldest a status may be (service clock) before a page must call it stale. */
  readonly maxAgeMs: number;
}

export interface HistoryPoint {
  ts: number;
  value: number | null;
  /**
   * How long the value may hold without a newer point; default the source's `staleMs` (a raw reading).
   * A downsampled bucket holds its mean for the bucket's length (`withSummaries`).
   */
  holdMs?: number;
}

/** A bucket of the downsampled history (what retention keeps of raw readings past rawRetentionDays). */
export interface HistorySummary {
  start: number;
  ms: number;
  /** Mean of the folded readings' non-null values; null when all were faults. */
  mean: number | null;
  /** Readings folded: the weight when one interval was folded in two passes. */
  n: number;
}

/**
 * Readings of one channel from the local log, in logging order: those from sinceMs to untilMs (both
 * inclusive) and, first, the newest one before sinceMs if it is recent enough to hold at sinceMs
 * (`staleMs`): the log records by exception, so that is the value in effect at sinceMs. Where the
 * range reaches back before the raw readings, the downsampled buckets come first, as points that hold
 * their mean for the bucket's length (`withSummaries`).
 */
export interface HistorySource {
  /** How long a logged value holds without a newer row (twice the configured heartbeat). */
  readonly staleMs: number;
  readings(channel: string, sinceMs: number, untilMs: number): HistoryPoint[];
}

export interface ActiveAlarm {
  id: string;
  level: string;
  message: string;
  /** ISO-8601 time the alarm was raised, when known. */
  since?: string;
  acknowledged: boolean;
}

export interface AlarmSource {
  active(): ActiveAlarm[];
  /** Asks the service to acknowledge one alarm (through the logged operator-command path). */
  acknowledge(id: string, actor: string): Promise<CommandOutcome>;
}

export interface Announcement {
  text: string;
  /** The same notice by language, when the municipality sent them. */
  translations?: Record<string, string>;
  ts: number;
  expiresAt?: number;
}

export interface AnnouncementSource {
  current(): Announcement | undefined;
}

export interface SensorHealth {
  channel: string;
  value: number | null;
  /** Clock time of the newest logged reading. */
  ts: number;
  health: 'ok' | 'stale' | 'fault';
}

export interface RecentEvent {
  seq: number;
  ts: number;
  type: string;
  level: string;
  message: string;
  /** The alarm an alarm event is about (src/point/alarms/catalog.ts). */
  alarm?: string;
}

/** A driver's last report of itself (DS18B20 chip family, VE.Direct device, DSE model). */
export interface DeviceReport {
  driver: string;
  health: string;
  message: string;
  ts: number;
}

export interface HealthSource {
  sensors(): SensorHealth[];
  devices(): DeviceReport[];
  recentEvents(limit: number): RecentEvent[];
}

/** Events the web server writes into the point log (sign-ins); the service adds the time. */
export interface EventSink {
  log(event: Omit<PointEvent, 'ts'>): void;
}

export interface WebSources {
  status: StatusSource;
  history: HistorySource;
  alarms: AlarmSource;
  announcements: AnnouncementSource;
  health: HealthSource;
  events: EventSink;
}
