/** Missing seq ranges of a lane, each explained (a point's gap event names it) or pending. Pure. */
import type { GapNotice, LaneRow, SeqRange } from '../storage/types.js';

export interface GapReport {
  point: string;
  epoch: string;
  stream: LaneRow['stream'];
  from: number;
  to: number;
  count: number;
  status: 'explained' | 'pending';
}

/**
 * Splits each hole by the notices that cover it: the covered parts are explained, the rest pending
 * (the point may still send them, or they were lost without a word — then they stay pending).
 */
export function classifyHoles(
  lane: LaneRow,
  holes: readonly SeqRange[],
  notices: readonly GapNotice[],
): GapReport[] {
  const mine = notices
    .filter((n) => n.epoch === lane.epoch && n.stream === lane.stream)
    .sort((a, b) => a.from - b.from);
  const out: GapReport[] = [];
  const push = (from: number, to: number, status: GapReport['status']) => {
    if (to < from) return;
    out.push({
      point: lane.point,
      epoch: lane.epoch,
      stream: lane.stream,
      from,
      to,
      count: to - from + 1,
      status,
    });
  };
  for (const hole of holes) {
    let pos = hole.from;
    for (const n of mine) {
      if (n.to < pos || n.from > hole.to) continue;
      push(pos, Math.min(n.from - 1, hole.to), 'pending');
      const end = Math.min(n.to, hole.to);
      push(Math.max(n.from, pos), end, 'explained');
      pos = end + 1;
      if (pos > hole.to) break;
    }
    push(pos, hole.to, 'pending');
  }
  return out;
}
