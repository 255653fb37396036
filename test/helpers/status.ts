import type { StatusMessage } from '../../src/contract/status.js';

/** A complete, valid status message (CONTRACT.md §5) for tests that only care about a few fields. */
export function sampleStatus(over: Partial<StatusMessage> = {}): StatusMessage {
  return {
    point: 'test-point',
    name: 'Test point',
    status: 'OPEN',
    mode: 'auto',
    since: '2026-12-01T08:00:00.000Z',
    reasons: [],
    power: { source: 'grid', mainsPresent: true },
    battery: { soc: 90, voltage: 13.1, current: 1, power: 13, timeToGo: null },
    generator: { running: false, fuelLevel: null, load: null, runHours: null },
    temperatures: { indoor: 20 },
    occupancy: { count: 0, entries: 0, exits: 0, percent: 0 },
    capacity: 40,
    placesLeft: 40,
    services: {},
    uplink: { connected: false, backlog: { telemetry: 0, events: 0 } },
    epoch: 'test-epoch',
    ts: '2026-12-01T08:00:00.000Z',
    ...over,
  };
}
