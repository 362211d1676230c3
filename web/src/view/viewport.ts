// The visible time window and its scale. Everything drawn derives its x from here.
import { scaleLinear, type ScaleLinear } from 'd3';
import { GUTTER } from './layout.js';

export class Viewport {
  t0 = 0;
  t1 = 1;
  width = 800;
  scrollTop = 0;

  /** x pixel (CSS) for time, the plot starting after the gutter */
  scale(): ScaleLinear<number, number> {
    return scaleLinear().domain([this.t0, this.t1]).range([GUTTER, this.width]);
  }

  get plotWidth(): number {
    return Math.max(1, this.width - GUTTER);
  }

  get nsPerPixel(): number {
    return (this.t1 - this.t0) / this.plotWidth;
  }

  setWindow(t0: number, t1: number, limits: { start: number; end: number }): void {
    const span = Math.max(t1 - t0, 50);
    const total = limits.end - limits.start;
    const margin = total * 0.05;
    let start = t0;
    let end = t0 + span;
    if (span > total + 2 * margin) {
      start = limits.start - margin;
      end = limits.end + margin;
    } else {
      if (start < limits.start - margin) [start, end] = [limits.start - margin, limits.start - margin + span];
      if (end > limits.end + margin) [start, end] = [limits.end + margin - span, limits.end + margin];
    }
    this.t0 = start;
    this.t1 = end;
  }

  timeAt(x: number): number {
    return this.t0 + ((x - GUTTER) / this.plotWidth) * (this.t1 - this.t0);
  }
}
