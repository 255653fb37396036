import type { CliIo } from '../../cli/io.js';
import { classifyHoles, type GapReport } from '../fleet/gaps.js';
import type { GapNotice } from '../storage/types.js';
import { loadHubConfig, withStorage } from './context.js';

/** `pima-hub gaps`: missing seq ranges per (point, epoch, stream), explained or pending. */
export async function gaps(
  io: CliIo,
  opts: { config?: string; point?: string; json?: boolean },
): Promise<number> {
  const { config } = loadHubConfig(io, opts.config);
  const reports = await withStorage(config, async (storage) => {
    const out: GapReport[] = [];
    const notices = new Map<string, GapNotice[]>();
    for (const lane of await storage.lanes(opts.point)) {
      if (lane.maxSeq <= lane.contiguous) continue;
      let mine = notices.get(lane.point);
      if (!mine) {
        mine = await storage.gapNotices(lane.point);
        notices.set(lane.point, mine);
      }
      out.push(...classifyHoles(lane, await storage.holes(lane), mine));
    }
    return out;
  });
  if (opts.json) {
    io.stdout(`${JSON.stringify(reports, null, 2)}\n`);
    return 0;
  }
  if (reports.length === 0) io.stdout('no gaps\n');
  for (const g of reports) {
    io.stdout(`${g.point} ${g.stream} epoch ${g.epoch}: seq ${g.from}..${g.to} (${g.count}) ${g.status}\n`);
  }
  return 0;
}
