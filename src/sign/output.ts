import type { SignPattern } from './pattern.js';

/** Extra lines of the sign beside the main state: places left, services, technician indicator. */
export interface SignDetail {
  placesLeft: number;
  /** Why the point is limited, e.g. battery-only, cold. */
  reasons: string[];
  capacity: number;
  services: string[];
  /** Technician indicator: `connected`, `buffering N h` (hours of unsent backlog) or `off`. */
  uplink: string;
  /** Service pictograms (charging, heat, water, internet, then the other declared ones), lit or struck out. */
  indicators?: ServiceIndicator[];
  /** The technician indicator as data: link state and how many hours of records wait to be sent. */
  technician?: TechnicianIndicator;
  /** Raised alarms not yet acknowledged, for an operator-facing lamp or line. */
  alarms?: string[];
}

export interface ServiceIndicator {
  service: string;
  symbol: string;
  word: string;
  /** Declared and working; false = declared but failing (shown struck out, or the lamp dark). */
  ok: boolean;
}

export interface TechnicianIndicator {
  link: 'connected' | 'buffering' | 'off';
  /** Age of the oldest unsent record, in hours; null when nothing waits or it is unknown. */
  backlogHours: number | null;
  backlogRecords: number;
  /** Blink of the technician lamp: steady when connected, faster the longer the backlog. */
  blink: readonly number[];
}

/** A physical or virtual sign. `stop()` must leave it dark (NO_INFO), never showing a stale state. */
export interface SignOutput {
  start(): Promise<void>;
  show(pattern: SignPattern, detail: SignDetail): void;
  stop(): Promise<void>;
}
