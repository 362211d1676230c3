// Geometry of the timeline, in CSS pixels.

export const GUTTER = 250;
export const LANE_HEIGHT = 24;
/** the span bar inside a lane: below a 6 px strip that names the segment (program) */
export const SPAN_TOP = 7;
export const SPAN_HEIGHT = 13;
export const PHASE_BAND_HEIGHT = 22;
export const NAMESPACE_ROW_HEIGHT = 15;
export const TOP_PADDING = 4;

export function topCanvasHeight(namespaceRows: number): number {
  return PHASE_BAND_HEIGHT + TOP_PADDING + Math.max(1, namespaceRows) * NAMESPACE_ROW_HEIGHT + TOP_PADDING;
}

export function laneY(row: number, scrollTop: number): number {
  return row * LANE_HEIGHT - scrollTop;
}
