import { describe, expect, it } from 'vitest';
import { statusChannels, withNewerReadings } from '../../../src/point/status-refresh.js';
import { sampleStatus } from '../../helpers/status.js';

const AS_OF = Date.parse('2026-12-01T08:00:00.000Z');
const at = (value: number | null, dt: number) => ({ value, ts: AS_OF + dt });

describe('withNewerReadings (pima-kiosk status over the saved snapshot)', () => {
  const saved = sampleStatus();

  it('lays each sensor reading newer than the snapshot over it, flags as booleans, nulls as null', () => {
    const out = withNewerReadings(
      saved,
      new Map([
        ['battery.soc', at(80, 5000)],
        ['battery.voltage', at(12.9, -5000)], // older than the snapshot: the snapshot's stays
        ['mains.present', at(0, 1000)],
        ['temperature.indoor', at(null, 2000)],
        ['generator.running', at(1, 1000)],
      ]),
    );
    expect(out.battery).toMatchObject({ soc: 80, voltage: 13.1 });
    expect(out.power.mainsPresent).toBe(false);
    expect(out.generator.running).toBe(true);
    expect(out.temperatures.indoor).toBeNull();
    // the state and the model's figures are the snapshot's; the snapshot itself is untouched
    expect(out.status).toBe(saved.status);
    expect(saved.battery.soc).toBe(90);
  });

  it('recomputes the places from a newer people count', () => {
    const out = withNewerReadings(
      saved,
      new Map([
        ['occupancy.count', at(12, 1000)],
        ['occupancy.entries', at(14, 1000)],
      ]),
    );
    expect(out.occupancy).toMatchObject({ count: 12, entries: 14, exits: 0, percent: 30 });
    expect(out.placesLeft).toBe(28);
    expect(withNewerReadings(saved, new Map())).toEqual(saved);
  });

  it('asks for the channels the status shows, temperatures by name', () => {
    expect(statusChannels(saved)).toEqual(
      expect.arrayContaining(['battery.soc', 'mains.present', 'temperature.indoor', 'occupancy.count']),
    );
  });
});
