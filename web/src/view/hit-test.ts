// From a pointer position to what is under it: a span, a lane, a phase, a namespace.
import { spanNear } from '../model/lane-index.js';
import { GUTTER, LANE_HEIGHT, NAMESPACE_ROW_HEIGHT, PHASE_BAND_HEIGHT, SPAN_HEIGHT, SPAN_TOP, laneY } from './layout.js';
import { namespaceRowY, namespaceRows } from './render-top.js';
import type { Scene, Selection } from './scene.js';

export function rowAt(scene: Scene, y: number): number | null {
  const row = Math.floor((y + scene.viewport.scrollTop) / LANE_HEIGHT);
  return row >= 0 && row < scene.model.rows.length ? row : null;
}

export function hitLanes(scene: Scene, x: number, y: number): Selection | null {
  const row = rowAt(scene, y);
  if (row === null) return null;
  const ordinal = scene.model.rows[row]!;
  if (x < GUTTER) return { kind: 'lane', lane: ordinal };
  const spans = scene.lanes[ordinal];
  const t = scene.viewport.timeAt(x);
  if (spans && spans.count > 0 && (scene.playhead === null || t <= scene.playhead)) {
    const i = spanNear(spans, t, 4 * scene.viewport.nsPerPixel);
    if (i >= 0) return { kind: 'span', span: spans.ids[i]! };
  }
  return { kind: 'lane', lane: ordinal };
}

export function hitTop(scene: Scene, x: number, y: number): Selection | null {
  if (x < GUTTER) return null;
  const t = scene.viewport.timeAt(x);
  if (y < PHASE_BAND_HEIGHT) {
    const index = scene.model.phases.findIndex((phase) => phase.start <= t && t < phase.end);
    return index >= 0 ? { kind: 'phase', index } : null;
  }
  const rows = namespaceRows(scene);
  const index = rows.findIndex((_, i) => y >= namespaceRowY(i) && y < namespaceRowY(i) + NAMESPACE_ROW_HEIGHT);
  const ns = rows[index];
  if (!ns) return null;
  const slack = 6 * scene.viewport.nsPerPixel;
  return t >= ns.start - slack && t <= (ns.end ?? scene.model.end) + slack ? { kind: 'namespace', id: ns.id } : null;
}

/** Where a span is drawn, in the lanes canvas's CSS pixels (for tests and scrolling into view). */
export function spanBox(scene: Scene, span: number): { x: number; y: number; width: number; height: number } | null {
  const lane = scene.model.lanes[scene.model.columns.lane[span]!];
  if (!lane) return null;
  const x = scene.viewport.scale();
  const x0 = x(scene.model.columns.start[span]!);
  return { x: x0, y: laneY(lane.row, scene.viewport.scrollTop) + SPAN_TOP, width: Math.max(1, x(scene.model.columns.end(span)) - x0), height: SPAN_HEIGHT };
}
