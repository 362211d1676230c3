// Level of detail: spans at least a pixel wide are drawn one by one; runs of narrower spans are
// merged into one bucket per pixel column, summarised by their dominant family and failure count.
// The work per lane is bounded by the pixels, not by the spans.
import { FAMILY_COUNT } from './family-index.js';
import { familyCounts, firstReaching, firstStartingAt, type LaneSpans } from './lane-index.js';

export interface LodVisitor {
  /** one span: its index in the lane */
  span(index: number): void;
  /** spans [from, to) merged: drawn from startT to endT (the end of the last of them) */
  bucket(from: number, to: number, startT: number, endT: number, family: number, failed: number): void;
}

/** Visit what to draw of a lane between t0 and t1, at nsPerPixel ns per pixel. */
export function visitLane(lane: LaneSpans, t0: number, t1: number, nsPerPixel: number, visitor: LodVisitor, minPixels = 1): void {
  const minDuration = nsPerPixel * minPixels;
  let i = firstReaching(lane, t0);
  while (i < lane.count && lane.start[i]! <= t1) {
    if (lane.end[i]! - lane.start[i]! >= minDuration) {
      visitor.span(i);
      i++;
      continue;
    }
    // the pixel column this span starts in, and every span starting in the same column
    const column = Math.floor((lane.start[i]! - t0) / nsPerPixel);
    const columnEnd = t0 + (column + 1) * nsPerPixel;
    const to = Math.max(i + 1, firstStartingAt(lane, columnEnd, i + 1));
    if (to === i + 1) {
      visitor.span(i);
      i++;
      continue;
    }
    visitor.bucket(i, to, lane.start[i]!, Math.max(lane.end[to - 1]!, lane.start[i]!), dominantFamily(lane, i, to), lane.failedPrefix[to]! - lane.failedPrefix[i]!);
    i = to;
  }
}

const counts = new Uint32Array(FAMILY_COUNT);

export function dominantFamily(lane: LaneSpans, from: number, to: number): number {
  familyCounts(lane, from, to, counts);
  let best = 0;
  for (let f = 1; f < FAMILY_COUNT; f++) if (counts[f]! > counts[best]!) best = f;
  return best;
}
