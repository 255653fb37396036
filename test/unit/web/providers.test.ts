import { describe, expect, it } from 'vitest';
import { downsample, HISTORY_STALE_MS } from '../../../src/web/history.js';
import { historyFrom, parseAlarms } from '../../../src/web/providers.js';
import { useTempLogs } from '../store/temp-log.js';

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
  });
});
