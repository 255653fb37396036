import type { PointEvent } from '../core/events.js';
import type { Passage } from '../point/occupancy.js';

export type DriverHealth = 'starting' | 'ok' | 'stale' | 'fault' | 'stopped';

/** Where a driver delivers what it measured. Timestamps come from the service clock. */
export interface DriverSink {
  reading(channel: string, value: number | null): void;
  /** A person crossed the door, direction already decided by the driver. */
  passage(direction: Passage): void;
  /** The driver's health changed (sensor unplugged, garbage on the line, back to ok). */
  health(driver: string, health: DriverHealth, message: string): void;
  /** Something the device itself reported (a battery alarm, a generator shutdown); logged as an event. */
  event?(event: DriverEvent): void;
  /** An operator button was pressed (`mode`, `acknowledge`); the service decides what it does. */
  button?(name: string): void;
  /** The last logged value of a channel (e.g. generator.runHours to continue counting after a restart). */
  lastValue?(channel: string): number | null | undefined;
}

/** An event raised by a device; the service adds the time from its clock. */
export type DriverEvent = Omit<PointEvent, 'ts'>;

/** A device family. Constructors assign; `start()` does I/O and must reconnect by itself; `stop()` is safe twice. */
export interface Driver {
  readonly name: string;
  start(sink: DriverSink): Promise<void>;
  stop(): Promise<void>;
}
