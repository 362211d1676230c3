// Draws the marks of the calls `cttrace diff --html` found different (only in this trace, or
// with other arguments): a triangle above each, seen at any zoom, and an outline around it.
// Marks are few (a diff's lines), so each is drawn on its own.
import { DIFFERENCE_COLOUR } from './colours.js';
import { GUTTER, laneY, SPAN_HEIGHT, SPAN_TOP } from './layout.js';
import type { Scene } from './scene.js';

export function drawDifferenceMarks(context: CanvasRenderingContext2D, scene: Scene, x: (t: number) => number, width: number, firstRow: number, lastRow: number, cutoff: number): void {
  const { model, viewport, marks } = scene;
  if (!marks || marks.length === 0) return;
  context.fillStyle = DIFFERENCE_COLOUR;
  context.strokeStyle = DIFFERENCE_COLOUR;
  context.lineWidth = 1.5;
  for (const span of marks) {
    const start = model.columns.start[span]!;
    if (start > cutoff || start > viewport.t1 || model.columns.end(span) < viewport.t0) continue;
    const row = model.lanes[model.columns.lane[span]!]?.row ?? -1;
    if (row < firstRow || row > lastRow) continue;
    const y = laneY(row, viewport.scrollTop);
    const x0 = x(start);
    const x1 = Math.max(x0 + 1, x(Math.min(model.columns.end(span), cutoff)));
    const centre = Math.max(GUTTER + 4, Math.min(width - 4, (x0 + x1) / 2));
    context.beginPath();
    context.moveTo(centre - 4, y);
    context.lineTo(centre + 4, y);
    context.lineTo(centre, y + SPAN_TOP - 1);
    context.closePath();
    context.fill();
    if (x1 - x0 >= 3) context.strokeRect(Math.max(GUTTER, x0) - 1, y + SPAN_TOP - 1, Math.min(width, x1) - Math.max(GUTTER, x0) + 2, SPAN_HEIGHT + 2);
  }
}
