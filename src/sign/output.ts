import type { SignPattern } from './pattern.js';

/** Extra lines of the sign beside the main state: places left, services, technician indicator. */
export interface SignDetail {
  placesLeft: number;
  /** Why the point is limited, e.g. battery-only, cold. */
  reasons: string[];
  capacity: number;
  services: string[];
  /** Technician indicator: `connected`, `buffering N` or `off`. */
  uplink: string;
}

/** A physical or virtual sign. `stop()` must leave it dark (NO_INFO), never showing a stale state. */
export interface SignOutput {
  start(): Promise<void>;
  show(pattern: SignPattern, detail: SignDetail): void;
  stop(): Promise<void>;
}
