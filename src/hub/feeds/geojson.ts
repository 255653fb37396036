/**
 * `/feeds/points.geojson` (CONTRACT.md §7): one Feature per point with a location (RFC 7946: lon, lat).
 * Built from point views, so a stale or offline point is UNKNOWN with placesLeft null — never a stale OPEN.
 */
import type { PointView } from '../fleet/point-view.js';

export interface PointFeature {
  type: 'Feature';
  id: string;
  geometry: { type: 'Point'; coordinates: [number, number] };
  properties: {
    id: string;
    name: string;
    address: string | null;
    state: PointView['state'];
    placesLeft: number | null;
    services: string[];
    updated: string | null;
  };
}

export interface PointCollection {
  type: 'FeatureCollection';
  features: PointFeature[];
}

export function pointsGeoJson(views: readonly PointView[]): PointCollection {
  const features: PointFeature[] = [];
  for (const v of views) {
    if (!v.location) continue;
    features.push({
      type: 'Feature',
      id: v.id,
      geometry: { type: 'Point', coordinates: [v.location.lon, v.location.lat] },
      properties: {
        id: v.id,
        name: v.name,
        address: v.address,
        state: v.state,
        placesLeft: v.placesLeft,
        services: v.services,
        updated: v.lastSeen,
      },
    });
  }
  return { type: 'FeatureCollection', features };
}
