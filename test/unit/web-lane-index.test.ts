// The lane index as the viewer keeps it: grown batch by batch (a live trace), computed in slices
// (a filter over a million spans), always the same as one built at once.
import { describe, expect, it } from 'vitest';
import { FAMILY_COUNT } from '../../web/src/model/family-index.js';
import { searchMask, spanFilter, NO_FILTER } from '../../web/src/model/filters.js';
import { buildLaneIndex, LaneIndexBuilder, type LaneSpans } from '../../web/src/model/lane-index.js';
import { SPAN_FAILED, SpanBatchBuilder, SpanColumns } from '../../web/src/model/span-columns.js';

/** n spans over `lanes` lanes, a few starting before their lane's previous one; names a, b, c */
function spans(n: number, lanes: number, seed = 7): SpanBatchBuilder {
  const batch = new SpanBatchBuilder();
  const clock = new Float64Array(lanes);
  let state = seed;
  const random = () => ((state = (state * 1103515245 + 12345) & 0x7fffffff) / 0x7fffffff);
  for (let i = 0; i < n; i++) {
    const lane = Math.floor(random() * lanes);
    const late = random() < 0.01;
    const start = late ? clock[lane]! - 500 : clock[lane]!;
    clock[lane] = start + 100 + Math.floor(random() * 900);
    batch.push(Math.max(0, start), 50 + Math.floor(random() * 200), lane, i % 3, i % FAMILY_COUNT, i % 11 === 0 ? SPAN_FAILED : 0, i);
  }
  return batch;
}

function columnsOf(batch: SpanBatchBuilder): SpanColumns {
  const columns = new SpanColumns();
  columns.names.push('a', 'b', 'c');
  columns.append(batch.finish());
  return columns;
}

/** The index as plain arrays, to compare two of them. */
const plain = (index: readonly LaneSpans[]) =>
  index.map((lane) => ({ ids: Array.from(lane.ids), reach: Array.from(lane.reach), failed: Array.from(lane.failedPrefix), family: Array.from(lane.family) }));

describe('lane index', () => {
  it('grows batch by batch to the same index as one built at once, late spans sorted in', () => {
    const all = spans(20_000, 5).finish();
    const whole = new SpanColumns();
    whole.names.push('a', 'b', 'c');
    whole.append(all);
    const growing = new SpanColumns();
    growing.names.push('a', 'b', 'c');
    const builder = new LaneIndexBuilder();
    const filtered = new LaneIndexBuilder(spanFilter(growing, { ...NO_FILTER, names: new Set(['b']) }));
    for (let from = 0; from < all.count; from += 1777) {
      const to = Math.min(all.count, from + 1777);
      const slice = <T extends { subarray(a: number, b: number): T }>(column: T) => column.subarray(from, to);
      growing.append({ count: to - from, start: slice(all.start), dur: slice(all.dur), lane: slice(all.lane), name: slice(all.name), family: slice(all.family), flags: slice(all.flags), seq: slice(all.seq) });
      builder.build(growing, 5);
      filtered.build(growing, 5);
    }
    expect(plain(builder.build(growing, 5))).toEqual(plain(buildLaneIndex(whole, 5)));
    const onlyB = plain(filtered.build(growing, 5));
    expect(onlyB).toEqual(plain(buildLaneIndex(whole, 5, (id) => whole.name[id] === 1)));
    expect(onlyB.reduce((sum, lane) => sum + lane.ids.length, 0)).toBe(Math.floor((all.count + 1) / 3));
    for (const lane of buildLaneIndex(whole, 5)) for (let i = 1; i < lane.count; i++) expect(lane.start[i]!).toBeGreaterThanOrEqual(lane.start[i - 1]!);
  });

  it('filters a large trace in steps that each read a bounded number of spans, with the same result', () => {
    const columns = columnsOf(spans(300_000, 8));
    const include = spanFilter(columns, { ...NO_FILTER, failedOnly: true, hiddenFamilies: new Set([1]) })!;
    let calls = 0;
    const counting = (id: number) => {
      calls++;
      return include(id);
    };
    const steps = new LaneIndexBuilder(counting).steps(columns, 8);
    let yields = 0;
    let most = 0;
    let result = steps.next();
    while (!result.done) {
      yields++;
      most = Math.max(most, calls);
      calls = 0;
      result = steps.next();
    }
    expect(yields).toBeGreaterThan(4);
    expect(most).toBeLessThanOrEqual(1 << 14);
    expect(plain(result.value)).toEqual(plain(buildLaneIndex(columns, 8, include)));
    const shown = result.value.reduce((sum, lane) => sum + lane.count, 0);
    let expected = 0;
    for (let id = 0; id < columns.count; id++) if (columns.flags[id]! & SPAN_FAILED && columns.family[id] !== 1) expected++;
    expect(shown).toBe(expected);
  });

  it('reuses the arrays of an index no longer shown, with the same result as a fresh one', () => {
    const columns = columnsOf(spans(50_000, 6));
    const old = new LaneIndexBuilder(spanFilter(columns, { ...NO_FILTER, names: new Set(['a']) }));
    const oldLanes = old.build(columns, 6);
    const include = spanFilter(columns, { ...NO_FILTER, failedOnly: true })!;
    const reused = new LaneIndexBuilder(include, old).build(columns, 6);
    expect(reused[0]!.ids.buffer).toBe(oldLanes[0]!.ids.buffer);
    expect(plain(reused)).toEqual(plain(buildLaneIndex(columns, 6, include)));
  });

  it('shows a name that first appears after the name filter was set (a live trace)', () => {
    const columns = new SpanColumns();
    columns.names.push('a');
    const batch = new SpanBatchBuilder();
    batch.push(0, 10, 0, 0, 0, 0, 0);
    columns.append(batch.finish());
    const builder = new LaneIndexBuilder(spanFilter(columns, { ...NO_FILTER, names: new Set(['late']) }));
    expect(builder.build(columns, 1)[0]!.count).toBe(0);
    columns.names.push('late');
    const later = new SpanBatchBuilder();
    later.push(20, 10, 0, 1, 0, 0, 1);
    columns.append(later.finish());
    expect(Array.from(builder.build(columns, 1)[0]!.ids)).toEqual([1]);
  });

  it('marks search matches from record numbers in any order', () => {
    const columns = columnsOf(spans(1000, 3));
    const mask = searchMask(columns, [999, 5, 6, 2000, 0]);
    expect([...mask.keys()].filter((id) => mask[id] === 1)).toEqual([0, 5, 6, 999]);
  });
});
