import { describe, expect, it } from 'vitest';
import { backoffDelay } from '../../../src/uplink/backoff.js';
import { pointTopics } from '../../../src/uplink/topics.js';

describe('uplink topics and backoff', () => {
  it('builds the contract topics', () => {
    const t = pointTopics('pima/v1', 'p-1');
    expect([t.online, t.status, t.telemetry, t.events]).toEqual([
      'pima/v1/p-1/online',
      'pima/v1/p-1/status',
      'pima/v1/p-1/telemetry',
      'pima/v1/p-1/events',
    ]);
    expect([t.cmd('mode'), t.cmdResult('mode'), t.cmdFilter]).toEqual([
      'pima/v1/p-1/cmd/mode',
      'pima/v1/p-1/cmd/mode/result',
      'pima/v1/p-1/cmd/+',
    ]);
    expect(() => pointTopics('pima/#', 'p')).toThrow(RangeError);
    expect(() => t.cmd('a+b')).toThrow(RangeError);
  });

  it('backs off exponentially with full jitter up to the maximum', () => {
    const top = () => 0.999_999;
    expect([0, 1, 2, 3, 10].map((f) => backoffDelay(f, 100, 1000, top))).toEqual([99, 199, 399, 799, 999]);
    expect(backoffDelay(5, 100, 1000, () => 0)).toBe(0);
    expect(backoffDelay(2, 100, 1000, () => 0.5)).toBe(200);
  });
});
