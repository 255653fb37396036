/** What the rest of the service sees of the uplink; mqtt.js stays behind this. */
export interface Uplink {
  start(): Promise<void>;
  stop(): Promise<void>;
  /** New records were committed to the log: drain when connected. */
  notifyLogged(): void;
  /** The current status snapshot changed (or the heartbeat is due): publish it retained. */
  publishStatus(status: Record<string, unknown>): void;
  /** For the status message and the technician: connected now, and when it last was. */
  state(): UplinkState;
}

export interface UplinkState {
  connected: boolean;
  lastConnectedAt: number | null;
}
