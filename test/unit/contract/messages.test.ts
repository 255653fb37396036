import { describe, expect, it } from 'vitest';
import { DesiredMessage } from '../../../src/contract/desired.js';
import { InfoMessage } from '../../../src/contract/info.js';
import { OnlineMessage } from '../../../src/contract/online.js';
import { EventBatch, TelemetryBatch } from '../../../src/contract/records.js';
import { StatusMessage } from '../../../src/contract/status.js';
import { emptyOccupancy } from '../../../src/point/occupancy.js';
import { buildStatus } from '../../../src/point/status.js';
import {
  batchHead,
  batchPayload,
  encodeEvent,
  encodeReading,
  IsoFormatter,
} from '../../../src/uplink/encode.js';
import { sampleStatus } from '../../helpers/status.js';
import { GRID, modelConfig, step, T0, values } from '../point/helpers.js';

describe('the contract describes what the point sends', () => {
  it('the status the point builds parses, with no field the schema does not know', () => {
    const cfg = modelConfig();
    const { state } = step(undefined, T0, { v: { ...GRID, 'temperature.outdoor': -5 } }, cfg);
    const status = buildStatus(state, {
      pointId: 'p',
      pointName: 'Point',
      epoch: 'e1',
      now: T0,
      latest: values(T0, { ...GRID, 'temperature.outdoor': -5 }),
      occupancy: emptyOccupancy(T0, 'Europe/Tallinn'),
      uplink: { connected: false, backlog: { telemetry: 3, events: 1 } },
      announcement: { text: 'Water at 10:00', ts: new Date(T0).toISOString() },
      clockSync: 'synchronized',
      staleAfterMs: 60_000,
    });
    // JSON round trip: what goes over the wire; stripping would drop fields the schema lacks
    const wire: unknown = JSON.parse(JSON.stringify(status));
    expect(StatusMessage.parse(wire)).toEqual(wire);
  });

  it('rejects a status with a wrong state or a missing field', () => {
    expect(StatusMessage.safeParse({ ...sampleStatus(), status: 'open' }).success).toBe(false);
    const { capacity: _, ...missing } = sampleStatus();
    expect(StatusMessage.safeParse(missing).success).toBe(false);
  });

  it('telemetry and event batches as encoded parse', () => {
    const iso = new IsoFormatter();
    const t = batchPayload(batchHead('p', 'e1'), [
      encodeReading({ seq: 1, ts: T0, channel: 'battery.voltage', value: 12.8 }, iso),
      encodeReading({ seq: 2, ts: T0, channel: 'battery.soc', value: null }, iso),
    ]);
    expect(TelemetryBatch.safeParse(JSON.parse(t)).success).toBe(true);
    const e = batchPayload(batchHead('p', 'e1', true), [
      encodeEvent(
        { seq: 7, ts: T0, type: 'alarm.raised', level: 'alarm', message: 'cold', data: { a: 1 } },
        iso,
      ),
    ]);
    expect(EventBatch.safeParse(JSON.parse(e)).success).toBe(true);
    expect(TelemetryBatch.safeParse({ point: 'p', epoch: 'e', records: [] }).success).toBe(false);
  });

  it('online, info and desired take their documented shapes', () => {
    expect(
      OnlineMessage.safeParse({ online: false, ts: '2026-12-01T08:00:00.000Z', reason: 'lost' }).success,
    ).toBe(true);
    expect(OnlineMessage.safeParse({ online: 'yes', ts: '2026-12-01T08:00:00.000Z' }).success).toBe(false);
    expect(InfoMessage.safeParse({ ts: '2026-12-01T08:00:00.000Z' }).success).toBe(true);
    expect(InfoMessage.safeParse({ ts: '2026-12-01T08:00:00Z', location: { lat: 95, lon: 0 } }).success).toBe(
      false,
    );
    const desired = { id: 'd1', issuedAt: '2026-12-01T08:00:00Z', mode: 'closed', reason: 'curfew' };
    expect(DesiredMessage.safeParse(desired).success).toBe(true);
    expect(DesiredMessage.safeParse({ ...desired, mode: 'shut' }).success).toBe(false);
  });
});
