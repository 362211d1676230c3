// Which spans are shown: by syscall name, family, process (lane), failure, and search matches.
import { SPAN_FAILED, type SpanColumns } from './span-columns.js';

export interface FilterState {
  /** syscall names to show; null shows every name */
  readonly names: ReadonlySet<string> | null;
  /** family indexes hidden */
  readonly hiddenFamilies: ReadonlySet<number>;
  /** lanes to show; null shows every lane */
  readonly lanes: ReadonlySet<number> | null;
  readonly failedOnly: boolean;
  /** search matches by span id (1 = matches); null when no search is active */
  readonly matches: Uint8Array | null;
}

export const NO_FILTER: FilterState = { names: null, hiddenFamilies: new Set(), lanes: null, failedOnly: false, matches: null };

export function isFiltering(state: FilterState): boolean {
  return state.names !== null || state.hiddenFamilies.size > 0 || state.lanes !== null || state.failedOnly || state.matches !== null;
}

/**
 * A predicate over span ids, or undefined when every span is shown. Sets are turned into lookup
 * tables first: the predicate runs once per span (millions), a Set lookup each time would be
 * most of the cost of filtering.
 */
export function spanFilter(columns: SpanColumns, state: FilterState): ((id: number) => boolean) | undefined {
  if (!isFiltering(state)) return undefined;
  const nameShown = new Uint8Array(Math.max(1, columns.names.length)).fill(state.names ? 0 : 1);
  if (state.names) columns.names.forEach((name, id) => (nameShown[id] = state.names!.has(name) ? 1 : 0));
  const familyShown = new Uint8Array(256).fill(1);
  for (const family of state.hiddenFamilies) familyShown[family] = 0;
  const laneShown = state.lanes ? Uint8Array.from({ length: Math.max(0, ...state.lanes) + 1 }, (_, lane) => (state.lanes!.has(lane) ? 1 : 0)) : null;
  const failedMask = state.failedOnly ? SPAN_FAILED : 0;
  const { matches } = state;
  // names seen after the filter was set (a live trace): looked up by name
  const shownName = (n: number) => (n < nameShown.length ? nameShown[n] === 1 : !state.names || state.names.has(columns.names[n]!));
  // the columns' arrays are read at each call: a live trace replaces them as they grow
  return (id) =>
    shownName(columns.name[id]!) &&
    familyShown[columns.family[id]!] === 1 &&
    (laneShown === null || laneShown[columns.lane[id]!] === 1) &&
    (columns.flags[id]! & failedMask) === failedMask &&
    (matches === null || matches[id] === 1);
}

/** Span-id mask from the record numbers a search found: one walk along both (sorted), since span ids follow record numbers. */
export function searchMask(columns: SpanColumns, found: ArrayLike<number>): Uint8Array {
  let seqs = found;
  for (let i = 1; i < found.length; i++) {
    if (found[i]! < found[i - 1]!) {
      seqs = Float64Array.from(found).sort();
      break;
    }
  }
  const mask = new Uint8Array(columns.count);
  const spanSeq = columns.seq;
  let span = 0;
  for (let i = 0; i < seqs.length; i++) {
    const seq = seqs[i]!;
    while (span < columns.count && spanSeq[span]! < seq) span++;
    if (span < columns.count && spanSeq[span] === seq) mask[span] = 1;
  }
  return mask;
}
