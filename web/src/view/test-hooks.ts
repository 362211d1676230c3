// window.__cttrace: a read-only summary of what the viewer holds, for the end-to-end tests and
// the benchmark (they click and press keys like a user; these hooks only report).
import type { App } from './app.js';
import { spanBox } from './hit-test.js';

export interface ViewerSummary {
  readonly ready: boolean;
  readonly error: string | null;
  readonly traceName: string;
  readonly records: number;
  readonly spans: number;
  readonly complete: boolean;
  readonly lanes: readonly { readonly label: string; readonly row: number; readonly tid: number; readonly nsPid: number; readonly depth: number; readonly segments: readonly string[] }[];
  readonly phases: readonly string[];
  readonly namespaces: readonly { readonly kind: string; readonly inode: number; readonly isHost: boolean; readonly createdBy: string | null }[];
  readonly arrows: number;
  /** spans passing the filters and search */
  readonly shownSpans: number;
  readonly replay: { readonly playing: boolean; readonly playhead: number | null; readonly speed: number };
  readonly selection: unknown;
  readonly window: readonly [number, number];
  /** the time of the latest event shown (ns from the trace's start), null before any */
  readonly traceEnd: number | null;
  readonly live: { readonly active: boolean; readonly paused: boolean; readonly held: number; readonly state: string; readonly follow: boolean };
  readonly timings: App['timings'];
}

export function installTestHooks(app: App): void {
  const hooks = {
    summary(): ViewerSummary {
      const model = app.model;
      return {
        ready: app.loadingDone && model !== null,
        error: app.loadError,
        traceName: app.traceName,
        records: app.records,
        spans: model?.columns.count ?? 0,
        complete: model?.complete ?? false,
        lanes: (model?.rows ?? []).map((ordinal) => {
          const lane = model!.lanes[ordinal]!;
          return { label: lane.label, row: lane.row, tid: lane.tid, nsPid: lane.nsPid, depth: lane.depth, segments: lane.segments.map((segment) => segment.comm) };
        }),
        phases: model?.phases.map((phase) => phase.name) ?? [],
        namespaces: model?.namespaces.map((ns) => ({ kind: ns.kind, inode: ns.inode, isHost: ns.isHost, createdBy: ns.createdBy?.call ?? null })) ?? [],
        arrows: model?.arrows.length ?? 0,
        shownSpans: app.lanes.reduce((sum, lane) => sum + lane.count, 0),
        replay: { playing: app.replay.playing, playhead: app.replay.playhead, speed: app.replay.speed },
        selection: app.selection,
        window: [app.timeline.viewport.t0, app.timeline.viewport.t1],
        traceEnd: model?.end ?? null,
        live: { active: app.live.active, paused: app.live.paused, held: app.live.heldRecords, state: app.live.state, follow: app.live.follow },
        timings: { ...app.timings },
      };
    },
    /** span ids of a syscall name, in trace order */
    findSpans(name: string): number[] {
      const model = app.model;
      if (!model) return [];
      const found: number[] = [];
      for (let id = 0; id < model.columns.count; id++) if (model.columns.nameOf(id) === name) found.push(id);
      return found.sort((a, b) => model.columns.start[a]! - model.columns.start[b]!);
    },
    /** where a span is drawn, in page coordinates */
    spanRect(span: number): { x: number; y: number; width: number; height: number } | null {
      const model = app.model;
      if (!model) return null;
      const box = spanBox({ model, lanes: app.lanes, viewport: app.timeline.viewport, selection: null, playhead: null, hoverRow: null }, span);
      const canvas = app.timeline.lanesCanvasRect();
      return box && { x: canvas.left + box.x, y: canvas.top + box.y, width: box.width, height: box.height };
    },
    /** span ids marked as differences (the compare page's) */
    markedSpans(): number[] {
      return [...app.markedSpans];
    },
    /** CPU ms of the last frames' drawing */
    frameTimes(): number[] {
      return [...app.timeline.frameTimes];
    },
    /** frames drawn since the page loaded */
    framesDrawn(): number {
      return app.timeline.framesDrawn;
    },
    drawnItems(): number {
      return app.timeline.lastDrawnItems;
    },
  };
  Object.defineProperty(window, '__cttrace', { value: Object.freeze(hooks), writable: false, configurable: false });
}
