import type { HubStorage } from '../storage/types.js';
import { type PointView, pointView } from './point-view.js';

/** Every known point as the municipality sees it now. */
export async function fleetViews(
  storage: HubStorage,
  now: number,
  staleAfterSec: number,
): Promise<PointView[]> {
  return (await storage.points()).map((row) => pointView(row, now, staleAfterSec));
}
