// Draws the swimlanes on canvas, in passes: backgrounds and segments, spans by family colour
// (level of detail below a pixel), failure marks, milestones, clone arrows, then all text.
import { FAMILY_COUNT } from '../model/family-index.js';
import { visitLane, type LodVisitor } from '../model/level-of-detail.js';
import { SPAN_FAILED } from '../model/span-columns.js';
import type { Lane } from '../model/model-types.js';
import { fitText } from './canvas.js';
import { ARROW_COLOUR, FAILED_COLOUR, FAMILY_COLOUR_LIST, PLAYHEAD_COLOUR, SELECTION_COLOUR, THREAD_ARROW_COLOUR } from './colours.js';
import { GUTTER, LANE_HEIGHT, laneY, SPAN_HEIGHT, SPAN_TOP } from './layout.js';
import { RectBatches } from './rect-batches.js';
import { drawDifferenceMarks } from './render-marks.js';
import { selectedLane, type Scene } from './scene.js';

const FAILED = FAMILY_COUNT;
const SEGMENT_A = FAMILY_COUNT + 1;
const SEGMENT_B = FAMILY_COUNT + 2;
const LIFELINE = FAMILY_COUNT + 3;
const batches = new RectBatches(FAMILY_COUNT + 4);
const FONT = '11px ui-monospace, "DejaVu Sans Mono", Menlo, Consolas, monospace';
const CHAR_WIDTH = 6.7;

interface TextItem {
  x: number;
  y: number;
  text: string;
  width: number;
}

function visibleRows(scene: Scene, height: number): [number, number] {
  const first = Math.max(0, Math.floor(scene.viewport.scrollTop / LANE_HEIGHT));
  const last = Math.min(scene.model.rows.length - 1, Math.ceil((scene.viewport.scrollTop + height) / LANE_HEIGHT));
  return [first, last];
}

export function drawLanes(context: CanvasRenderingContext2D, scene: Scene, width: number, height: number): { items: number } {
  const { model, viewport } = scene;
  const x = viewport.scale();
  const cutoff = scene.playhead ?? Infinity;
  const t0 = viewport.t0;
  const t1 = Math.min(viewport.t1, cutoff);
  const nsPerPixel = viewport.nsPerPixel;
  const [firstRow, lastRow] = visibleRows(scene, height);
  const chosenLane = selectedLane(scene);
  const labels: TextItem[] = [];
  let items = 0;

  context.fillStyle = '#ffffff';
  context.fillRect(0, 0, width, height);
  batches.reset();

  // backgrounds
  for (let row = firstRow; row <= lastRow; row++) {
    const lane = model.lanes[model.rows[row]!]!;
    const y = laneY(row, viewport.scrollTop);
    if (lane.ordinal === chosenLane) {
      context.fillStyle = '#fff5d6';
      context.fillRect(GUTTER, y, width - GUTTER, LANE_HEIGHT);
    } else if (row % 2 === 1) {
      context.fillStyle = '#f7f8fa';
      context.fillRect(GUTTER, y, width - GUTTER, LANE_HEIGHT);
    }
    if (lane.start > cutoff) continue;
    const lifeEnd = Math.min(lane.end ?? model.end, cutoff);
    const lx0 = Math.max(GUTTER, x(lane.start));
    const lx1 = Math.min(width, x(lifeEnd));
    if (lx1 > lx0) batches.add(LIFELINE, lx0, y + SPAN_TOP + SPAN_HEIGHT / 2 - 0.5, lx1 - lx0, 1);
    lane.segments.forEach((segment, i) => {
      if (segment.start > cutoff) return;
      const sx0 = Math.max(GUTTER, x(segment.start));
      const sx1 = Math.min(width, x(Math.min(segment.end, cutoff)));
      if (sx1 <= sx0 - 1) return;
      batches.add(i % 2 === 0 ? SEGMENT_A : SEGMENT_B, sx0, y + 1, Math.max(1, sx1 - sx0), 5);
      if (sx1 - sx0 > 40) labels.push({ x: sx0 + 3, y: y + 6, text: segment.comm, width: sx1 - sx0 - 6 });
    });
  }
  batches.fill(context, LIFELINE, '#c8ccd2');
  batches.fill(context, SEGMENT_A, '#dfe4ea');
  batches.fill(context, SEGMENT_B, '#f3d9b1');
  batches.reset();

  // spans, by family; failures as a red underline
  const spanLabels: TextItem[] = [];
  let laneY0 = 0;
  let laneSpans = scene.lanes[0]!;
  const visitor: LodVisitor = {
    span(i) {
      const s = laneSpans.start[i]!;
      const e = laneSpans.end[i]!;
      const x0 = Math.max(GUTTER - 2, x(s));
      const x1 = Math.min(width + 2, x(Math.min(e, cutoff)));
      const w = Math.max(1, x1 - x0);
      const id = laneSpans.ids[i]!;
      batches.add(model.columns.family[id]!, x0, laneY0 + SPAN_TOP, w, SPAN_HEIGHT);
      if (model.columns.flags[id]! & SPAN_FAILED) batches.add(FAILED, x0, laneY0 + SPAN_TOP + SPAN_HEIGHT, w, 3);
      if (w > 28) spanLabels.push({ x: x0 + 2, y: laneY0 + SPAN_TOP + SPAN_HEIGHT - 3, text: model.columns.nameOf(id), width: w - 4 });
      items++;
    },
    bucket(_from, _to, startT, endT, family, failed) {
      const x0 = Math.max(GUTTER - 2, x(startT));
      const w = Math.max(1, x(Math.min(endT, cutoff)) - x0);
      batches.add(family, x0, laneY0 + SPAN_TOP, w, SPAN_HEIGHT);
      if (failed > 0) batches.add(FAILED, x0, laneY0 + SPAN_TOP + SPAN_HEIGHT, w, 3);
      items++;
    },
  };
  for (let row = firstRow; row <= lastRow; row++) {
    const ordinal = model.rows[row]!;
    const spans = scene.lanes[ordinal];
    if (!spans || spans.count === 0) continue;
    laneSpans = spans;
    laneY0 = laneY(row, viewport.scrollTop);
    visitLane(spans, t0, t1, nsPerPixel, visitor);
  }
  for (let family = 0; family < FAMILY_COUNT; family++) batches.fill(context, family, FAMILY_COLOUR_LIST[family]!);
  batches.fill(context, FAILED, FAILED_COLOUR);

  drawMilestones(context, scene, x, firstRow, lastRow, cutoff, labels);
  drawExits(context, scene, x, firstRow, lastRow, cutoff);
  drawArrows(context, scene, x, height, cutoff);
  drawSelection(context, scene, x);

  // text last
  context.font = FONT;
  context.textBaseline = 'alphabetic';
  context.fillStyle = '#ffffff';
  for (const label of spanLabels) {
    const chars = Math.floor(label.width / CHAR_WIDTH);
    if (chars >= 2) context.fillText(label.text.length > chars ? `${label.text.slice(0, chars - 1)}…` : label.text, label.x, label.y);
  }
  context.fillStyle = '#57606a';
  context.font = '9px system-ui, sans-serif';
  for (const label of labels) {
    const chars = Math.floor(label.width / 5.2);
    if (chars >= 2) context.fillText(label.text.length > chars ? `${label.text.slice(0, chars - 1)}…` : label.text, label.x, label.y);
  }
  if (scene.playhead !== null && scene.playhead >= viewport.t0 && scene.playhead <= viewport.t1) {
    context.fillStyle = PLAYHEAD_COLOUR;
    context.fillRect(Math.round(x(scene.playhead)) - 1, 0, 2, height);
  }
  drawDifferenceMarks(context, scene, x, width, firstRow, lastRow, cutoff); // over the labels: a mark must show
  drawGutter(context, scene, firstRow, lastRow, height, chosenLane);
  return { items };
}

function drawMilestones(context: CanvasRenderingContext2D, scene: Scene, x: (t: number) => number, firstRow: number, lastRow: number, cutoff: number, labels: TextItem[]): void {
  const { model, viewport } = scene;
  for (const milestone of model.milestones) {
    if (milestone.t > cutoff || milestone.t < viewport.t0 || milestone.t > viewport.t1) continue;
    const row = model.lanes[milestone.lane]!.row;
    if (row < firstRow || row > lastRow) continue;
    const cx = x(milestone.t);
    const cy = laneY(row, viewport.scrollTop) + SPAN_TOP + SPAN_HEIGHT / 2;
    const r = milestone.kind === 'execve' ? 5 : 6;
    context.beginPath();
    context.moveTo(cx, cy - r);
    context.lineTo(cx + r, cy);
    context.lineTo(cx, cy + r);
    context.lineTo(cx - r, cy);
    context.closePath();
    context.fillStyle = milestone.kind === 'execve' ? '#d35400' : '#c0392b';
    context.fill();
    context.strokeStyle = '#ffffff';
    context.lineWidth = 1;
    context.stroke();
    if (milestone.kind !== 'execve') labels.push({ x: cx + 8, y: cy - 4, text: milestone.kind, width: 80 });
  }
}

function drawExits(context: CanvasRenderingContext2D, scene: Scene, x: (t: number) => number, firstRow: number, lastRow: number, cutoff: number): void {
  const { model, viewport } = scene;
  context.strokeStyle = '#57606a';
  context.lineWidth = 1.5;
  context.beginPath();
  for (let row = firstRow; row <= lastRow; row++) {
    const lane = model.lanes[model.rows[row]!]!;
    if (!lane.exit || lane.exit.t > cutoff || lane.exit.t < viewport.t0 || lane.exit.t > viewport.t1) continue;
    const cx = x(lane.exit.t);
    const cy = laneY(row, viewport.scrollTop) + SPAN_TOP + SPAN_HEIGHT / 2;
    context.moveTo(cx - 3, cy - 3);
    context.lineTo(cx + 3, cy + 3);
    context.moveTo(cx + 3, cy - 3);
    context.lineTo(cx - 3, cy + 3);
  }
  context.stroke();
}

function drawArrows(context: CanvasRenderingContext2D, scene: Scene, x: (t: number) => number, height: number, cutoff: number): void {
  const { model, viewport } = scene;
  context.lineWidth = 1.5;
  for (const arrow of model.arrows) {
    if (arrow.toT > cutoff) continue;
    const from = model.lanes[arrow.fromLane]!;
    const to = model.lanes[arrow.toLane]!;
    const x1 = x(arrow.fromT);
    const x2 = x(arrow.toT);
    if (Math.max(x1, x2) < GUTTER || Math.min(x1, x2) > viewport.width) continue;
    const y1 = laneY(from.row, viewport.scrollTop) + SPAN_TOP + SPAN_HEIGHT / 2;
    const y2 = laneY(to.row, viewport.scrollTop) + (to.row > from.row ? SPAN_TOP - 1 : SPAN_TOP + SPAN_HEIGHT + 1);
    if (Math.max(y1, y2) < 0 || Math.min(y1, y2) > height) continue;
    const colour = arrow.thread ? THREAD_ARROW_COLOUR : ARROW_COLOUR;
    context.strokeStyle = colour;
    context.fillStyle = colour;
    context.beginPath();
    context.moveTo(x1, y1);
    const bend = Math.max(12, Math.min(40, Math.abs(y2 - y1) / 2));
    context.bezierCurveTo(x1, y1 + Math.sign(y2 - y1) * bend, x2, y2 - Math.sign(y2 - y1) * bend, x2, y2);
    context.stroke();
    const down = y2 >= y1 ? 1 : -1;
    context.beginPath();
    context.moveTo(x2, y2);
    context.lineTo(x2 - 4, y2 - 6 * down);
    context.lineTo(x2 + 4, y2 - 6 * down);
    context.closePath();
    context.fill();
    context.beginPath();
    context.arc(x1, y1, 2.5, 0, Math.PI * 2);
    context.fill();
  }
}

function drawSelection(context: CanvasRenderingContext2D, scene: Scene, x: (t: number) => number): void {
  const selection = scene.selection;
  if (!selection || selection.kind !== 'span') return;
  const { columns, lanes } = scene.model;
  const lane = lanes[columns.lane[selection.span]!];
  if (!lane) return;
  const y = laneY(lane.row, scene.viewport.scrollTop) + SPAN_TOP;
  const x0 = x(columns.start[selection.span]!);
  const w = Math.max(3, x(columns.end(selection.span)) - x0);
  context.strokeStyle = SELECTION_COLOUR;
  context.lineWidth = 2;
  context.strokeRect(Math.max(GUTTER, x0 - 1.5), y - 1.5, w + 3, SPAN_HEIGHT + 3);
}

function drawGutter(context: CanvasRenderingContext2D, scene: Scene, firstRow: number, lastRow: number, height: number, chosenLane: number | null): void {
  const { model, viewport } = scene;
  context.fillStyle = '#fbfbfc';
  context.fillRect(0, 0, GUTTER, height);
  context.fillStyle = '#d0d7de';
  context.fillRect(GUTTER - 1, 0, 1, height);
  context.font = FONT;
  context.textBaseline = 'middle';
  for (let row = firstRow; row <= lastRow; row++) {
    const lane: Lane = model.lanes[model.rows[row]!]!;
    const y = laneY(row, viewport.scrollTop);
    if (lane.ordinal === chosenLane) {
      context.fillStyle = '#fff0bf';
      context.fillRect(0, y, GUTTER - 1, LANE_HEIGHT);
    } else if (row === scene.hoverRow) {
      context.fillStyle = '#eef1f4';
      context.fillRect(0, y, GUTTER - 1, LANE_HEIGHT);
    }
    const indent = 6 + Math.min(lane.depth, 12) * 10;
    const notYet = scene.playhead !== null && lane.start > scene.playhead;
    context.fillStyle = notYet ? '#c4c9cf' : lane.end !== null && scene.playhead === null ? '#57606a' : '#1f2328';
    const text = lane.isThread ? `${lane.label} (thread)` : lane.label;
    context.fillText(fitText(context, text, GUTTER - indent - 6), indent, y + LANE_HEIGHT / 2);
  }
}
