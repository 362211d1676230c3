// The time axis: SVG, drawn by d3-axis from the viewport's scale (the only SVG in the timeline).
import { axisTop, select } from 'd3';
import { GUTTER } from './layout.js';
import type { Viewport } from './viewport.js';

export const AXIS_HEIGHT = 24;

function tickFormat(step: number): (ns: number) => string {
  if (step >= 1e9) return (ns) => `${(ns / 1e9).toFixed(step >= 1e10 ? 0 : 1)} s`;
  if (step >= 1e6) return (ns) => `${(ns / 1e6).toFixed(Math.max(0, -Math.floor(Math.log10(step / 1e6))))} ms`;
  if (step >= 1e3) return (ns) => `${(ns / 1e6).toFixed(Math.max(0, 3 - Math.floor(Math.log10(step / 1e3))))} ms`;
  return (ns) => `${(ns / 1e6).toFixed(6)} ms`;
}

export function drawAxis(svg: SVGSVGElement, viewport: Viewport): void {
  const scale = viewport.scale();
  const ticks = Math.max(2, Math.floor(viewport.plotWidth / 110));
  const all = scale.ticks(ticks);
  const step = all.length > 1 ? all[1]! - all[0]! : viewport.t1 - viewport.t0;
  // a label centred on the gutter's edge would be cut in half
  const values = all.filter((value) => scale(value) >= GUTTER + 18);
  svg.setAttribute('width', String(viewport.width));
  svg.setAttribute('height', String(AXIS_HEIGHT));
  const root = select(svg);
  let group = root.select<SVGGElement>('g.axis');
  if (group.empty()) group = root.append('g').attr('class', 'axis');
  group.attr('transform', `translate(0, ${AXIS_HEIGHT - 1})`).call(
    axisTop<number>(scale).tickValues(values).tickFormat(tickFormat(step)).tickSizeOuter(0),
  );
  let cover = root.select<SVGRectElement>('rect.gutter');
  if (cover.empty()) cover = root.append('rect').attr('class', 'gutter');
  cover.attr('x', 0).attr('y', 0).attr('width', GUTTER).attr('height', AXIS_HEIGHT);
}
