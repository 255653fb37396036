// When the status goes out (MQTT `status`, the log's snapshot that `pima-kiosk status` reads, the web page):
// issue 12, Deliver 8. A status must show current values, so it is published when any value it shows
// moves past its deadband (the log's own deadbands, docs/storage.md), rate-limited, and on a heartbeat;
// a sensor's first value (or its going null) goes out at once, so no status shows null for a sensor that
// has delivered. Pure: time comes in as arguments.
import type { StatusMessage } from '../contract/status.js';
import { channelUnit } from '../core/readings.js';
import { type Deadband, type LoggingSettings, ruleFor, threshold } from './log-policy.js';

export type Shown = string | number | boolean | null;

/** Why a status is published; undefined: not now. */
export type StatusPublishReason = 'first' | 'forced' | 'urgent' | 'deadband' | 'heartbeat';

export interface StatusPublishSettings {
  /** Changes past a deadband go out at most this often; urgent ones at once. */
  minIntervalMs: number;
  /** An unchanged status goes out this often (mqtt.statusIntervalSec). */
  heartbeatMs: number;
  /** storage.logging: the deadbands of the channels the status shows. */
  logging: LoggingSettings;
}

/**
 * Fields that move with time alone (an age, a rate, an ETA, the stamp itself): sent with every status,
 * never a reason to send one.
 */
const TIME_DRIVEN: ReadonlySet<string> = new Set([
  'ts',
  'uplink.oldestUnsentAgeSec',
  'uplink.drainRatePerSec',
  'uplink.etaSec',
  'generator.hoursSinceRest',
]);

/** Derived figures and counters without a channel of their own. */
const DERIVED: Readonly<Record<string, Deadband>> = {
  'battery.hoursLeft': { absolute: 0.1, percent: 5 },
  'generator.fuelHoursLeft': { absolute: 0.1, percent: 5 },
  'generator.fuelPercentPerHour': { absolute: 0.5, percent: 10 },
  'generator.fuelLitres': { absolute: 0.5, percent: 0 },
  'occupancy.percent': { absolute: 0, percent: 0 },
  'uplink.backlog.telemetry': { absolute: 100, percent: 10 },
  'uplink.backlog.events': { absolute: 100, percent: 10 },
};

/** The values a status shows, by path (`battery.soc`, `services.internet`, `alarms`), time-driven ones left out. */
export function shownValues(status: StatusMessage): Map<string, Shown> {
  const out = new Map<string, Shown>();
  const walk = (value: unknown, path: string): void => {
    if (TIME_DRIVEN.has(path)) return;
    if (value === undefined) return;
    if (value === null || typeof value !== 'object') {
      out.set(path, value as Shown);
      return;
    }
    // lists (reasons, alarms) compare as a whole: any change to them is a change
    if (Array.isArray(value)) {
      out.set(path, JSON.stringify(value));
      return;
    }
    for (const [k, v] of Object.entries(value)) walk(v, path === '' ? k : `${path}.${k}`);
  };
  walk(status, '');
  return out;
}

/** The status path's channel (`temperatures.indoor` shows `temperature.indoor`). */
function channelOf(path: string): string {
  return path.startsWith('temperatures.') ? `temperature.${path.slice('temperatures.'.length)}` : path;
}

/** The deadband of a numeric shown value; undefined: any change counts. */
export function deadbandFor(path: string, logging: LoggingSettings): Deadband | undefined {
  const derived = DERIVED[path];
  if (derived) return derived;
  const channel = channelOf(path);
  if (channelUnit(channel) === undefined && !(channel in logging.deadband)) return undefined;
  const rule = ruleFor(channel, logging);
  return rule.onChange ? undefined : rule.deadband;
}

/** How the shown values changed from `prev` to `next`: 'urgent', 'deadband' or undefined (nothing that counts). */
export function shownChange(
  prev: ReadonlyMap<string, Shown>,
  next: ReadonlyMap<string, Shown>,
  logging: LoggingSettings,
): 'urgent' | 'deadband' | undefined {
  let change: 'deadband' | undefined;
  for (const path of new Set([...prev.keys(), ...next.keys()])) {
    const a = prev.get(path);
    const b = next.get(path);
    if (a === b) continue;
    if (typeof a !== 'number' || typeof b !== 'number') {
      // an estimate comes and goes with the load (hours left only while discharging): not urgent
      if (path in DERIVED && isNumberOrNull(a) && isNumberOrNull(b)) {
        change = 'deadband';
        continue;
      }
      // a sensor's value appearing or going null, a state, a flag, a text: at once
      return 'urgent';
    }
    const band = deadbandFor(path, logging);
    // counts (people, places) have no deadband: every change, at the rate limit
    if (band === undefined || Math.abs(b - a) > threshold(a, band)) change = 'deadband';
  }
  return change;
}

function isNumberOrNull(x: Shown | undefined): boolean {
  return x === null || x === undefined || typeof x === 'number';
}

/** Whether to publish a status now, given the last published one; remembers what it published. */
export class StatusPublishPolicy {
  private last: { shown: Map<string, Shown>; at: number } | undefined;
  private forced = false;

  constructor(private readonly settings: StatusPublishSettings) {}

  /** The next status goes out whatever it shows (an operator's capacity or announcement). */
  force(): void {
    this.forced = true;
  }

  decide(status: StatusMessage, now: number): StatusPublishReason | undefined {
    const shown = shownValues(status);
    const reason = this.reason(shown, now);
    if (reason) {
      this.last = { shown, at: now };
      this.forced = false;
    }
    return reason;
  }

  private reason(shown: Map<string, Shown>, now: number): StatusPublishReason | undefined {
    const last = this.last;
    if (!last) return 'first';
    if (this.forced) return 'forced';
    const elapsed = now - last.at;
    // a clock set back must not silence the status until time catches up
    if (elapsed < 0 || elapsed >= this.settings.heartbeatMs) return 'heartbeat';
    const change = shownChange(last.shown, shown, this.settings.logging);
    if (change === 'urgent') return 'urgent';
    if (change === 'deadband' && elapsed >= this.settings.minIntervalMs) return 'deadband';
    return undefined;
  }
}
