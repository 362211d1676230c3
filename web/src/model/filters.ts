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

/** A predicate over span ids, or undefined when every span is shown. */
export function spanFilter(columns: SpanColumns, state: FilterState): ((id: number) => boolean) | undefined {
  if (!isFiltering(state)) return undefined;
  const nameIds = state.names ? new Set(columns.names.flatMap((name, id) => (state.names!.has(name) ? [id] : []))) : null;
  const hidden = state.hiddenFamilies;
  const { lanes, failedOnly, matches } = state;
  return (id) =>
    (nameIds === null || nameIds.has(columns.name[id]!)) &&
    !hidden.has(columns.family[id]!) &&
    (lanes === null || lanes.has(columns.lane[id]!)) &&
    (!failedOnly || (columns.flags[id]! & SPAN_FAILED) !== 0) &&
    (matches === null || matches[id] === 1);
}

/** Span-id mask from the record numbers a search found. */
export function searchMask(columns: SpanColumns, seqs: ArrayLike<number>): Uint8Array {
  const mask = new Uint8Array(columns.count);
  for (let i = 0; i < seqs.length; i++) {
    const span = columns.spanOfSeq(seqs[i]!);
    if (span >= 0) mask[span] = 1;
  }
  return mask;
}
