// Where keyboard navigation goes from the current selection: the next syscall of a lane, the
// lane above or below, the next search match, the window that fits the selection. Pure: each
// returns a selection (or a time range) and the app applies it.
import { firstStartingAt, indexOfSpan, spanNear, type LaneSpans } from '../model/lane-index.js';
import type { TraceModel } from '../model/model-types.js';
import { selectedLane, type Selection } from './scene.js';

interface Where {
  readonly model: TraceModel;
  /** the filtered lane index */
  readonly lanes: readonly LaneSpans[];
  readonly selection: Selection | null;
}

/** The next or previous syscall shown in the selected lane (from the window's start if a lane is selected). */
export function stepInLane({ model, lanes, selection }: Where, direction: 1 | -1, windowStart: number): Selection | null {
  const ordinal = selectedLane({ model, selection });
  const lane = ordinal === null ? undefined : lanes[ordinal];
  if (!lane || lane.count === 0) return null;
  let next: number;
  if (selection?.kind === 'span') {
    const at = indexOfSpan(lane, model.columns, selection.span);
    next = at >= 0 ? at + direction : firstStartingAt(lane, model.columns.start[selection.span]!) - (direction < 0 ? 1 : 0);
  } else next = firstStartingAt(lane, windowStart);
  return next >= 0 && next < lane.count ? { kind: 'span', span: lane.ids[next]! } : null;
}

/** The lane above or below: its syscall nearest in time to the selected one, or the lane itself. */
export function neighbourLane({ model, lanes, selection }: Where, direction: 1 | -1): Selection | null {
  const ordinal = selectedLane({ model, selection });
  const row = ordinal === null ? (direction > 0 ? 0 : model.rows.length - 1) : model.lanes[ordinal]!.row + direction;
  const target = model.rows[row];
  if (target === undefined) return null;
  if (selection?.kind === 'span') {
    const spans = lanes[target];
    const i = spans ? spanNear(spans, model.columns.start[selection.span]!, Infinity) : -1;
    if (i >= 0) return { kind: 'span', span: spans!.ids[i]! };
  }
  return { kind: 'lane', lane: target };
}

/** The next (or previous) shown syscall in time after the selected one, across all lanes: search results. */
export function nextShown({ model, lanes, selection }: Where, direction: 1 | -1): Selection | null {
  const columns = model.columns;
  const current = selection?.kind === 'span' ? selection.span : -1;
  const from = current >= 0 ? columns.start[current]! : direction > 0 ? -Infinity : Infinity;
  let best = -1;
  for (const lane of lanes) {
    if (lane.count === 0) continue;
    let i = firstStartingAt(lane, from);
    if (direction > 0) {
      while (i < lane.count && lane.start[i]! === from && current >= 0 && lane.ids[i]! <= current) i++;
      if (i < lane.count && (best < 0 || lane.start[i]! < columns.start[best]!)) best = lane.ids[i]!;
    } else {
      i -= 1;
      if (i >= 0 && (best < 0 || lane.start[i]! > columns.start[best]!)) best = lane.ids[i]!;
    }
  }
  return best >= 0 ? { kind: 'span', span: best } : null;
}

/** The time range F fits: the selection with a margin, or null for the whole trace. */
export function fitRange(model: TraceModel, selection: Selection | null): [number, number] | null {
  const padded = (start: number, end: number): [number, number] => {
    const pad = Math.max((end - start) * 0.15, 500);
    return [start - pad, end + pad];
  };
  if (!selection) return null;
  switch (selection.kind) {
    case 'span':
      return padded(model.columns.start[selection.span]!, model.columns.end(selection.span));
    case 'lane':
      return padded(model.lanes[selection.lane]!.start, model.lanes[selection.lane]!.end ?? model.end);
    case 'phase':
      return padded(model.phases[selection.index]!.start, model.phases[selection.index]!.end);
    case 'namespace': {
      const ns = model.namespaces.find((item) => item.id === selection.id);
      return ns ? padded(ns.start, ns.end ?? model.end) : null;
    }
  }
}
