import { describe, expect, it } from 'vitest';
import { downsample } from '../../../src/web/history.js';
import { parseAlarms } from '../../../src/web/providers.js';

describe('what the page reads from the service', () => {
  it('alarms: the model shape and a flat shape; anything without an id is skipped', () => {
    const since = Date.parse('2026-12-01T05:00:00Z');
    expect(
      parseAlarms([
        { alarm: 'fuel.low', severity: 'alarm', since, message: 'fuel < 8 h', data: {}, acknowledged: null },
        { alarm: 'cold', severity: 'warning', since, message: 'cold', acknowledged: { by: 'x', at: since } },
        { id: 'FULL', level: 'info', acknowledged: true },
        { message: 'no id' },
        'junk',
      ]),
    ).toEqual([
      {
        id: 'fuel.low',
        level: 'alarm',
        message: 'fuel < 8 h',
        since: '2026-12-01T05:00:00.000Z',
        acknowledged: false,
      },
      {
        id: 'cold',
        level: 'warning',
        message: 'cold',
        since: '2026-12-01T05:00:00.000Z',
        acknowledged: true,
      },
      { id: 'FULL', level: 'info', message: 'FULL', acknowledged: true },
    ]);
    expect(parseAlarms(undefined)).toEqual([]);
  });

  it('history buckets: means per bucket, a bucket of faults is null, empty buckets are left out', () => {
    const req = { channel: 'battery.soc', sinceMs: 0, untilMs: 1000, points: 10 };
    const series = downsample(
      [
        { ts: 0, value: 10 },
        { ts: 50, value: 20 },
        { ts: 250, value: null },
        { ts: 999, value: 7 },
        { ts: 1000, value: 9 },
        { ts: 2000, value: 99 },
      ],
      req,
    );
    expect(series.bucketMs).toBe(100);
    expect(series.ts).toEqual([0, 200, 900]);
    expect(series.values).toEqual([15, null, 8]);
  });
});
