// Clone arrows parent → child: from the clone/fork/vfork/clone3 records, and inferred from the
// parent pid for children whose creating call was not traced.
import type { SyscallRecord } from '../../../tracer/trace/records.js';
import { childTidOf, cloneFlagsOf } from '../../../tracer/analysis/clone-flags.js';
import type { CloneArrow, Lane } from './model-types.js';
import type { KeptRecord } from './record-ingest.js';

function childLane(lanesOfTid: ReadonlyMap<number, Lane[]>, tid: number, t: number): Lane | null {
  let before: Lane | null = null;
  let after: Lane | null = null;
  for (const lane of lanesOfTid.get(tid) ?? []) {
    if (lane.start >= t) {
      if (!after || lane.start < after.start) after = lane;
    } else if (!before || lane.start > before.start) before = lane;
  }
  return after ?? before;
}

export function deriveArrows(lanes: readonly Lane[], kept: readonly KeptRecord[]): CloneArrow[] {
  const arrows: CloneArrow[] = [];
  const explained = new Set<number>();
  const lanesOfTid = new Map<number, Lane[]>();
  for (const lane of lanes) lanesOfTid.set(lane.tid, [...(lanesOfTid.get(lane.tid) ?? []), lane]);
  for (const { seq, lane, span, record } of kept) {
    if (record.type !== 'syscall') continue;
    const tid = childTidOf(record);
    if (tid === null) continue;
    const child = childLane(lanesOfTid, tid, record.t);
    if (!child || child.ordinal === lane || explained.has(child.ordinal)) continue;
    explained.add(child.ordinal);
    arrows.push({
      fromLane: lane,
      toLane: child.ordinal,
      fromT: record.t,
      toT: child.start,
      seq,
      span,
      call: record.name,
      thread: cloneFlagsOf(record as SyscallRecord).includes('CLONE_THREAD'),
    });
  }
  for (const lane of lanes) {
    if (lane.parent === null || explained.has(lane.ordinal)) continue;
    arrows.push({ fromLane: lane.parent, toLane: lane.ordinal, fromT: lane.start, toT: lane.start, seq: null, span: -1, call: 'clone', thread: lane.isThread });
  }
  return arrows.sort((a, b) => a.fromT - b.fromT);
}
