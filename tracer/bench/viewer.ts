// Viewer benchmark: load time, the tab's memory and frame times in headless chromium for synthetic
// traces of 100k, 1M and 10M syscalls, served by the live server like `cttrace view`. Aims: 1M
// events open in under 2 s, 10M in under 2 GB of tab memory; a pan frame under 33 ms.
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { BrowserContext } from 'playwright-core';
import { startLiveServer } from '../live/live-server.js';
import { sampleTabMemory } from './tab-memory.js';
import { viewerDir } from '../live/viewer-dir.js';
import { writeSyntheticTrace } from './viewer-synthetic-trace.js';
import { launchBenchBrowser } from './bench-browser.js';

export interface FrameStats {
  readonly p50: number;
  readonly p95: number;
  readonly max: number;
}

export interface ViewerBenchResult {
  readonly events: number;
  readonly fileBytes: number;
  /** navigation start → the whole trace drawn (as `cttrace view` opens it) */
  readonly loadMs: number;
  /** who read the trace in that open: the cttrace server (served-trace.ts), or the page itself (too big for the server) */
  readonly readBy: 'server' | 'page';
  /** the same trace read by the page itself (a page without the server: export --html), navigation → drawn */
  readonly pageReadMs?: number;
  /** the file dropped on a page `cttrace view` served (uploaded, read by the server): drop → drawn */
  readonly dropMs?: number;
  /** fetching, decompressing and parsing in the worker */
  readonly workerMs: number;
  /** of which finding lines and reading records */
  readonly parseMs: number;
  /** main thread, after the last record: model and lane index */
  readonly buildMs: number;
  /** navigation start → the viewer asked for the trace (page and script load) */
  readonly startupMs: number;
  /** the tab's peak resident memory while opening (renderer process: page and workers), MiB */
  readonly tabPeakMiB?: number;
  /** the loader kept the trace's text on disk (OPFS) rather than in memory */
  readonly textOnDisk?: boolean;
  /** drawing CPU time per frame while panning, whole trace in view (level of detail at work) */
  readonly panFrameFit: FrameStats;
  /** the same, zoomed in 50× */
  readonly panFrameZoomed: FrameStats;
  /** time between animation frames during a drag, whole trace in view (60 Hz: 16.7) */
  readonly frameIntervalFit: FrameStats;
  /** rectangles drawn in the last frame */
  readonly drawnItems: number;
}

export interface ViewerBenchOptions {
  readonly sizes?: readonly number[];
  readonly chromium?: string;
  readonly log?: (line: string) => void;
}


/**
 * Runs in the page: drags the timeline by synthetic mouse events, one step per animation frame
 * (what d3-zoom sees from a real drag), and returns the drawing time and the interval of each frame.
 */
async function panInPage(frames: number): Promise<{ draw: number[]; intervals: number[] }> {
  const page = globalThis as unknown as {
    document: { querySelector(selector: string): { getBoundingClientRect(): { left: number; top: number; width: number }; dispatchEvent(e: Event): void } };
    dispatchEvent(e: Event): void;
    requestAnimationFrame(f: (now: number) => void): void;
    __cttrace: { frameTimes(): number[]; framesDrawn(): number };
  };
  const canvas = page.document.querySelector('[data-testid="lanes-canvas"]');
  const box = canvas.getBoundingClientRect();
  const y = box.top + 30;
  const at = (i: number) => box.left + box.width * (0.8 - (0.5 * i) / frames);
  const mouse = (type: string, x: number) => new MouseEvent(type, { clientX: x, clientY: y, bubbles: true, cancelable: true, view: page as unknown as Window, button: 0 });
  const frame = () => new Promise<number>((resolve) => page.requestAnimationFrame(resolve));
  const before = page.__cttrace.framesDrawn();
  canvas.dispatchEvent(mouse('mousedown', at(0)));
  const stamps: number[] = [await frame()];
  for (let i = 1; i <= frames; i++) {
    page.dispatchEvent(mouse('mousemove', at(i)));
    stamps.push(await frame());
  }
  page.dispatchEvent(mouse('mouseup', at(frames)));
  await frame();
  const draw = page.__cttrace.frameTimes().slice(-(page.__cttrace.framesDrawn() - before));
  return { draw, intervals: stamps.slice(1).map((stamp, i) => stamp - stamps[i]!) };
}

/** window.__cttrace, the viewer's read-only test hooks (functions passed to the page must name it themselves) */
interface ViewerHooks {
  summary(): { error: string | null; spans: number; timings: { openedAt: number; readyAt: number | null; workerMs: number | null; parseMs: number | null; buildMs: number | null; textOnDisk?: boolean; served?: boolean } };
  frameTimes(): number[];
  framesDrawn(): number;
  drawnItems(): number;
}

function stats(values: readonly number[]): FrameStats {
  const sorted = [...values].sort((a, b) => a - b);
  const at = (q: number) => sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))] ?? 0;
  const round = (n: number) => Math.round(n * 100) / 100;
  return { p50: round(at(0.5)), p95: round(at(0.95)), max: round(sorted.at(-1) ?? 0) };
}

const ready = () => {
  const s = (globalThis as unknown as { __cttrace?: ViewerHooks }).__cttrace?.summary();
  return !!s && (s.timings.readyAt !== null || s.error !== null);
};

/** Navigation → drawn, for a page opened at `url`. */
async function openTime(context: BrowserContext, url: string): Promise<number> {
  const page = await context.newPage();
  try {
    await page.goto(url);
    await page.waitForFunction(ready, null, { timeout: 120_000, polling: 50 });
    const summary = await page.evaluate(() => (globalThis as unknown as { __cttrace: ViewerHooks }).__cttrace.summary());
    if (summary.error) throw new Error(`the viewer refused the synthetic trace: ${summary.error}`);
    return Math.round(summary.timings.readyAt!);
  } finally {
    await page.close();
  }
}

/** A file chosen on (or dropped on) a page the cttrace server sent with no trace: the choice → drawn. */
async function dropTime(context: BrowserContext, staticDir: string, file: string): Promise<number> {
  const server = await startLiveServer({ header: null, staticDir });
  const page = await context.newPage();
  try {
    await page.goto(server.url);
    await page.locator('#file-input').setInputFiles(file);
    await page.waitForFunction(ready, null, { timeout: 120_000, polling: 50 });
    const summary = await page.evaluate(() => (globalThis as unknown as { __cttrace: ViewerHooks }).__cttrace.summary());
    if (summary.error || !summary.timings.served) throw new Error(`the dropped synthetic trace was not read by the server: ${summary.error}`);
    return Math.round(summary.timings.readyAt! - summary.timings.openedAt);
  } finally {
    await page.close();
    await server.close();
  }
}

export async function benchViewer(options: ViewerBenchOptions = {}): Promise<{ results: ViewerBenchResult[]; skipped?: string }> {
  const chromiumPath = options.chromium ?? '/usr/bin/chromium';
  const log = options.log ?? (() => undefined);
  if (!existsSync(chromiumPath)) return { results: [], skipped: `${chromiumPath} is missing` };
  if (!existsSync(join(viewerDir, 'index.html'))) return { results: [], skipped: 'the web viewer is not built (npm run build:web)' };
  const work = mkdtempSync(join(tmpdir(), 'cttrace-bench-viewer-'));
  const profile = mkdtempSync(join(tmpdir(), 'cttrace-bench-chromium-'));
  const context = await launchBenchBrowser(chromiumPath, profile);
  const results: ViewerBenchResult[] = [];
  try {
    for (const events of options.sizes ?? [100_000, 1_000_000]) {
      const file = join(work, `synthetic-${events}.cttrace`);
      const fileBytes = await writeSyntheticTrace(file, events);
      log(`viewer: ${events.toLocaleString('en')} events, ${(fileBytes / 1e6).toFixed(1)} MB`);
      const server = await startLiveServer({ header: null, staticDir: viewerDir, traceFile: file });
      const page = await context.newPage();
      const memory = sampleTabMemory(profile);
      try {
        await page.goto(server.url);
        // functions, not strings: the viewer's CSP forbids eval, string predicates included
        await page.waitForFunction(() => {
          const s = (globalThis as unknown as { __cttrace?: ViewerHooks }).__cttrace?.summary();
          return s && (s.timings.readyAt !== null || s.error);
        }, null, { timeout: 120_000 + events / 50, polling: 50 });
        const tabPeakMiB = memory.stop();
        const summary = await page.evaluate(() => (globalThis as unknown as { __cttrace?: ViewerHooks }).__cttrace!.summary());
        if (summary.error) throw new Error(`the viewer refused the synthetic trace: ${summary.error}`);
        const panFit = await page.evaluate(panInPage, 60);
        await page.evaluate(() => {
          for (let i = 0; i < 15; i++) (globalThis as unknown as { dispatchEvent(e: Event): void }).dispatchEvent(new KeyboardEvent('keydown', { key: 'w' }));
        });
        const panZoomed = await page.evaluate(panInPage, 60);
        const drawnItems = await page.evaluate(() => (globalThis as unknown as { __cttrace?: ViewerHooks }).__cttrace!.drawnItems());
        const served = summary.timings.served === true;
        const result: ViewerBenchResult = {
          events,
          fileBytes,
          loadMs: Math.round(summary.timings.readyAt ?? NaN),
          readBy: served ? 'server' : 'page',
          ...(served ? { pageReadMs: await openTime(context, server.url.replace('&served=1', '')), dropMs: await dropTime(context, viewerDir, file) } : {}),
          workerMs: Math.round(summary.timings.workerMs ?? NaN),
          parseMs: Math.round(summary.timings.parseMs ?? NaN),
          buildMs: Math.round(summary.timings.buildMs ?? NaN),
          startupMs: Math.round(summary.timings.openedAt),
          tabPeakMiB,
          textOnDisk: summary.timings.textOnDisk ?? false,
          panFrameFit: stats(panFit.draw),
          panFrameZoomed: stats(panZoomed.draw),
          frameIntervalFit: stats(panFit.intervals),
          drawnItems,
        };
        log(`viewer: ${JSON.stringify(result)}`);
        results.push(result);
      } finally {
        memory.stop();
        await page.close();
        await server.close();
        rmSync(file, { force: true });
      }
    }
  } finally {
    await context.close();
    rmSync(work, { recursive: true, force: true });
    rmSync(profile, { recursive: true, force: true });
  }
  return { results };
}
