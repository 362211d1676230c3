// Per-lane views of the span columns, sorted by start, with counts per family every BLOCK spans
// and a running count of failures, so a level-of-detail bucket of any size is summarised in a
// few dozen reads.
import { FAMILY_COUNT } from './families.js';
import { SPAN_FAILED, type SpanColumns } from './span-columns.js';

export const BLOCK = 32;

export interface LaneSpans {
  readonly count: number;
  /** span ids, sorted by start */
  readonly ids: Uint32Array;
  readonly start: Float64Array;
  readonly end: Float64Array;
  /** running maximum of end: monotonic, so a binary search finds the first span reaching t */
  readonly reach: Float64Array;
  /** family index of each span, in lane order */
  readonly family: Uint8Array;
  /** familyBlocks[b * FAMILY_COUNT + f]: spans of family f among the first b * BLOCK */
  readonly familyBlocks: Uint32Array;
  /** failedPrefix[i]: failed spans among the first i */
  readonly failedPrefix: Uint32Array;
}

/** Spans of every lane; `include` (by span id) filters, e.g. for search and filters. */
export function buildLaneIndex(columns: SpanColumns, laneCount: number, include?: (id: number) => boolean): LaneSpans[] {
  const counts = new Uint32Array(laneCount);
  const n = columns.count;
  const keep = include ? new Uint8Array(n) : null;
  for (let id = 0; id < n; id++) {
    if (keep) {
      if (!include!(id)) continue;
      keep[id] = 1;
    }
    counts[columns.lane[id]!]!++;
  }
  const ids = Array.from({ length: laneCount }, (_, lane) => new Uint32Array(counts[lane]!));
  const fill = new Uint32Array(laneCount);
  for (let id = 0; id < n; id++) {
    if (keep && !keep[id]) continue;
    const lane = columns.lane[id]!;
    ids[lane]![fill[lane]!++] = id;
  }
  return ids.map((laneIds) => laneSpans(columns, laneIds));
}

function laneSpans(columns: SpanColumns, ids: Uint32Array): LaneSpans {
  const count = ids.length;
  let sorted = true;
  for (let i = 1; i < count && sorted; i++) sorted = columns.start[ids[i]!]! >= columns.start[ids[i - 1]!]!;
  if (!sorted) ids.set(Array.from(ids).sort((a, b) => columns.start[a]! - columns.start[b]! || a - b));
  const start = new Float64Array(count);
  const end = new Float64Array(count);
  const reach = new Float64Array(count);
  const family = new Uint8Array(count);
  const familyBlocks = new Uint32Array((Math.floor(count / BLOCK) + 1) * FAMILY_COUNT);
  const failedPrefix = new Uint32Array(count + 1);
  const running = new Uint32Array(FAMILY_COUNT);
  const columnStart = columns.start;
  const columnDur = columns.dur;
  const columnFamily = columns.family;
  const columnFlags = columns.flags;
  let furthest = -Infinity;
  let failed = 0;
  for (let i = 0; i < count; i++) {
    if (i % BLOCK === 0) familyBlocks.set(running, (i / BLOCK) * FAMILY_COUNT);
    const id = ids[i]!;
    const s = columnStart[id]!;
    const e = s + columnDur[id]!;
    start[i] = s;
    end[i] = e;
    if (e > furthest) furthest = e;
    reach[i] = furthest;
    const f = columnFamily[id]!;
    family[i] = f;
    running[f]!++;
    if (columnFlags[id]! & SPAN_FAILED) failed++;
    failedPrefix[i + 1] = failed;
  }
  if (count % BLOCK === 0) familyBlocks.set(running, (count / BLOCK) * FAMILY_COUNT);
  return { count, ids, start, end, reach, family, familyBlocks, failedPrefix };
}

/** Counts per family of spans [from, to) into `out`. */
export function familyCounts(lane: LaneSpans, from: number, to: number, out: Uint32Array): void {
  out.fill(0);
  const family = lane.family;
  if (to - from < 2 * BLOCK) {
    for (let i = from; i < to; i++) out[family[i]!]!++;
    return;
  }
  const firstBlock = Math.ceil(from / BLOCK);
  const lastBlock = Math.floor(to / BLOCK);
  for (let i = from; i < firstBlock * BLOCK; i++) out[family[i]!]!++;
  const blocks = lane.familyBlocks;
  for (let f = 0; f < FAMILY_COUNT; f++) out[f]! += blocks[lastBlock * FAMILY_COUNT + f]! - blocks[firstBlock * FAMILY_COUNT + f]!;
  for (let i = lastBlock * BLOCK; i < to; i++) out[family[i]!]!++;
}

/** First index whose span reaches t or later (count if none). */
export function firstReaching(lane: LaneSpans, t: number): number {
  let low = 0;
  let high = lane.count;
  while (low < high) {
    const middle = (low + high) >>> 1;
    if (lane.reach[middle]! < t) low = middle + 1;
    else high = middle;
  }
  return low;
}

/** First index in [from, count) whose span starts at t or later. Gallops first: the answer is usually near. */
export function firstStartingAt(lane: LaneSpans, t: number, from = 0): number {
  const start = lane.start;
  let low = from;
  let step = 1;
  while (low + step < lane.count && start[low + step]! < t) {
    low += step;
    step *= 2;
  }
  let high = Math.min(lane.count, low + step);
  while (low < high) {
    const middle = (low + high) >>> 1;
    if (start[middle]! < t) low = middle + 1;
    else high = middle;
  }
  return low;
}

/** Index of the span in the lane containing t, or the nearest one within `tolerance` ns; -1 if none. */
export function spanNear(lane: LaneSpans, t: number, tolerance: number): number {
  const i = firstStartingAt(lane, t);
  let best = -1;
  let bestDistance = tolerance;
  for (const j of [i - 1, i, i - 2, i + 1]) {
    if (j < 0 || j >= lane.count) continue;
    const distance = t < lane.start[j]! ? lane.start[j]! - t : t > lane.end[j]! ? t - lane.end[j]! : 0;
    if (distance <= bestDistance) {
      if (distance < bestDistance || best < 0) best = j;
      bestDistance = distance;
    }
  }
  return best;
}

/** Position of span id in the lane, or -1. */
export function indexOfSpan(lane: LaneSpans, columns: SpanColumns, id: number): number {
  let i = firstStartingAt(lane, columns.start[id]!);
  for (; i < lane.count && lane.start[i] === columns.start[id]; i++) if (lane.ids[i] === id) return i;
  return -1;
}
