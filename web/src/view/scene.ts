// What a frame draws: the model, the filtered lane index, the window, the selection.
import type { LaneSpans } from '../model/lane-index.js';
import type { TraceModel } from '../model/model-types.js';
import type { Viewport } from './viewport.js';

export type Selection =
  | { readonly kind: 'span'; readonly span: number }
  | { readonly kind: 'lane'; readonly lane: number }
  | { readonly kind: 'namespace'; readonly id: number }
  | { readonly kind: 'phase'; readonly index: number };

export interface Scene {
  readonly model: TraceModel;
  /** by lane ordinal, filtered */
  readonly lanes: readonly LaneSpans[];
  readonly viewport: Viewport;
  readonly selection: Selection | null;
  /** replay: nothing after this time is shown; null shows everything */
  readonly playhead: number | null;
  readonly hoverRow: number | null;
  /** span ids `cttrace diff --html` marks as differences (view/render-marks.ts); absent: none */
  readonly marks?: readonly number[];
}

export function selectedLane(scene: { readonly model: Scene['model'] | null; readonly selection: Selection | null }): number | null {
  const selection = scene.selection;
  if (!selection || !scene.model) return null;
  if (selection.kind === 'lane') return selection.lane;
  if (selection.kind === 'span') return scene.model.columns.lane[selection.span] ?? null;
  return null;
}
