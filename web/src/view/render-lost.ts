// The gaps where the eBPF backend lost events (lost records): a hatched band across the lanes
// from `since` to `t`, labelled with the count, so nobody reads a quiet stretch there as idle.
import type { LostRecord } from '../../../tracer/trace/records.js';
import type { Scene } from './scene.js';

export const LOST_COLOUR = 'rgba(192, 57, 43, 0.16)';
const LOST_EDGE = 'rgba(192, 57, 43, 0.7)';
/** a gap narrower than this is still drawn this wide: a loss within a microsecond must be seen */
const MIN_WIDTH_PX = 3;

export function lostLabel(record: LostRecord): string {
  return `lost ${record.count} events (eBPF ring buffer full)`;
}

/** Draw over what is already there; returns how many gaps were in the window. */
export function drawLostGaps(ctx: CanvasRenderingContext2D, scene: Scene, height: number, labelled: boolean): number {
  const x = scene.viewport.scale();
  let drawn = 0;
  let labelsEnd = -Infinity; // labels do not overlap: one that would is left out (the band stays)
  for (const record of scene.model.lost) {
    if (record.t < scene.viewport.t0 || record.since > scene.viewport.t1) continue;
    const left = x(record.since);
    const width = Math.max(MIN_WIDTH_PX, x(record.t) - left);
    ctx.fillStyle = LOST_COLOUR;
    ctx.fillRect(left, 0, width, height);
    ctx.fillStyle = LOST_EDGE;
    ctx.fillRect(left, 0, 1, height);
    ctx.fillRect(left + width - 1, 0, 1, height);
    if (labelled && left + width + 3 >= labelsEnd) {
      ctx.font = '11px system-ui, sans-serif';
      ctx.textBaseline = 'top';
      const label = lostLabel(record);
      ctx.fillText(label, left + width + 3, 2);
      labelsEnd = left + width + 3 + ctx.measureText(label).width + 8;
    }
    drawn++;
  }
  return drawn;
}
