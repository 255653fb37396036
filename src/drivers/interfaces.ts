import type { Passage } from '../point/occupancy.js';

export type DriverHealth = 'starting' | 'ok' | 'stale' | 'fault' | 'stopped';

/** Where a driver delivers what it measured. Timestamps come from the service clock. */
export interface DriverSink {
  reading(channel: string, value: number | null): void;
  /** A person crossed the door, direction already decided by the driver. */
  passage(direction: Passage): void;
  /** The driver's health changed (sensor unplugged, garbage on the line, back to ok). */
  health(driver: string, health: DriverHealth, message: string): void;
}

/** A device family. Constructors assign; `start()` does I/O and must reconnect by itself; `stop()` is safe twice. */
export interface Driver {
  readonly name: string;
  start(sink: DriverSink): Promise<void>;
  stop(): Promise<void>;
}
