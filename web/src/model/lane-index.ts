// Per-lane views of the span columns, sorted by start, with counts per family every BLOCK spans
// and a running count of failures, so a level-of-detail bucket of any size is summarised in a
// few dozen reads.
import { FAMILY_COUNT } from './family-index.js';
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

/** Spans read between two yields of LaneIndexBuilder.steps: a few ms of work. */
const STEP_SPANS = 1 << 14;

/** One lane's spans as they are added, in arrays that grow by doubling. */
class LaneBuffer {
  count = 0;
  ids = new Uint32Array(64);
  start = new Float64Array(64);
  end = new Float64Array(64);
  reach = new Float64Array(64);
  family = new Uint8Array(64);
  familyBlocks = new Uint32Array(4 * FAMILY_COUNT);
  failedPrefix = new Uint32Array(65);
  private readonly running = new Uint32Array(FAMILY_COUNT);
  private furthest = -Infinity;
  private failed = 0;
  /** a span arrived that starts before the last one: sort before showing */
  unsorted = false;

  push(id: number, s: number, e: number, f: number, failed: boolean): void {
    const i = this.count;
    if (i === this.ids.length) this.grow();
    if (i > 0 && s < this.start[i - 1]!) this.unsorted = true;
    this.ids[i] = id;
    this.start[i] = s;
    this.end[i] = e;
    if (e > this.furthest) this.furthest = e;
    this.reach[i] = this.furthest;
    this.family[i] = f;
    this.running[f]!++;
    if (failed) this.failed++;
    this.failedPrefix[i + 1] = this.failed;
    this.count = i + 1;
    if (this.count % BLOCK === 0) this.familyBlocks.set(this.running, (this.count / BLOCK) * FAMILY_COUNT);
  }

  /** Empty again, keeping its arrays (a new filter reuses an old one's memory). */
  clear(): void {
    this.count = 0;
    this.running.fill(0);
    this.furthest = -Infinity;
    this.failed = 0;
    this.unsorted = false;
  }

  /** Re-adds every span in start order (then id order). */
  sort(columns: SpanColumns): void {
    const ids = Array.from(this.ids.subarray(0, this.count)).sort((a, b) => columns.start[a]! - columns.start[b]! || a - b);
    this.count = 0;
    this.running.fill(0);
    this.furthest = -Infinity;
    this.failed = 0;
    this.unsorted = false;
    for (const id of ids) this.push(id, columns.start[id]!, columns.start[id]! + columns.dur[id]!, columns.family[id]!, (columns.flags[id]! & SPAN_FAILED) !== 0);
  }

  view(): LaneSpans {
    const n = this.count;
    return {
      count: n,
      ids: this.ids.subarray(0, n),
      start: this.start.subarray(0, n),
      end: this.end.subarray(0, n),
      reach: this.reach.subarray(0, n),
      family: this.family.subarray(0, n),
      familyBlocks: this.familyBlocks,
      failedPrefix: this.failedPrefix.subarray(0, n + 1),
    };
  }

  /** Room for `more` spans beyond those held (one allocation instead of doubling many times). */
  reserve(more: number): void {
    let size = this.ids.length;
    while (size < this.count + more) size *= 2;
    if (size > this.ids.length) this.grow(size);
  }

  private grow(size = this.ids.length * 2): void {
    const grown = <T extends Float64Array | Uint32Array | Uint8Array>(old: T, next: T): T => {
      next.set(old as never);
      return next;
    };
    this.ids = grown(this.ids, new Uint32Array(size));
    this.start = grown(this.start, new Float64Array(size));
    this.end = grown(this.end, new Float64Array(size));
    this.reach = grown(this.reach, new Float64Array(size));
    this.family = grown(this.family, new Uint8Array(size));
    this.failedPrefix = grown(this.failedPrefix, new Uint32Array(size + 1));
    this.familyBlocks = grown(this.familyBlocks, new Uint32Array((size / BLOCK + 1) * FAMILY_COUNT));
  }
}

/**
 * A lane index that grows with the columns: each call to steps() adds the spans that arrived
 * since the last one (a live trace costs the new spans, not all of them), yielding every
 * STEP_SPANS spans so the caller can spread the work over several tasks.
 */
export class LaneIndexBuilder {
  private buffers: LaneBuffer[] = [];
  private next = 0;

  /**
   * `include` (by span id) filters, e.g. for search and filters. `reuse`: an index no longer
   * shown, whose arrays this one takes over: toggling a filter on a million spans then allocates
   * nothing, and sets off no garbage collection in the middle of the frames.
   */
  constructor(private readonly include?: (id: number) => boolean, reuse?: LaneIndexBuilder) {
    if (reuse) {
      this.buffers = reuse.buffers;
      reuse.buffers = [];
      for (const buffer of this.buffers) buffer.clear();
    }
  }

  /** Spans taken so far. */
  get spansRead(): number {
    return this.next;
  }

  *steps(columns: SpanColumns, laneCount: number): Generator<void, LaneSpans[]> {
    const buffers = this.buffers;
    while (buffers.length < laneCount) buffers.push(new LaneBuffer());
    if (columns.count - this.next > STEP_SPANS) yield* this.addMany(columns, columns.count);
    while (this.next < columns.count) {
      const to = Math.min(columns.count, this.next + STEP_SPANS);
      this.add(columns, this.next, to, null);
      this.next = to;
      if (to < columns.count) yield;
    }
    for (const buffer of buffers) if (buffer.unsorted) buffer.sort(columns);
    return buffers.map((buffer) => buffer.view());
  }

  /**
   * Many spans at once (a whole trace, a new filter): first which pass and how many per lane, so
   * each lane's arrays are allocated once at their size, then the spans themselves.
   */
  private *addMany(columns: SpanColumns, to: number): Generator<void> {
    const from = this.next;
    const include = this.include;
    const keep = include ? new Uint8Array(to - from) : null;
    let perLane = new Uint32Array(Math.max(1, this.buffers.length));
    let lanes = this.buffers.length;
    for (let at = from; at < to; at += STEP_SPANS) {
      const lane = columns.lane;
      const end = Math.min(to, at + STEP_SPANS);
      for (let id = at; id < end; id++) {
        if (include && !include(id)) continue;
        if (keep) keep[id - from] = 1;
        const ordinal = lane[id]!;
        if (ordinal >= perLane.length) {
          const wider = new Uint32Array(ordinal * 2 + 1);
          wider.set(perLane);
          perLane = wider;
        }
        perLane[ordinal]!++;
        if (ordinal >= lanes) lanes = ordinal + 1;
      }
      yield;
    }
    while (this.buffers.length < lanes) this.buffers.push(new LaneBuffer());
    let allocated = 0;
    for (let ordinal = 0; ordinal < this.buffers.length; ordinal++) {
      const n = perLane[ordinal]!;
      if (n === 0) continue;
      this.buffers[ordinal]!.reserve(n);
      allocated += n;
      if (allocated >= STEP_SPANS) {
        allocated = 0;
        yield;
      }
    }
    for (let at = from; at < to; at += STEP_SPANS) {
      const end = Math.min(to, at + STEP_SPANS);
      this.add(columns, at, end, keep === null ? null : (id) => keep[id - from] === 1);
      this.next = end;
      if (end < to) yield;
    }
  }

  /** Spans [from, to) that pass `kept` (or the filter, if null). */
  private add(columns: SpanColumns, from: number, to: number, kept: ((id: number) => boolean) | null): void {
    const include = kept ?? this.include;
    const buffers = this.buffers;
    // the columns' arrays are replaced when they grow (a live trace, between two yields): read them each time
    const { lane, start, dur, family, flags } = columns;
    for (let id = from; id < to; id++) {
      if (include && !include(id)) continue;
      const s = start[id]!;
      const ordinal = lane[id]!;
      while (buffers.length <= ordinal) buffers.push(new LaneBuffer());
      buffers[ordinal]!.push(id, s, s + dur[id]!, family[id]!, (flags[id]! & SPAN_FAILED) !== 0);
    }
  }

  /** All the steps at once. */
  build(columns: SpanColumns, laneCount: number): LaneSpans[] {
    return runToEnd(this.steps(columns, laneCount));
  }
}

export function runToEnd<T>(steps: Generator<void, T>): T {
  for (;;) {
    const step = steps.next();
    if (step.done) return step.value;
  }
}

/** Spans of every lane; `include` (by span id) filters, e.g. for search and filters. */
export function buildLaneIndex(columns: SpanColumns, laneCount: number, include?: (id: number) => boolean): LaneSpans[] {
  return new LaneIndexBuilder(include).build(columns, laneCount);
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
