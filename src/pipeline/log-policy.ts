import {
  DEFAULT_DEADBANDS,
  type Deadband,
  type LoggingSettings,
  ON_CHANGE_UNITS,
} from '../config/logging.js';
import { channelUnit, isValidChannelName, type Reading } from '../core/readings.js';

export type { Deadband, DeadbandSetting, LoggingSettings } from '../config/logging.js';
export { DEFAULT_DEADBANDS, DEFAULT_HEARTBEAT_SEC, deadbandKeyProblem } from '../config/logging.js';

/**
 * Report by exception, as process historians do: every sample still reaches the model and the sign,
 * but the log (and so the uplink) records a channel only when its value moved by more than a deadband
 * since the last *logged* value, when its heartbeat is due, when it turns null (stale/faulty) or
 * recovers, or, for 0/1 state and occupancy channels, on any change. On an SD card each commit costs
 * pages, not rows, so fewer commit-seconds is what saves the card (docs/storage.md, SD budget).
 * Pure: no clock of its own, time comes from the readings' `ts`.
 */

const NO_DEADBAND: Deadband = { absolute: 0, percent: 0 };

/** How one channel is logged. */
export interface ChannelRule {
  /** 0/1 state or occupancy: every change is logged, the deadband does not apply. */
  onChange: boolean;
  deadband: Deadband;
  heartbeatMs: number;
}

/** Why a reading is logged; undefined from `logReason` means it is skipped. */
export type LogReason =
  | 'first'
  | 'fault'
  | 'recovered'
  | 'state'
  | 'deadband'
  | 'heartbeat'
  | 'aligned'
  | 'clock'
  | 'unchecked';

/** The last logged value of a channel and its timestamp. */
export interface LoggedPoint {
  value: number | null;
  ts: number;
}

export function ruleFor(channel: string, settings: LoggingSettings): ChannelRule {
  const heartbeatMs = settings.heartbeatSec * 1000;
  const unit = channelUnit(channel);
  if (unit !== undefined && ON_CHANGE_UNITS.has(unit)) {
    return { onChange: true, deadband: NO_DEADBAND, heartbeatMs };
  }
  const set = settings.deadband[channel] ?? (unit === undefined ? undefined : settings.deadband[unit]);
  const deadband =
    set === undefined
      ? ((unit === undefined ? undefined : DEFAULT_DEADBANDS[unit]) ?? NO_DEADBAND)
      : typeof set === 'number'
        ? { absolute: set, percent: 0 }
        : { absolute: set.absolute ?? 0, percent: set.percent ?? 0 };
  return { onChange: false, deadband, heartbeatMs };
}

/** The largest change from `reference` that is still not logged. */
export function threshold(reference: number, d: Deadband): number {
  return Math.max(d.absolute, (d.percent / 100) * Math.abs(reference));
}

/**
 * Whether `reading` must be logged, given the channel's last logged point. `commitPending` says that
 * a commit is coming anyway (something else is buffered): then a reading whose heartbeat is half
 * gone is logged too, which pulls the channels' heartbeats into the same commits.
 */
export function logReason(
  last: LoggedPoint | undefined,
  reading: Reading,
  rule: ChannelRule,
  commitPending: boolean,
): LogReason | undefined {
  if (last === undefined) return 'first';
  const { value, ts } = reading;
  if ((value === null) !== (last.value === null)) return value === null ? 'fault' : 'recovered';
  // a clock set back (fake-hwclock, then NTP) must not silence a channel until time catches up
  if (ts < last.ts) return 'clock';
  const elapsed = ts - last.ts;
  if (elapsed >= rule.heartbeatMs) return 'heartbeat';
  if (value !== null && last.value !== null && value !== last.value) {
    if (rule.onChange) return 'state';
    if (Math.abs(value - last.value) > threshold(last.value, rule.deadband)) return 'deadband';
  }
  if (commitPending && elapsed * 2 >= rule.heartbeatMs) return 'aligned';
  return undefined;
}

/** The per-channel memory of what was logged last, around `logReason`. */
export class LogPolicy {
  private readonly last = new Map<string, LoggedPoint>();
  /** The newest sample of each channel that was skipped, while it is still the newest. */
  private readonly held = new Map<string, Reading>();
  private readonly rules = new Map<string, ChannelRule>();

  /**
   * @param burstMs how old a skipped sample may at least be and still go with a later logged one (the
   *   commit interval): a driver reports its channels one by one, so the ones before the trigger can
   *   join it. Up to half the heartbeat is allowed too, so a channel sampled every 30 s joins a commit
   *   of one sampled every 5 s instead of keeping a commit of its own.
   */
  constructor(
    private readonly settings: LoggingSettings,
    private readonly burstMs = 1000,
  ) {}

  /**
   * The readings to log for this sample, oldest first: none, or it and the skipped samples of the same
   * burst whose heartbeat is half gone (so channels sampled together are logged together, one commit).
   */
  admit(reading: Reading, commitPending: boolean): Reading[] {
    if (!this.decide(reading, commitPending)) return [];
    return [...this.companions(reading.ts), reading];
  }

  /**
   * Decides for one reading and, when it is to be logged, remembers it as the channel's last logged
   * point. A reading the log would refuse (bad channel, non-finite value or ts) is passed on unchecked
   * and not remembered, so the log reports it with its own message.
   */
  decide(reading: Reading, commitPending: boolean): LogReason | undefined {
    const { channel, value, ts } = reading;
    if (!isValidChannelName(channel) || !Number.isFinite(ts) || (value !== null && !Number.isFinite(value))) {
      return 'unchecked';
    }
    const reason = logReason(this.last.get(channel), reading, this.rule(channel), commitPending);
    if (reason) {
      this.last.set(channel, { value, ts });
      this.held.delete(channel);
    } else {
      this.held.set(channel, reading);
    }
    return reason;
  }

  /**
   * Skipped samples from the `burstMs` (or half a heartbeat) before `ts` whose heartbeat is at least
   * half gone, now logged (remembered as such): they ride on a commit that happens anyway. Each is
   * still its channel's newest sample, so the log stays as current as the sampling; only its `ts` may
   * be older than that of rows logged just before it (order is by seq, docs/storage.md).
   */
  companions(ts: number): Reading[] {
    const out: Reading[] = [];
    for (const [channel, r] of this.held) {
      const last = this.last.get(channel);
      const { heartbeatMs } = this.rule(channel);
      if (!last || r.ts > ts || ts - r.ts > Math.max(this.burstMs, heartbeatMs / 2)) continue;
      if ((r.ts - last.ts) * 2 < heartbeatMs) continue;
      out.push(r);
      this.last.set(channel, { value: r.value, ts: r.ts });
      this.held.delete(channel);
    }
    return out.sort((a, b) => a.ts - b.ts);
  }

  private rule(channel: string): ChannelRule {
    let rule = this.rules.get(channel);
    if (!rule) {
      rule = ruleFor(channel, this.settings);
      this.rules.set(channel, rule);
    }
    return rule;
  }
}
