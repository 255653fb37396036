import { describe, expect, it } from 'vitest';
import type { Reading } from '../../../src/core/readings.js';
import { applyRetention, FLOOR_HEADROOM_BYTES, reusableBytes } from '../../../src/store/retention.js';
import { useTempLogs } from './temp-log.js';

const T0 = Date.parse('2026-12-01T08:00:00.000Z');
const ROWS = 100_000;

describe('retention under the free-space floor', () => {
  const logs = useTempLogs();

  it('sheds only until freed room waits inside the log, not the whole log, pass after pass', () => {
    const log = logs.open();
    for (let b = 0; b < ROWS / 5000; b++) {
      const batch: Reading[] = Array.from({ length: 5000 }, (_, i) => ({
        channel: `battery.ch${i % 5}`,
        value: i / 7,
        ts: T0 + (b * 5000 + i) * 1000,
      }));
      log.appendReadings(batch);
    }
    // a filesystem filled by something else: always below the floor, whatever the log deletes
    const policy = {
      rawRetentionMs: 365 * 86_400_000,
      downsampleMs: 900_000,
      maxBytes: 1e12,
      minFreeBytes: 2 ** 60,
    };
    const first = applyRetention(log, policy, T0 + ROWS * 1000);
    expect(first.shed).toBeGreaterThan(0);
    expect(first.shed).toBeLessThan(ROWS / 2);
    expect(reusableBytes(log.database())).toBeGreaterThanOrEqual(FLOOR_HEADROOM_BYTES);
    const second = applyRetention(log, policy, T0 + ROWS * 1000);
    expect(second.shed).toBe(0);
    expect(log.queryReadings({}).length).toBe(ROWS - first.shed);
    // what went unsent is named by a gap event
    expect(first.gaps.length).toBeGreaterThan(0);
  });
});
