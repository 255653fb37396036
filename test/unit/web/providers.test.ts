import { describe, expect, it } from 'vitest';
import type { Reading } from '../../../src/core/readings.js';
import { applyRetention } from '../../../src/store/retention.js';
import { downsample, HISTORY_STALE_MS } from '../../../src/web/history.js';
import { historyFrom, pageAlarms } from '../../../src/web/providers.js';
import { useTempLogs } from '../store/temp-log.js';

describe('what the page reads from the service', () => {
  it('alarms: the status message shape, acknowledged when someone acknowledged it', () => {
    const since = '2026-12-01T05:00:00.000Z';
    expect(
      pageAlarms([
        { alarm: 'fuel.low', severity: 'alarm', since, message: 'fuel < 8 h', acknowledged: null },
        {
          alarm: 'tamper',
          severity: 'critical',
          since,
          message: 'open',
          acknowledged: { by: 'x', at: since },
        },
      ]),
    ).toEqual([
      { id: 'fuel.low', level: 'alarm', message: 'fuel < 8 h', since, acknowledged: false },
      { id: 'tamper', level: 'critical', message: 'open', since, acknowledged: true },
    ]);
    expect(pageAlarms(undefined)).toEqual([]);
  });

  describe('history from the log', () => {
    const tmp = useTempLogs();
    const T = Date.parse('2026-12-01T06:00:00.000Z');
    const row = (ts: number, value: number | null, channel = 'battery.voltage') => ({ channel, value, ts });

    it('adds the newest reading before since, the value in effect then, and none older or of other channels', () => {
      const log = tmp.open();
      log.appendReadings([
        row(T - 3_600_000, 11),
        row(T - 200_000, 12),
        row(T - 100_000, 13),
        row(T - 50_000, 14, 'battery.soc'),
        row(T, 15),
        row(T + 60_000, null),
        row(T + 120_000, 16),
        row(T + 180_000, 17),
      ]);
      const history = historyFrom(log);
      expect(history.readings('battery.voltage', T, T + 120_000)).toEqual([
        { ts: T - 100_000, value: 13 },
        { ts: T, value: 15 },
        { ts: T + 60_000, value: null },
        { ts: T + 120_000, value: 16 },
      ]);
      // a fault is the value in effect too
      expect(history.readings('battery.voltage', T + 90_000, T + 120_000)[0]).toEqual({
        ts: T + 60_000,
        value: null,
      });
    });

    it('looks back no further than a value may hold: an older one is stale at since', () => {
      const log = tmp.open();
      log.appendReadings([row(T - HISTORY_STALE_MS - 1, 11), row(T + 1000, 12)]);
      expect(historyFrom(log).readings('battery.voltage', T, T + 60_000)).toEqual([
        { ts: T + 1000, value: 12 },
      ]);
    });

    it('a steady voltage logged once a heartbeat before since fills the chart from since', () => {
      const log = tmp.open();
      log.appendReadings([row(T - 110_000, 13.1), row(T + 10_000, 13.1)]);
      const req = { channel: 'battery.voltage', sinceMs: T, untilMs: T + 120_000, points: 4 };
      const series = downsample(historyFrom(log).readings(req.channel, req.sinceMs, req.untilMs), req);
      expect(series.ts).toEqual([T, T + 30_000, T + 60_000, T + 90_000]);
      expect(series.values).toEqual([13.1, 13.1, 13.1, 13.1]);
    });

    it('reaches back into the downsampled history where retention left no raw readings', () => {
      const log = tmp.open();
      const QUARTER = 15 * 60_000;
      // a reading every 2 min for two hours: in quarter q of the first hour alternately 10 + q and 12 + q,
      // in the second hour a ramp by 0.1 a reading; then retention folds the first hour
      const start = T - (T % QUARTER);
      const first = Array.from({ length: 30 }, (_, i) =>
        row(start + i * 120_000, 10 + Math.floor(i / 7.5) + 2 * (i % 2)),
      );
      const second = Array.from({ length: 30 }, (_, i) =>
        row(start + 4 * QUARTER + i * 120_000, 20 + i / 10),
      );
      // the other channel's reading comes first: retention folds by seq, up to the newest old row
      log.appendReadings([row(start + 10 * 60_000, 55, 'battery.soc'), ...first, ...second]);
      const rawDays = 2;
      const now = start + 4 * QUARTER + rawDays * 86_400_000;
      const policy = {
        rawRetentionMs: rawDays * 86_400_000,
        downsampleMs: QUARTER,
        maxBytes: 1e9,
        minFreeBytes: 0,
      };
      expect(applyRetention(log, policy, now).downsampled).toBe(31);
      expect(log.queryReadings({ channel: 'battery.voltage' })[0]?.ts).toBe(start + 4 * QUARTER);

      const req = { channel: 'battery.voltage', sinceMs: start, untilMs: start + 8 * QUARTER, points: 8 };
      const series = downsample(historyFrom(log).readings(req.channel, req.sinceMs, req.untilMs), req);
      expect(series.ts).toEqual(Array.from({ length: 8 }, (_, q) => start + q * QUARTER));
      // first hour: each quarter's mean of the readings folded into it (8, 7, 8 and 7 of them)
      const mean = (xs: Reading[]) =>
        Math.round((xs.reduce((a, r) => a + (r.value ?? 0), 0) / xs.length) * 1000) / 1000;
      const inQuarter = (q: number) =>
        first.filter((r) => r.ts >= start + q * QUARTER && r.ts < start + (q + 1) * QUARTER);
      expect(series.values.slice(0, 4)).toEqual([0, 1, 2, 3].map((q) => mean(inQuarter(q))));
      expect(series.values.slice(0, 4)).toEqual([11, 11.857, 13, 14.143]);
      // second hour as before: the time-weighted mean of the raw step series
      const rawOnly = downsample(
        log.queryReadings({ channel: 'battery.voltage' }).map((r) => ({ ts: r.ts, value: r.value })),
        req,
      );
      expect(series.values.slice(4)).toEqual(rawOnly.values);
      expect(series.values.slice(4)).toEqual([20.327, 21.073, 21.827, 22.573]);
      // another channel's buckets are its own
      expect(historyFrom(log).readings('battery.soc', req.sinceMs, req.untilMs)).toEqual([
        { ts: start, value: 55, holdMs: QUARTER },
      ]);
    });
  });
});
