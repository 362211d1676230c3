// The viewer: opens a trace (file, URL, live socket) through the loader worker, keeps the model,
// filters, selection, replay and live state, and tells the timeline and the panels what to show.
import type { TraceHeader } from '../../../tracer/trace/records.js';
import { TraceSource } from '../load/trace-source.js';
import { describeLane, describeNamespace, describeOther, describePhase, describeSyscall } from '../model/describe-event.js';
import { searchMask, spanFilter, type FilterState } from '../model/filters.js';
import { LaneIndexBuilder, type LaneSpans } from '../model/lane-index.js';
import { TraceModelBuilder } from '../model/model-builder.js';
import type { TraceModel } from '../model/model-types.js';
import type { IngestBatch } from '../model/record-ingest.js';
import { ContainersPanel } from './containers-panel.js';
import { DetailsPanel } from './details-panel.js';
import { byId } from './dom.js';
import { FilterControls, type FilterChange } from './filter-controls.js';
import { LiveMode } from './live-mode.js';
import { fitRange, neighbourLane, nextShown, stepInLane } from './navigation.js';
import { NamespaceTablePanel } from './namespace-table-panel.js';
import { ProcessTreePanel } from './process-tree-panel.js';
import { ProgressiveJobs } from './progressive.js';
import { Replay } from './replay.js';
import { selectedLane, type Scene, type Selection } from './scene.js';
import { SearchControls } from './search-controls.js';
import { Timeline } from './timeline.js';
import type { Viewport } from './viewport.js';
import { formatCount } from '../model/format.js';

export interface LoadTimings {
  openedAt: number;
  headerAt: number | null;
  doneAt: number | null;
  readyAt: number | null;
  workerMs: number | null;
  /** of workerMs, the time spent finding lines and reading records (the rest: fetch, gunzip, decode) */
  parseMs: number | null;
  /** main thread: deriving the model and indexing the lanes once the last record is in */
  buildMs: number | null;
  /** the loader kept the trace's text on disk (a large trace), not in memory */
  textOnDisk?: boolean;
  /** the loader read the lines with its WebAssembly scanner */
  wasm?: boolean;
  /** the cttrace server read the trace and sent its model */
  served?: boolean;
}

export class App {
  readonly source: TraceSource;
  readonly timeline: Timeline;
  readonly replay = new Replay();
  readonly live = new LiveMode();
  private builder: TraceModelBuilder | null = null;
  model: TraceModel | null = null;
  lanes: LaneSpans[] = [];
  selection: Selection | null = null;
  traceName = '';
  records = 0;
  /** the optional fields the trace's header lacks (the info line says so) */
  headerMissing: readonly string[] = [];
  timings: LoadTimings = { openedAt: 0, headerAt: null, doneAt: null, readyAt: null, workerMs: null, parseMs: null, buildMs: null };
  loadError: string | null = null;
  private filterChange: FilterChange = { names: null, hiddenFamilies: new Set(), lanes: null, failedOnly: false };
  private matches: Uint8Array | null = null;
  /** every span, by lane: grows with the trace (a live rebuild adds the new spans only) */
  private fullIndex = new LaneIndexBuilder();
  /** the spans passing the filters and search, or null when nothing is filtered */
  private filteredIndex: LaneIndexBuilder | null = null;
  /** the filtered index whose lanes are shown, and one no longer shown whose memory the next filter reuses */
  private shownIndex: LaneIndexBuilder | null = null;
  private spareIndex: LaneIndexBuilder | null = null;
  /** filtering a million spans takes longer than a frame: it runs in slices between frames */
  private readonly indexing = new ProgressiveJobs();
  private searchQuery = '';
  private rebuildTimer: ReturnType<typeof setTimeout> | null = null;
  /** how long the last rebuild took: live rebuilds are spaced so they never take most of the time */
  private lastRebuildMs = 0;
  private done = false;
  private detailsRequest = 0;
  /** the records `cttrace diff --html` marks in this trace, and their spans in the current model */
  private markedRecords: readonly number[] = [];
  markedSpans: readonly number[] = [];
  private readonly details = new DetailsPanel(byId('details'));
  private readonly tree = new ProcessTreePanel(byId('process-tree'), (lane) => this.select({ kind: 'lane', lane }, true));
  private readonly nsTable = new NamespaceTablePanel(byId('namespace-table'), (lane) => this.select({ kind: 'lane', lane }, true));
  private readonly containers = new ContainersPanel(byId('containers'), byId('containers-section'), {
    changed: () => this.rebuild('keep'),
    focus: (start, end) => this.timeline.setWindow(start, end),
    selectLane: (lane) => this.select({ kind: 'lane', lane }, true),
  });
  readonly filters = new FilterControls((change) => this.setFilters(change));
  readonly search = new SearchControls({ search: (query) => this.runSearch(query), step: (direction) => this.stepMatch(direction) });
  /** called with each state change worth telling the toolbar about */
  onStatus: (() => void) | null = null;
  /** called when the user moves the time window (the compare page keeps two viewers together) */
  onWindowMoved: ((t0: number, t1: number) => void) | null = null;

  constructor() {
    this.source = new TraceSource({
      header: (header, name, missing) => {
        this.headerMissing = missing;
        this.onHeader(header, name);
      },
      batch: (batch) => this.onBatch(batch),
      progress: (bytes, total, records) => this.onProgress(bytes, total, records),
      done: (done) => {
        this.timings.textOnDisk = done.spilled;
        this.timings.wasm = done.wasm;
        this.timings.served = done.served;
        this.onDone(done.records, done.ms, done.parseMs, done.skipped);
      },
      error: (message) => this.fail(message),
      problem: (message) => this.showMessage(message, 'error'),
      live: (state, message) => this.onLive(state, message),
    });
    this.timeline = new Timeline({
      scene: (viewport, hoverRow) => this.scene(viewport, hoverRow),
      select: (selection) => this.select(selection, false),
      beforeFrame: (elapsed) => this.beforeFrame(elapsed),
      userMoved: () => this.userMoved(),
    });
  }

  // ---- opening ----

  openFile(file: File): void {
    this.reset(file.name, false);
    this.source.openFile(file);
  }

  openUrl(url: string, name: string): void {
    this.reset(name, false);
    this.source.openUrl(url, name);
  }

  /** The trace the cttrace server reads for the page (`fallbackUrl`: the same, for the page to read should the server not hold it). */
  openServed(name: string, fallbackUrl: string): void {
    this.reset(name, false);
    this.source.openServed(name, fallbackUrl);
  }

  openLive(url: string): void {
    this.reset('live trace', true);
    this.source.openLive(url);
  }

  private reset(name: string, live: boolean): void {
    this.builder = null;
    this.model = null;
    this.lanes = [];
    this.selection = null;
    this.traceName = name;
    this.records = 0;
    this.headerMissing = [];
    this.done = false;
    this.loadError = null;
    this.matches = null;
    this.fullIndex = new LaneIndexBuilder();
    this.filteredIndex = null;
    this.shownIndex = null;
    this.spareIndex = null;
    this.indexing.cancel();
    this.searchQuery = '';
    this.search.clear();
    this.containers.reset();
    this.filters.reset(false);
    this.filterChange = { names: null, hiddenFamilies: new Set(), lanes: null, failedOnly: false };
    this.replay.reset();
    this.live.reset(live);
    this.timings = { openedAt: performance.now(), headerAt: null, doneAt: null, readyAt: null, workerMs: null, parseMs: null, buildMs: null };
    this.details.empty(live ? 'Waiting for the tracer…' : `Opening ${name}…`);
    this.showMessage(null);
    this.showProgress(live ? null : `Opening ${name}…`);
    this.timeline.invalidate();
    this.onStatus?.();
  }

  private onHeader(header: TraceHeader, name: string): void {
    this.builder = new TraceModelBuilder(header);
    this.traceName = name;
    this.timings.headerAt = performance.now();
    this.onStatus?.();
  }

  private onBatch(batch: IngestBatch): void {
    if (!this.builder) return;
    const accepted = this.live.accept(batch);
    if (accepted) this.apply(accepted);
    this.onStatus?.();
  }

  private apply(batch: IngestBatch): void {
    this.builder!.addBatch(batch);
    this.records += batch.spans.count + batch.kept.filter((item) => item.span < 0).length;
    if (this.live.active) this.scheduleRebuild(150);
  }

  private onProgress(bytes: number, total: number | null, records: number): void {
    const percent = total ? ` ${Math.min(100, Math.round((bytes / total) * 100))}%` : '';
    this.showProgress(`Reading ${this.traceName}…${percent} (${formatCount(records)} records)`);
  }

  private onDone(records: number, ms: number, parseMs: number, skipped: string | null): void {
    this.done = true;
    this.timings.doneAt = performance.now();
    this.timings.workerMs = ms;
    this.timings.parseMs = parseMs;
    this.records = records;
    this.showProgress(null);
    if (!this.selection) this.details.empty();
    this.rebuild('fit');
    this.timings.buildMs = performance.now() - this.timings.doneAt;
    this.timeline.onFrameDrawn = () => {
      this.timings.readyAt ??= performance.now();
      this.timeline.onFrameDrawn = null;
    };
    if (this.model && this.model.lanes.length === 0) this.showMessage(`${this.traceName} holds no events.`, 'info');
    else if (skipped) this.showMessage(`${this.traceName}: ${skipped}.`, 'info');
  }

  private onLive(state: 'connecting' | 'open' | 'closed', message?: string): void {
    this.live.state = state;
    if (state === 'open' && !this.selection) this.details.empty();
    if (state === 'closed') {
      this.done = true;
      this.rebuild('keep');
      if (message && !this.model?.complete) this.showMessage(message, this.builder ? 'info' : 'error');
    }
    this.onStatus?.();
  }

  fail(message: string): void {
    this.loadError = message;
    this.showProgress(null);
    this.showMessage(message, 'error');
    this.details.empty('No trace open.');
    this.onStatus?.();
  }

  // ---- model ----

  private scheduleRebuild(ms: number): void {
    if (this.rebuildTimer) return;
    this.rebuildTimer = setTimeout(() => {
      this.rebuildTimer = null;
      this.rebuild(this.model ? 'keep' : 'fit');
    }, Math.max(ms, this.lastRebuildMs * 4));
  }

  private rebuild(window: 'keep' | 'fit'): void {
    if (!this.builder) return;
    const started = performance.now();
    const previousEnd = this.model?.end ?? 0;
    const wasShowingAll = !this.model || (this.timeline.viewport.t0 <= this.model.start && this.timeline.viewport.t1 >= previousEnd);
    this.model = this.containers.apply(this.builder.build()); // collapsed containers' lanes keep their ordinals, without a row
    this.extendIndex();
    this.rebuildMarks();
    this.tree.render(this.model);
    this.nsTable.render(this.model);
    this.filters.update(this.model);
    let target: 'keep' | 'fit' | [number, number] = window;
    if (this.live.active && this.live.follow && window === 'keep') {
      const width = this.timeline.viewport.t1 - this.timeline.viewport.t0;
      target = wasShowingAll ? 'fit' : [this.model.end - width, this.model.end];
    }
    this.timeline.setModel(this.model, target);
    this.tree.highlight(selectedLane(this));
    this.timeline.invalidate();
    this.onStatus?.();
    this.lastRebuildMs = performance.now() - started;
  }

  /** The model grew: add its new spans to the index shown (a filter being computed takes them itself). */
  private extendIndex(): void {
    const model = this.model!;
    const full = this.fullIndex.build(model.columns, model.lanes.length);
    if (!this.filteredIndex) this.lanes = full;
    else if (!this.indexing.running) this.lanes = this.filteredIndex.build(model.columns, model.lanes.length);
  }

  /** The filters or the search changed: compute what is shown, in slices; the old view stays until it is ready. */
  private async rebuildIndex(): Promise<void> {
    const model = this.model;
    if (!model) return;
    const include = spanFilter(model.columns, { ...this.filterChange, matches: this.matches });
    if (!include) {
      this.indexing.cancel();
      this.filteredIndex = null;
      this.spareIndex = this.shownIndex ?? this.spareIndex;
      this.shownIndex = null;
      this.lanes = this.fullIndex.build(model.columns, model.lanes.length);
      this.timeline.invalidate();
      this.onStatus?.();
      return;
    }
    const builder = new LaneIndexBuilder(include, this.spareIndex ?? undefined);
    this.spareIndex = null;
    this.filteredIndex = builder;
    const lanes = await this.indexing.run(builder.steps(model.columns, model.lanes.length));
    if (!lanes || this.filteredIndex !== builder || this.model === null) return;
    this.spareIndex = this.shownIndex ?? this.spareIndex;
    this.shownIndex = builder;
    this.lanes = lanes;
    this.timeline.invalidate();
    this.onStatus?.();
  }

  private setFilters(change: FilterChange): void {
    this.filterChange = change;
    void this.rebuildIndex();
  }

  private async runSearch(query: string): Promise<number> {
    this.searchQuery = query;
    if (!query || !this.model) {
      this.matches = null;
      await this.rebuildIndex();
      return 0;
    }
    const seqs = await this.source.search(query);
    if (query !== this.searchQuery || !this.model) return 0;
    const matches = (this.matches = searchMask(this.model.columns, seqs));
    await this.rebuildIndex();
    let count = 0;
    for (let i = 0; i < matches.length; i++) count += matches[i]!;
    return count;
  }

  /** Show only the calls of these records (the compare page's "only the differences"); null: all. */
  showOnlyRecords(seqs: readonly number[] | null): void {
    if (!this.model) return;
    this.searchQuery = '';
    this.search.clear();
    this.matches = seqs === null ? null : searchMask(this.model.columns, seqs);
    void this.rebuildIndex();
  }

  /** Mark the calls of these records on the timeline (the compare page's differences). */
  markRecords(seqs: readonly number[]): void {
    this.markedRecords = seqs;
    this.rebuildMarks();
    this.timeline.invalidate();
  }

  private rebuildMarks(): void {
    const columns = this.model?.columns;
    this.markedSpans = columns ? this.markedRecords.map((seq) => columns.spanOfSeq(seq)).filter((span) => span >= 0) : [];
  }

  /** Select the next (or previous) match in time after the current selection. */
  private stepMatch(direction: 1 | -1): void {
    const next = this.model && nextShown(this.where(), direction);
    if (next) this.select(next, true);
  }

  private where(): { model: TraceModel; lanes: LaneSpans[]; selection: Selection | null } {
    return { model: this.model!, lanes: this.lanes, selection: this.selection };
  }

  // ---- selection ----

  select(selection: Selection | null, reveal: boolean): void {
    this.selection = selection;
    this.tree.highlight(selectedLane(this));
    this.timeline.invalidate();
    this.onStatus?.();
    const model = this.model;
    if (!selection || !model) {
      this.details.empty();
      return;
    }
    const request = ++this.detailsRequest;
    switch (selection.kind) {
      case 'span': {
        const lane = model.columns.lane[selection.span]!;
        if (reveal) this.timeline.reveal(model.columns.start[selection.span]!, model.columns.end(selection.span), model.lanes[lane]!.row);
        void this.source.record(model.columns.seq[selection.span]!).then((record) => {
          if (request !== this.detailsRequest || !record) return;
          this.details.show(record.type === 'syscall' ? describeSyscall(model, record, lane) : describeOther(model, record, lane));
          this.onStatus?.();
        });
        return;
      }
      case 'lane': {
        const lane = model.lanes[selection.lane]!;
        if (reveal) this.timeline.reveal(this.timeline.viewport.t0, this.timeline.viewport.t0, lane.row);
        this.details.show(describeLane(model, lane));
        break;
      }
      case 'namespace': {
        const ns = model.namespaces.find((item) => item.id === selection.id);
        if (ns) this.details.show(describeNamespace(model, ns));
        break;
      }
      case 'phase': {
        const phase = model.phases[selection.index];
        if (phase) this.details.show(describePhase(phase));
        break;
      }
    }
    this.onStatus?.();
  }

  fitSelection(): void {
    if (!this.model) return;
    const range = fitRange(this.model, this.selection);
    if (range) this.timeline.setWindow(range[0], range[1]);
    else this.timeline.fitAll();
  }

  /** Next or previous syscall of the selected lane (among those shown). */
  step(direction: 1 | -1): void {
    const next = this.model && stepInLane(this.where(), direction, this.timeline.viewport.t0);
    if (next) this.select(next, true);
  }

  moveLane(direction: 1 | -1): void {
    const next = this.model && neighbourLane(this.where(), direction);
    if (next) this.select(next, true);
  }

  // ---- replay and live ----

  togglePlay(): void {
    if (!this.model) return;
    if (this.replay.playing) this.replay.pause();
    else this.replay.play(this.model.start, this.model.end);
    this.timeline.invalidate();
    this.onStatus?.();
  }

  scrub(fraction: number): void {
    if (!this.model) return;
    this.replay.scrub(fraction, this.model.start, this.model.end);
    this.timeline.invalidate();
    this.onStatus?.();
  }

  private beforeFrame(elapsed: number): boolean {
    if (!this.model || !this.replay.playing) return false;
    const playing = this.replay.tick(elapsed, this.model.end);
    const playhead = this.replay.playhead;
    const { t0, t1 } = this.timeline.viewport;
    if (playhead !== null && playhead > t1) this.timeline.setWindow(playhead - (t1 - t0) * 0.1, playhead + (t1 - t0) * 0.9);
    this.onStatus?.();
    return playing;
  }

  setLivePaused(paused: boolean): void {
    if (!this.live.active) return;
    if (paused) this.live.paused = true;
    else {
      for (const batch of this.live.resume()) this.apply(batch);
      this.rebuild('keep');
    }
    this.onStatus?.();
  }

  setFollow(follow: boolean): void {
    this.live.follow = follow;
    if (follow && this.model) this.rebuild('keep');
    this.onStatus?.();
  }

  private userMoved(): void {
    this.onWindowMoved?.(this.timeline.viewport.t0, this.timeline.viewport.t1);
    if (this.live.active && this.live.follow && this.model && this.timeline.viewport.t1 < this.model.end) {
      this.live.follow = false;
      this.onStatus?.();
    }
  }

  // ---- drawing ----

  private scene(viewport: Viewport, hoverRow: number | null): Scene | null {
    if (!this.model || this.model.lanes.length === 0) return null;
    return { model: this.model, lanes: this.lanes, viewport, selection: this.selection, playhead: this.replay.playhead, hoverRow, marks: this.markedSpans };
  }

  get loadingDone(): boolean {
    return this.done;
  }

  // ---- messages ----

  showMessage(text: string | null, kind: 'error' | 'info' = 'error'): void {
    const banner = byId('banner');
    banner.hidden = text === null;
    banner.textContent = text ?? '';
    banner.className = kind;
  }

  private showProgress(text: string | null): void {
    const progress = byId('progress');
    progress.hidden = text === null;
    progress.textContent = text ?? '';
  }
}
