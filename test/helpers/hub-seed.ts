/**
 * A large fleet written straight into hub storage, for the dashboard's scale test and benchmark: n
 * points with a status (states, power, energy and indoor temperatures spread so every filter and the
 * "needs action" list have members), an info with a location, online, and a desired state for every
 * other point. Optionally a day of telemetry for some points (the per-point page's charts).
 */
import { POINT_STATES } from '../../src/contract/common.js';
import { emptyWork, type HubStorage, type TelemetryRow } from '../../src/hub/storage/types.js';
import { CHART_CHANNELS } from '../../src/hub/web/point-history.js';
import { sampleStatus } from './status.js';

export const seedPointId = (i: number): string => `p-${String(i).padStart(4, '0')}`;

export interface SeedOptions {
  /** Hub time the statuses arrived; they are as fresh as `now`. */
  now: number;
  /** Points (from 0) that get `telemetryHours` of readings, one a minute on each chart channel. */
  telemetryFor?: readonly number[];
  telemetryHours?: number;
}

export async function seedFleet(storage: HubStorage, n: number, opts: SeedOptions): Promise<void> {
  const { now } = opts;
  const work = emptyWork();
  for (let i = 0; i < n; i++) {
    const point = seedPointId(i);
    const ts = new Date(now - (i % 7) * 1000).toISOString();
    const status = sampleStatus({
      point,
      name: `Point ${i}`,
      status: POINT_STATES[i % POINT_STATES.length],
      power: { source: i % 3 === 0 ? 'grid' : 'generator', mainsPresent: i % 3 === 0 },
      battery: { soc: 50, voltage: 12.4, current: -4, power: -50, timeToGo: 300, hoursLeft: (i % 40) + 0.5 },
      generator: { running: true, fuelLevel: 40, load: 30, runHours: 10, fuelHoursLeft: (i % 25) + 1 },
      temperatures: { indoor: 15 + (i % 8) },
      placesLeft: i % 60,
      capacity: 60,
      epoch: 'e',
      ts,
    });
    work.statuses.push({
      point,
      epoch: 'e',
      ts: Date.parse(ts),
      receivedAt: now,
      state: status.status,
      body: JSON.stringify(status),
    });
    work.infos.push({
      point,
      ts: now,
      receivedAt: now,
      body: JSON.stringify({
        name: `Point ${i}`,
        address: `Street ${i % 50}, District ${i % 12}`,
        location: { lat: 50 + (i % 50) / 10, lon: 24 + i / 100 },
        ts,
      }),
    });
    work.onlines.push({ point, online: true, ts: now, receivedAt: now, reason: null, epoch: 'e' });
  }
  await storage.commit(work);
  for (let i = 0; i < n; i += 2) {
    const point = seedPointId(i);
    const body = JSON.stringify({ id: `d-${i}`, issuedAt: new Date(now).toISOString(), mode: 'open' });
    await storage.saveDesired({ point, id: `d-${i}`, issuedAt: now, body });
  }
  const minutes = Math.round((opts.telemetryHours ?? 24) * 60);
  for (const i of opts.telemetryFor ?? []) {
    const records: TelemetryRow[] = [];
    for (let m = 0; m < minutes; m++) {
      const ts = now - (minutes - m) * 60_000;
      CHART_CHANNELS.forEach((channel, c) => {
        records.push({ seq: records.length + 1, ts, channel, value: 20 + ((m + c * 7) % 60) });
      });
    }
    const batch = emptyWork();
    batch.batches.push({ point: seedPointId(i), epoch: 'e', stream: 'telemetry', records });
    await storage.commit(batch);
  }
}
