// Draws the band above the lanes: the phases of container creation, then one row per namespace
// made during the trace, as an object with a lifetime (created ●, joined ▲).
import type { NamespaceObject } from '../model/model-types.js';
import { fitText } from './canvas.js';
import { NAMESPACE_KIND_COLOURS, PHASE_COLOURS, PLAYHEAD_COLOUR, SELECTION_COLOUR } from './colours.js';
import { GUTTER, NAMESPACE_ROW_HEIGHT, PHASE_BAND_HEIGHT, TOP_PADDING } from './layout.js';
import type { Scene } from './scene.js';

const FONT = '11px system-ui, "DejaVu Sans", sans-serif';

/** Namespaces that get a row: those not the host's, oldest first. */
export function namespaceRows(scene: Pick<Scene, 'model'>): readonly NamespaceObject[] {
  return scene.model.namespaces.filter((ns) => !ns.isHost).sort((a, b) => a.start - b.start || a.id - b.id);
}

export function namespaceRowY(index: number): number {
  return PHASE_BAND_HEIGHT + TOP_PADDING + index * NAMESPACE_ROW_HEIGHT;
}

export function drawTop(context: CanvasRenderingContext2D, scene: Scene, width: number, height: number): void {
  const { model, viewport } = scene;
  const x = viewport.scale();
  const cutoff = scene.playhead ?? Infinity;
  context.fillStyle = '#ffffff';
  context.fillRect(0, 0, width, height);
  context.font = FONT;
  context.textBaseline = 'middle';

  model.phases.forEach((phase, index) => {
    if (phase.start > cutoff) return;
    const x0 = Math.max(GUTTER, x(phase.start));
    const x1 = Math.min(width, x(Math.min(phase.end, cutoff)));
    if (x1 <= x0) return;
    context.fillStyle = PHASE_COLOURS[phase.name] ?? '#eeeeee';
    context.fillRect(x0, 1, Math.max(1, x1 - x0 - 1), PHASE_BAND_HEIGHT - 2);
    const selected = scene.selection?.kind === 'phase' && scene.selection.index === index;
    if (selected) {
      context.strokeStyle = SELECTION_COLOUR;
      context.lineWidth = 2;
      context.strokeRect(x0 + 1, 2, Math.max(1, x1 - x0 - 3), PHASE_BAND_HEIGHT - 4);
    }
    context.fillStyle = '#1f2328';
    const label = fitText(context, phase.name, x1 - x0 - 8);
    if (label) context.fillText(label, x0 + 4, PHASE_BAND_HEIGHT / 2);
  });

  const rows = namespaceRows(scene);
  rows.forEach((ns, index) => {
    if (ns.start > cutoff) return;
    const y = namespaceRowY(index);
    const colour = NAMESPACE_KIND_COLOURS[ns.kind] ?? '#888888';
    const x0 = Math.max(GUTTER, x(ns.start));
    const x1 = Math.min(width, x(Math.min(ns.end ?? model.end, cutoff)));
    if (x1 > x0) {
      context.globalAlpha = 0.28;
      context.fillStyle = colour;
      context.fillRect(x0, y + 2, x1 - x0, NAMESPACE_ROW_HEIGHT - 4);
      context.globalAlpha = 1;
      context.fillStyle = colour;
      context.fillRect(x0, y + NAMESPACE_ROW_HEIGHT - 3, x1 - x0, 1);
      if (ns.end === null && x1 >= width - 1) context.fillRect(width - 6, y + 2, 6, NAMESPACE_ROW_HEIGHT - 4);
    }
    if (ns.createdBy && ns.createdBy.t <= cutoff) dot(context, x(ns.createdBy.t), y + NAMESPACE_ROW_HEIGHT / 2, colour);
    for (const join of ns.joinedBy) if (join.t <= cutoff) triangle(context, x(join.t), y + NAMESPACE_ROW_HEIGHT / 2, colour);
    if (scene.selection?.kind === 'namespace' && scene.selection.id === ns.id && x1 > x0) {
      context.strokeStyle = SELECTION_COLOUR;
      context.lineWidth = 2;
      context.strokeRect(x0, y + 1, x1 - x0, NAMESPACE_ROW_HEIGHT - 2);
    }
    context.fillStyle = '#1f2328';
    const text = fitText(context, `${ns.processCount} process${ns.processCount === 1 ? '' : 'es'} · ${ns.createdBy ? `made by ${ns.createdBy.call}` : 'seen'}`, x1 - x0 - 14);
    if (text && x1 > x0) context.fillText(text, x0 + 8, y + NAMESPACE_ROW_HEIGHT / 2);
  });

  if (scene.playhead !== null && scene.playhead >= viewport.t0 && scene.playhead <= viewport.t1) {
    context.fillStyle = PLAYHEAD_COLOUR;
    context.fillRect(Math.round(x(scene.playhead)) - 1, 0, 2, height);
  }

  // gutter
  context.fillStyle = '#fbfbfc';
  context.fillRect(0, 0, GUTTER, height);
  context.fillStyle = '#d0d7de';
  context.fillRect(GUTTER - 1, 0, 1, height);
  context.fillRect(0, height - 1, width, 1);
  context.fillStyle = '#1f2328';
  context.font = `600 ${FONT}`;
  context.fillText(model.phases.length ? 'phases' : 'phases (no container made)', 6, PHASE_BAND_HEIGHT / 2);
  context.font = FONT;
  if (rows.length === 0) {
    context.fillStyle = '#57606a';
    context.fillText('namespaces: only the host’s', 6, namespaceRowY(0) + NAMESPACE_ROW_HEIGHT / 2);
  }
  rows.forEach((ns, index) => {
    const y = namespaceRowY(index) + NAMESPACE_ROW_HEIGHT / 2;
    context.fillStyle = NAMESPACE_KIND_COLOURS[ns.kind] ?? '#888888';
    context.fillRect(6, y - 4, 8, 8);
    context.fillStyle = '#1f2328';
    context.fillText(`${ns.kind} namespace ${ns.inode}`, 20, y);
  });
}

function dot(context: CanvasRenderingContext2D, cx: number, cy: number, colour: string): void {
  if (cx < GUTTER) return;
  context.fillStyle = colour;
  context.beginPath();
  context.arc(cx, cy, 4, 0, Math.PI * 2);
  context.fill();
}

function triangle(context: CanvasRenderingContext2D, cx: number, cy: number, colour: string): void {
  if (cx < GUTTER) return;
  context.fillStyle = colour;
  context.beginPath();
  context.moveTo(cx, cy - 5);
  context.lineTo(cx + 5, cy + 4);
  context.lineTo(cx - 5, cy + 4);
  context.closePath();
  context.fill();
}
