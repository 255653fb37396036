/**
 * "Where to send people": the nearest points that are open now (OPEN or OPEN_LIMITED, never UNKNOWN)
 * and have places left, by great-circle distance from a place. Pure.
 */
import type { DashboardRow } from './dashboard-row.js';

const EARTH_KM = 6371;

export interface NearbyPoint {
  id: string;
  name: string;
  address: string | null;
  km: number;
  placesLeft: number;
}

export function distanceKm(a: { lat: number; lon: number }, b: { lat: number; lon: number }): number {
  const rad = Math.PI / 180;
  const dLat = (b.lat - a.lat) * rad;
  const dLon = (b.lon - a.lon) * rad;
  const h = Math.sin(dLat / 2) ** 2 + Math.cos(a.lat * rad) * Math.cos(b.lat * rad) * Math.sin(dLon / 2) ** 2;
  return 2 * EARTH_KM * Math.asin(Math.min(1, Math.sqrt(h)));
}

export function nearestOpen(
  rows: readonly DashboardRow[],
  from: { lat: number; lon: number },
  limit: number,
  exceptId?: string,
): NearbyPoint[] {
  return rows
    .filter(
      (r) =>
        r.id !== exceptId &&
        (r.state === 'OPEN' || r.state === 'OPEN_LIMITED') &&
        r.location !== null &&
        (r.placesLeft ?? 0) > 0,
    )
    .map((r) => ({
      id: r.id,
      name: r.name,
      address: r.address,
      km: Math.round(distanceKm(from, r.location as { lat: number; lon: number }) * 10) / 10,
      placesLeft: r.placesLeft as number,
    }))
    .sort((a, b) => a.km - b.km || a.id.localeCompare(b.id))
    .slice(0, limit);
}
