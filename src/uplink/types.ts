import type { StatusMessage } from '../contract/status.js';
/** What the rest of the service sees of the uplink; mqtt.js stays behind this. */
export interface Uplink {
  start(): Promise<void>;
  stop(): Promise<void>;
  /** New records were committed to the log: drain when connected. */
  notifyLogged(): void;
  /** The current status snapshot changed (or the heartbeat is due): publish it retained. */
  publishStatus(status: StatusMessage): void;
  /** For the status message and the technician: connected now, and when it last was. */
  state(): UplinkState;
  /** The `uplink` object of the status message: link, backlog, oldest unsent, drain rate and ETA. */
  heartbeat?(): UplinkHeartbeat;
}

export interface UplinkState {
  connected: boolean;
  lastConnectedAt: number | null;
}

export interface UplinkHeartbeat {
  connected: boolean;
  /** ISO time of the last successful connect; null if never. */
  lastConnectedAt: string | null;
  /** The protocol of the current (or last) connection. */
  protocol: 'mqtt5' | 'mqtt3.1.1' | null;
  /** Logged records not yet acknowledged by the broker, per stream. */
  backlog: { telemetry: number; events: number };
  /** Age of the oldest unacknowledged record (s, service clock); null when nothing waits. */
  oldestUnsentAgeSec: number | null;
  /** Records acknowledged per second over the last 30 s. */
  drainRatePerSec: number;
  /** Seconds until the backlog is delivered at that rate; 0 when empty, null when nothing drains. */
  etaSec: number | null;
}
