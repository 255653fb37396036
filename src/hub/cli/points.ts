import type { CliIo } from '../../cli/io.js';
import { fleetViews } from '../fleet/fleet.js';
import type { PointView } from '../fleet/point-view.js';
import { loadHubConfig, withStorage } from './context.js';

/** `pima-hub points`: every known point, UNKNOWN when stale or offline (CONTRACT.md §7). */
export async function points(io: CliIo, opts: { config?: string; json?: boolean }): Promise<number> {
  const { config } = loadHubConfig(io, opts.config);
  const views = await withStorage(config, (s) => fleetViews(s, io.clock.now(), config.points.staleAfterSec));
  if (opts.json) {
    io.stdout(`${JSON.stringify(views, null, 2)}\n`);
    return 0;
  }
  io.stdout(`${['id', 'state', 'places', 'hours', 'alarms', 'last seen', 'name'].join('\t')}\n`);
  for (const v of views) io.stdout(`${row(v).join('\t')}\n`);
  return 0;
}

function row(v: PointView): string[] {
  return [
    v.id,
    v.unknownBecause ? `UNKNOWN (${v.unknownBecause})` : v.state,
    v.placesLeft === null ? '-' : String(v.placesLeft),
    v.hoursLeft === null ? '-' : String(v.hoursLeft),
    String(v.alarms.length),
    v.lastSeen ?? 'never',
    v.name,
  ];
}
