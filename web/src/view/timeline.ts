// The timeline widget: axis (SVG), top band and lanes (canvas), d3-zoom for wheel/drag, a native
// scrollbar for the lanes, hit testing on click. Draws once per animation frame, never inside an
// event handler.
import { scaleLinear, select, zoom, zoomIdentity, type Selection as D3Selection, type ZoomBehavior, type ZoomTransform } from 'd3';
import type { TraceModel } from '../model/model-types.js';
import { drawAxis } from './axis.js';
import { fitCanvas } from './canvas.js';
import { byId } from './dom.js';
import { hitLanes, hitTop, rowAt } from './hit-test.js';
import { GUTTER, LANE_HEIGHT, topCanvasHeight } from './layout.js';
import { drawLanes } from './render-lanes.js';
import { drawLostGaps } from './render-lost.js';
import { drawTop, namespaceRows } from './render-top.js';
import type { Scene, Selection } from './scene.js';
import { Viewport } from './viewport.js';

export interface TimelineHost {
  /** the scene to draw, or null when no trace is open */
  scene(viewport: Viewport, hoverRow: number | null): Scene | null;
  select(selection: Selection | null): void;
  /** once per frame, before drawing: replay advances here; return true to keep animating */
  beforeFrame(elapsedMs: number): boolean;
  /** the user moved the window (not a programmatic change) */
  userMoved(): void;
}

const MIN_WINDOW_NS = 200;

export class Timeline {
  readonly viewport = new Viewport();
  private readonly plot = byId<HTMLDivElement>('plot');
  private readonly axis = byId('axis') as unknown as SVGSVGElement;
  private readonly topCanvas = byId<HTMLCanvasElement>('top-canvas');
  private readonly lanesBox = byId<HTMLDivElement>('lanes-box');
  private readonly lanesCanvas = byId<HTMLCanvasElement>('lanes-canvas');
  private readonly scroller = byId<HTMLDivElement>('lanes-scroll');
  private readonly scrollSpace = byId<HTMLDivElement>('lanes-scroll-space');
  private readonly zoomBehavior: ZoomBehavior<HTMLDivElement, unknown>;
  private readonly plotSelection: D3Selection<HTMLDivElement, unknown, null, undefined>;
  private domain: [number, number] = [0, 1];
  private frameRequested = false;
  private lastFrame = 0;
  private hoverRow: number | null = null;
  private mouseX: number | null = null;
  private programmatic = 0;
  lanesHeight = 300;
  /** CPU time of the last frames' drawing, ms */
  readonly frameTimes: number[] = [];
  lastDrawnItems = 0;
  framesDrawn = 0;
  onFrameDrawn: (() => void) | null = null;

  constructor(private readonly host: TimelineHost) {
    this.plotSelection = select(this.plot);
    this.zoomBehavior = zoom<HTMLDivElement, unknown>()
      .filter((event: Event) => {
        const mouse = event as MouseEvent;
        if (event.type === 'wheel') return !mouse.shiftKey && this.localX(mouse) >= GUTTER;
        if (event.type === 'dblclick') return false;
        return (!mouse.ctrlKey || event.type === 'wheel') && !mouse.button;
      })
      .on('zoom', (event: { transform: ZoomTransform; sourceEvent: Event | null }) => this.zoomed(event.transform, event.sourceEvent));
    this.plotSelection.call(this.zoomBehavior).on('dblclick.zoom', null);

    this.plot.addEventListener('wheel', (event) => {
      if (event.shiftKey || this.localX(event) < GUTTER) {
        this.scroller.scrollTop += event.shiftKey && event.deltaY === 0 ? event.deltaX : event.deltaY;
        event.preventDefault();
      }
    }, { passive: false });
    this.scroller.addEventListener('scroll', () => {
      this.viewport.scrollTop = this.scroller.scrollTop;
      this.invalidate();
    });
    this.lanesCanvas.addEventListener('click', (event) => {
      const scene = this.scene();
      if (scene) this.host.select(hitLanes(scene, event.offsetX, event.offsetY));
    });
    this.topCanvas.addEventListener('click', (event) => {
      const scene = this.scene();
      if (scene) this.host.select(hitTop(scene, event.offsetX, event.offsetY));
    });
    this.lanesCanvas.addEventListener('mousemove', (event) => {
      this.mouseX = event.offsetX;
      const scene = this.scene();
      const row = scene ? rowAt(scene, event.offsetY) : null;
      if (row !== this.hoverRow) {
        this.hoverRow = row;
        this.invalidate();
      }
    });
    this.plot.addEventListener('mouseleave', () => {
      this.mouseX = null;
      if (this.hoverRow !== null) {
        this.hoverRow = null;
        this.invalidate();
      }
    });
    new ResizeObserver(() => this.resize()).observe(this.plot);
  }

  /** A new or grown model: set the time domain and content height, keep or set the window. */
  setModel(model: TraceModel, window: [number, number] | 'keep' | 'fit'): void {
    const keep: [number, number] = [this.viewport.t0, this.viewport.t1];
    this.domain = [model.start, Math.max(model.end, model.start + MIN_WINDOW_NS)];
    const topHeight = `${topCanvasHeight(namespaceRows({ model }).length)}px`;
    const lanesHeight = `${model.rows.length * LANE_HEIGHT + 8}px`;
    if (topHeight !== this.topCanvas.style.height || lanesHeight !== this.scrollSpace.style.height) {
      this.topCanvas.style.height = topHeight;
      this.scrollSpace.style.height = lanesHeight;
      // measuring forces a layout: only when the heights changed (a live trace grows many times a second)
      this.resize(false);
    } else this.updateZoomLimits();
    const target = window === 'fit' ? this.domain : window === 'keep' ? keep : window;
    this.setWindow(target[0], target[1]);
  }

  private baseScale() {
    return scaleLinear().domain(this.domain).range([GUTTER, Math.max(GUTTER + 1, this.viewport.width)]);
  }

  private localX(event: MouseEvent): number {
    return event.clientX - this.plot.getBoundingClientRect().left;
  }

  private zoomed(transform: ZoomTransform, source: Event | null): void {
    const [t0, t1] = transform.rescaleX(this.baseScale()).domain() as [number, number];
    this.viewport.t0 = t0;
    this.viewport.t1 = t1;
    if (source && source.type === 'mousemove') this.scroller.scrollTop -= (source as MouseEvent).movementY;
    if (source && this.programmatic === 0) this.host.userMoved();
    this.invalidate();
  }

  private updateZoomLimits(): void {
    const total = this.domain[1] - this.domain[0];
    this.zoomBehavior
      .extent([[GUTTER, 0], [Math.max(GUTTER + 1, this.viewport.width), this.lanesHeight]])
      .translateExtent([[GUTTER, -Infinity], [Math.max(GUTTER + 1, this.viewport.width), Infinity]])
      .scaleExtent([1, Math.max(1, total / MIN_WINDOW_NS)]);
  }

  /** Show [t0, t1] (clamped to the trace). */
  setWindow(t0: number, t1: number): void {
    const total = this.domain[1] - this.domain[0];
    const width = Math.max(MIN_WINDOW_NS, t1 - t0);
    const k = Math.max(1, total / width);
    const base = this.baseScale();
    const transform = zoomIdentity.translate(GUTTER - k * base(t0), 0).scale(k);
    this.programmatic++;
    try {
      this.zoomBehavior.transform(this.plotSelection, transform);
    } finally {
      this.programmatic--;
    }
  }

  fitAll(): void {
    this.setWindow(this.domain[0], this.domain[1]);
  }

  zoomBy(factor: number): void {
    const x = this.mouseX !== null && this.mouseX >= GUTTER ? this.mouseX : GUTTER + this.viewport.plotWidth / 2;
    this.zoomBehavior.scaleBy(this.plotSelection, factor, [x, 0]);
  }

  panBy(fraction: number): void {
    const t = (this.viewport.t1 - this.viewport.t0) * fraction;
    this.setWindow(this.viewport.t0 + t, this.viewport.t1 + t);
    this.host.userMoved();
  }

  /** Bring a time range and a row into view, without zooming unless it does not fit. */
  reveal(start: number, end: number, row: number | null): void {
    const { t0, t1 } = this.viewport;
    const width = t1 - t0;
    if (end - start > width) this.setWindow(start - (end - start) * 0.1, end + (end - start) * 0.1);
    else if (start < t0 || end > t1) this.setWindow((start + end) / 2 - width / 2, (start + end) / 2 + width / 2);
    if (row !== null) {
      const top = row * LANE_HEIGHT;
      if (top < this.scroller.scrollTop || top + LANE_HEIGHT > this.scroller.scrollTop + this.lanesHeight) {
        this.scroller.scrollTop = Math.max(0, top - this.lanesHeight / 2);
      }
    }
  }

  resize(redraw = true): void {
    const width = this.plot.clientWidth;
    this.viewport.width = Math.max(GUTTER + 50, width - this.scroller.offsetWidth);
    this.lanesHeight = Math.max(50, this.lanesBox.clientHeight);
    this.updateZoomLimits();
    if (redraw) this.setWindow(this.viewport.t0, this.viewport.t1);
  }

  /** Canvas-relative box of the lanes canvas, for tests. */
  lanesCanvasRect(): DOMRect {
    return this.lanesCanvas.getBoundingClientRect();
  }

  invalidate(): void {
    if (this.frameRequested) return;
    this.frameRequested = true;
    requestAnimationFrame((now) => this.frame(now));
  }

  private scene(): Scene | null {
    return this.host.scene(this.viewport, this.hoverRow);
  }

  private frame(now: number): void {
    this.frameRequested = false;
    const elapsed = this.lastFrame ? Math.min(100, now - this.lastFrame) : 16;
    this.lastFrame = now;
    const animating = this.host.beforeFrame(elapsed);
    const scene = this.scene();
    const started = performance.now();
    const width = this.viewport.width;
    const topHeight = this.topCanvas.clientHeight || 40;
    const top = fitCanvas(this.topCanvas, width, topHeight);
    const lanes = fitCanvas(this.lanesCanvas, width, this.lanesHeight);
    if (scene) {
      drawAxis(this.axis, this.viewport);
      drawTop(top, scene, width, topHeight);
      this.lastDrawnItems = drawLanes(lanes, scene, width, this.lanesHeight).items;
      drawLostGaps(top, scene, topHeight, true);
      drawLostGaps(lanes, scene, this.lanesHeight, false);
    } else {
      this.axis.replaceChildren();
      top.fillStyle = lanes.fillStyle = '#ffffff';
      top.fillRect(0, 0, width, topHeight);
      lanes.fillRect(0, 0, width, this.lanesHeight);
    }
    this.frameTimes.push(performance.now() - started);
    this.framesDrawn++;
    if (this.frameTimes.length > 600) this.frameTimes.splice(0, this.frameTimes.length - 600);
    this.onFrameDrawn?.();
    if (animating) this.invalidate();
    else this.lastFrame = 0;
  }
}

