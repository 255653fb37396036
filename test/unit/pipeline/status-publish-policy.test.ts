import { describe, expect, it } from 'vitest';
import type { StatusMessage } from '../../../src/contract/status.js';
import { DEFAULT_HEARTBEAT_SEC } from '../../../src/pipeline/log-policy.js';
import {
  StatusPublishPolicy,
  type StatusPublishSettings,
  shownValues,
} from '../../../src/pipeline/status-publish-policy.js';
import { sampleStatus } from '../../helpers/status.js';

const SETTINGS: StatusPublishSettings = {
  minIntervalMs: 5000,
  heartbeatMs: 60_000,
  logging: { heartbeatSec: DEFAULT_HEARTBEAT_SEC, deadband: {} },
};
const T0 = Date.parse('2026-12-01T08:00:00Z');

function withBattery(soc: number | null, over: Partial<StatusMessage> = {}): StatusMessage {
  const base = sampleStatus(over);
  return { ...base, battery: { ...base.battery, soc } };
}

/** A policy that has just published `first` at T0. */
function published(first: StatusMessage, settings = SETTINGS): StatusPublishPolicy {
  const p = new StatusPublishPolicy(settings);
  expect(p.decide(first, T0)).toBe('first');
  return p;
}

describe('StatusPublishPolicy', () => {
  it("publishes a sensor's first value at once, not a minute later", () => {
    const p = published(withBattery(null));
    expect(p.decide(withBattery(87.6), T0 + 100)).toBe('urgent');
    // and its going null (stale, faulty) at once too
    expect(p.decide(withBattery(null), T0 + 200)).toBe('urgent');
  });

  it('publishes a move past the deadband, at most every minIntervalMs; a move inside it waits for the heartbeat', () => {
    const p = published(withBattery(87.6));
    expect(p.decide(withBattery(88.4), T0 + 10_000)).toBeUndefined(); // 0.8 % < the 1 % deadband
    expect(p.decide(withBattery(89), T0 + 1000)).toBeUndefined(); // past it, but rate-limited
    expect(p.decide(withBattery(89), T0 + 5000)).toBe('deadband');
    expect(p.decide(withBattery(89.5), T0 + 30_000)).toBeUndefined();
    expect(p.decide(withBattery(89.5), T0 + 65_000)).toBe('heartbeat');
  });

  it('compares with the last published status, so a slow drift still goes out once past the deadband', () => {
    const p = published(withBattery(80));
    let soc = 80;
    let reason: string | undefined;
    for (let t = T0 + 5000; reason === undefined && t < T0 + 60_000; t += 5000) {
      soc += 0.3;
      reason = p.decide(withBattery(soc), t);
    }
    expect(reason).toBe('deadband');
    expect(soc).toBeCloseTo(81.2);
  });

  it('uses the configured deadbands of the log (by channel or unit) and °C for temperatures', () => {
    const logging = { heartbeatSec: 120, deadband: { 'battery.soc': 5 } };
    const p = published(withBattery(80), { ...SETTINGS, logging });
    expect(p.decide(withBattery(84), T0 + 10_000)).toBeUndefined();
    expect(p.decide(withBattery(86), T0 + 10_000)).toBe('deadband');
    const q = published(sampleStatus({ temperatures: { indoor: 20 } }));
    expect(q.decide(sampleStatus({ temperatures: { indoor: 20.1 } }), T0 + 10_000)).toBeUndefined();
    expect(q.decide(sampleStatus({ temperatures: { indoor: 20.3 } }), T0 + 10_000)).toBe('deadband');
  });

  it('a state, a flag or a text changes at once; the time alone (ts, ages) is never a reason', () => {
    const p = published(sampleStatus());
    const later = sampleStatus({
      ts: '2026-12-01T08:00:30.000Z',
      uplink: { connected: false, backlog: { telemetry: 0, events: 0 }, oldestUnsentAgeSec: 30 },
    });
    expect(p.decide(later, T0 + 30_000)).toBeUndefined();
    expect(p.decide(sampleStatus({ status: 'OPEN_LIMITED', reasons: ['battery-only'] }), T0 + 30_100)).toBe(
      'urgent',
    );
    expect(
      p.decide(
        sampleStatus({ status: 'OPEN_LIMITED', reasons: ['battery-only'], services: { internet: false } }),
        T0 + 30_200,
      ),
    ).toBe('urgent');
  });

  it('counts change at the rate limit; a forced status goes out at once; a clock set back publishes', () => {
    const p = published(sampleStatus());
    const busy = (n: number) =>
      sampleStatus({ occupancy: { count: n, entries: n, exits: 0, percent: 0 }, placesLeft: 40 - n });
    expect(p.decide(busy(1), T0 + 1000)).toBeUndefined();
    expect(p.decide(busy(2), T0 + 5000)).toBe('deadband');
    p.force();
    expect(p.decide(busy(2), T0 + 5100)).toBe('forced');
    expect(p.decide(busy(2), T0 + 5200)).toBeUndefined();
    expect(p.decide(busy(2), T0 - 60_000)).toBe('heartbeat');
  });

  it('shownValues flattens by path and leaves out what moves with time alone', () => {
    const shown = shownValues(sampleStatus({ reasons: ['cold'] }));
    expect(shown.get('battery.soc')).toBe(90);
    expect(shown.get('temperatures.indoor')).toBe(20);
    expect(shown.get('reasons')).toBe('["cold"]');
    expect(shown.has('ts')).toBe(false);
  });
});
