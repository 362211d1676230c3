// Frame times of the viewer under real input, one interaction at a time: playwright sends the
// same input events a person's mouse and keyboard make (CDP Input.dispatch*: wheel, drag, keys,
// typing, clicks), one step every 16 ms, on a synthetic trace of 100k / 1M events served like
// `cttrace view`. In the page, a requestAnimationFrame loop stamps every frame: the time between
// two frames is how long the screen stood still, whatever held the main thread (input handlers,
// drawing, search results, index rebuilds, garbage collection). That is what a user sees.
//
//   node dist/tracer/bench/viewer-frames.js [--events N ...] [--only NAME] [--profile DIR] [--verbose]
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Page } from 'playwright-core';
import { startLiveServer } from '../live/live-server.js';
import { viewerDir } from '../live/viewer-dir.js';
import { writeSyntheticTrace } from './viewer-synthetic-trace.js';
import { launchBenchBrowser } from './bench-browser.js';

export interface FramePercentiles {
  readonly frames: number;
  readonly p50: number;
  readonly p95: number;
  readonly p99: number;
  readonly max: number;
}

export interface InteractionResult extends FramePercentiles {
  readonly name: string;
  /** what was done, in a few words */
  readonly input: string;
}

export interface ViewerFramesResult {
  readonly events: number;
  readonly interactions: readonly InteractionResult[];
}

/** The aims of issue 17. */
export const FRAME_AIMS = { p95: 33, p99: 50 } as const;

const STEP_MS = 16;

interface Hooks {
  summary(): { ready: boolean; error: string | null; window: [number, number]; selection: unknown; replay: { playing: boolean } };
  spanRect(span: number): { x: number; y: number; width: number; height: number } | null;
  findSpans(name: string): number[];
}
type ProbeWindow = { __cttrace: Hooks; __frameStamps?: number[]; __frameProbeOn?: boolean; __longFrames?: string[]; __loafObserver?: PerformanceObserver };

export function percentiles(values: readonly number[]): FramePercentiles {
  const sorted = [...values].sort((a, b) => a - b);
  const at = (q: number) => sorted[Math.min(sorted.length - 1, Math.ceil(q * sorted.length) - 1)] ?? 0;
  const round = (n: number) => Math.round(n * 10) / 10;
  return { frames: sorted.length, p50: round(at(0.5)), p95: round(at(0.95)), p99: round(at(0.99)), max: round(sorted.at(-1) ?? 0) };
}

async function startProbe(page: Page): Promise<void> {
  await page.evaluate(() => {
    const w = window as unknown as ProbeWindow;
    w.__frameStamps = [];
    w.__frameProbeOn = true;
    // what held the long frames (Long Animation Frames API): for the log, to find what is slow
    w.__longFrames = [];
    w.__loafObserver = new PerformanceObserver((list) => {
      for (const entry of list.getEntries() as unknown as { duration: number; blockingDuration: number; scripts: { invoker: string; sourceFunctionName: string; duration: number }[] }[]) {
        const scripts = entry.scripts.map((script) => `${script.invoker}/${script.sourceFunctionName} ${Math.round(script.duration)}`).join(', ');
        w.__longFrames!.push(`${Math.round(entry.duration)} ms [${scripts}]`);
      }
    });
    try {
      w.__loafObserver.observe({ type: 'long-animation-frame' });
    } catch {
      // a browser without the API: no attribution
    }
    const tick = (now: number) => {
      if (!w.__frameProbeOn) return;
      w.__frameStamps!.push(now);
      requestAnimationFrame(tick);
    };
    requestAnimationFrame(tick);
  });
}

async function stopProbe(page: Page): Promise<{ intervals: number[]; longFrames: string[] }> {
  const { stamps, longFrames } = await page.evaluate(() => {
    const w = window as unknown as ProbeWindow;
    w.__frameProbeOn = false;
    w.__loafObserver?.disconnect();
    return { stamps: w.__frameStamps ?? [], longFrames: w.__longFrames ?? [] };
  });
  return { intervals: stamps.slice(1).map((stamp, i) => stamp - stamps[i]!), longFrames };
}

/** Runs `steps` inputs one per 16 ms (or as fast as the page takes them, if slower), then `settleMs` more. */
async function paced(page: Page, steps: number, input: (i: number) => Promise<void>, settleMs = 300): Promise<void> {
  const started = Date.now();
  for (let i = 0; i < steps; i++) {
    await input(i);
    const wait = started + (i + 1) * STEP_MS - Date.now();
    if (wait > 0) await page.waitForTimeout(wait);
  }
  await page.waitForTimeout(settleMs);
}

const summary = (page: Page) => page.evaluate(() => (window as unknown as ProbeWindow).__cttrace.summary());

interface Interaction {
  readonly name: string;
  readonly input: string;
  /** puts the view where the interaction starts (not measured) */
  prepare?(page: Page, at: Geometry): Promise<void>;
  run(page: Page, at: Geometry): Promise<void>;
}

interface Geometry {
  /** the lanes canvas in page coordinates */
  readonly left: number;
  readonly top: number;
  readonly width: number;
  readonly height: number;
}

const fit = async (page: Page) => {
  await page.mouse.move(5, 5);
  await page.keyboard.press('Escape');
  await page.keyboard.press('f');
  await page.waitForTimeout(200);
};

const zoomIn = async (page: Page, at: Geometry, steps: number) => {
  await page.mouse.move(at.left + at.width * 0.5, at.top + 40);
  for (let i = 0; i < steps; i++) await page.mouse.wheel(0, -100);
  await page.waitForTimeout(200);
};

/** Clicks the first `name` span of the trace (brings it into view by selecting, then clicks it). */
async function clickFirstSpan(page: Page, name: string): Promise<void> {
  const [span] = await page.evaluate((n) => (window as unknown as ProbeWindow).__cttrace.findSpans(n), name);
  const rect = span === undefined ? null : await page.evaluate((id) => (window as unknown as ProbeWindow).__cttrace.spanRect(id), span);
  if (!rect) throw new Error(`no ${name} span to click`);
  await page.mouse.click(rect.x + Math.min(rect.width / 2, 2), rect.y + rect.height / 2);
}

// Wheel: d3-zoom scales by 2^(-deltaY * 0.002) per event, so -100 is ×1.15; 90 of them take a
// 100 ms trace down to a few µs, single calls several pixels wide.
const WHEEL_STEPS = 90;

/** A drag from right to left across the timeline: mouse down, 120 moves of 6 px, mouse up. */
async function dragAcross(page: Page, at: Geometry): Promise<void> {
  const x0 = at.left + at.width * 0.8;
  const y = at.top + 80;
  await page.mouse.move(x0, y);
  await page.mouse.down();
  await paced(page, 120, (i) => page.mouse.move(x0 - 6 * (i + 1), y + (i % 2)), 0);
  await page.mouse.up();
  await page.waitForTimeout(300);
}

const INTERACTIONS: readonly Interaction[] = [
  {
    name: 'wheel zoom in',
    input: `${WHEEL_STEPS} wheel events (deltaY −100) over the lanes, whole trace → single calls`,
    prepare: fit,
    run: (page, at) =>
      paced(page, WHEEL_STEPS, async (i) => {
        if (i === 0) await page.mouse.move(at.left + at.width * 0.6, at.top + 60);
        await page.mouse.wheel(0, -100);
      }),
  },
  {
    name: 'wheel zoom out',
    input: `${WHEEL_STEPS} wheel events (deltaY +100), single calls → whole trace`,
    prepare: async (page, at) => {
      await fit(page);
      await zoomIn(page, at, WHEEL_STEPS);
    },
    run: (page, at) =>
      paced(page, WHEEL_STEPS, async (i) => {
        if (i === 0) await page.mouse.move(at.left + at.width * 0.6, at.top + 60);
        await page.mouse.wheel(0, 100);
      }),
  },
  {
    name: 'drag, whole trace',
    input: 'mouse down, 120 moves of 6 px, mouse up',
    prepare: fit,
    run: dragAcross,
  },
  {
    name: 'drag, zoomed in 200×',
    input: 'mouse down, 120 moves of 6 px, mouse up',
    prepare: async (page, at) => {
      await fit(page);
      await zoomIn(page, at, 38);
    },
    run: dragAcross,
  },
  {
    name: 'W/A/S/D',
    input: '20 W, 20 A, 20 D, 20 S key presses',
    prepare: fit,
    run: (page) => paced(page, 80, (i) => page.keyboard.press('wasd'[i < 20 ? 0 : i < 40 ? 1 : i < 60 ? 3 : 2]!)),
  },
  {
    name: 'arrow keys stepping events',
    input: 'a call selected, then 60 →, 20 ←, 10 ↓, 10 ↑',
    prepare: async (page, at) => {
      await fit(page);
      await zoomIn(page, at, 60);
      await clickFirstSpan(page, 'openat');
    },
    run: (page) => paced(page, 100, (i) => page.keyboard.press(i < 60 ? 'ArrowRight' : i < 80 ? 'ArrowLeft' : i < 90 ? 'ArrowDown' : 'ArrowUp')),
  },
  {
    name: 'search as you type',
    input: 'typing "file-42" in the search box, one key per 16 ms, until the count shows',
    prepare: async (page) => {
      await fit(page);
      await page.getByTestId('search').click();
    },
    run: async (page) => {
      await paced(page, 7, (i) => page.keyboard.type('file-42'[i]!), 0);
      await page.waitForFunction(() => /syscall/.test(document.getElementById('search-count')?.textContent ?? ''), null, { timeout: 60_000, polling: 50 });
      await page.waitForTimeout(300);
      await page.keyboard.press('Escape');
      await page.waitForTimeout(300);
    },
  },
  {
    name: 'filter toggles',
    input: '20 clicks on family chips (files, other, files, …)',
    prepare: fit,
    run: async (page) => {
      const files = page.locator('#family-chips input[data-family="files"]');
      const other = page.locator('#family-chips input[data-family="other"]');
      const boxes = [await files.boundingBox(), await other.boundingBox()];
      await paced(page, 20, async (i) => {
        const box = boxes[i % 2]!;
        await page.mouse.click(box.x + box.width / 2, box.y + box.height / 2);
        await page.waitForTimeout(100);
      });
    },
  },
  {
    name: 'selecting',
    input: '40 clicks across the lanes, zoomed in 200×',
    prepare: async (page, at) => {
      await fit(page);
      await zoomIn(page, at, 38);
    },
    run: (page, at) =>
      paced(page, 40, async (i) => {
        await page.mouse.click(at.left + 260 + ((i * 97) % Math.max(1, at.width - 300)), at.top + 10 + ((i * 37) % Math.max(1, at.height - 20)));
        await page.waitForTimeout(50);
      }),
  },
  {
    name: 'replay',
    input: 'the play button at 1/100× (a 1M-event trace lasts ~0.14 s: 14 s to play), 4 s of it',
    prepare: async (page) => {
      await fit(page);
      await page.getByTestId('speed').selectOption('0.01');
    },
    run: async (page) => {
      await page.getByTestId('play').click();
      await page.waitForTimeout(4000);
      await page.getByTestId('play').click();
      await page.waitForTimeout(200);
      await page.getByTestId('scrubber').fill('1000');
      await page.waitForTimeout(200);
    },
  },
];

export interface ViewerFramesOptions {
  readonly sizes?: readonly number[];
  readonly chromium?: string;
  readonly only?: string;
  readonly log?: (line: string) => void;
  /** CDP CPU profile of each interaction, written here as NAME.cpuprofile (to find what is slow) */
  readonly profileDir?: string;
  /** log what held each long frame */
  readonly verbose?: boolean;
}

export async function benchViewerFrames(options: ViewerFramesOptions = {}): Promise<{ results: ViewerFramesResult[]; skipped?: string }> {
  const chromiumPath = options.chromium ?? '/usr/bin/chromium';
  const log = options.log ?? (() => undefined);
  if (!existsSync(chromiumPath)) return { results: [], skipped: `${chromiumPath} is missing` };
  if (!existsSync(join(viewerDir, 'index.html'))) return { results: [], skipped: 'the web viewer is not built (npm run build:web)' };
  const work = mkdtempSync(join(tmpdir(), 'cttrace-bench-frames-'));
  const profile = join(work, 'chromium');
  const context = await launchBenchBrowser(chromiumPath, profile);
  const results: ViewerFramesResult[] = [];
  try {
    for (const events of options.sizes ?? [100_000, 1_000_000]) {
      const file = join(work, `synthetic-${events}.cttrace`);
      await writeSyntheticTrace(file, events);
      const server = await startLiveServer({ header: null, staticDir: viewerDir, traceFile: file });
      const page = await context.newPage();
      const errors: string[] = [];
      page.on('pageerror', (error) => errors.push(error.message));
      try {
        await page.goto(server.url);
        await page.waitForFunction(() => {
          const s = (window as unknown as Partial<ProbeWindow>).__cttrace?.summary();
          return s && (s.ready || s.error);
        }, null, { timeout: 180_000, polling: 100 });
        const opened = await summary(page);
        if (opened.error) throw new Error(`the viewer refused the synthetic trace: ${opened.error}`);
        await page.waitForTimeout(500);
        const box = (await page.getByTestId('lanes-canvas').boundingBox())!;
        const at: Geometry = { left: box.x, top: box.y, width: box.width, height: box.height };
        const interactions: InteractionResult[] = [];
        for (const interaction of INTERACTIONS) {
          if (options.only && !interaction.name.includes(options.only)) continue;
          await interaction.prepare?.(page, at);
          const cdp = options.profileDir ? await context.newCDPSession(page) : null;
          if (cdp) {
            await cdp.send('Profiler.enable');
            await cdp.send('Profiler.setSamplingInterval', { interval: 200 });
            await cdp.send('Profiler.start');
          }
          await startProbe(page);
          await interaction.run(page, at);
          const { intervals, longFrames } = await stopProbe(page);
          if (cdp) {
            const { profile: cpu } = await cdp.send('Profiler.stop');
            const { writeFileSync } = await import('node:fs');
            writeFileSync(join(options.profileDir!, `${events}-${interaction.name.replace(/\W+/g, '-')}.cpuprofile`), JSON.stringify(cpu));
            await cdp.detach();
          }
          const result: InteractionResult = { name: interaction.name, input: interaction.input, ...percentiles(intervals) };
          log(`viewer frames ${events.toLocaleString('en')}: ${result.name}: ${result.frames} frames, p50 ${result.p50} p95 ${result.p95} p99 ${result.p99} max ${result.max} ms`);
          if (options.verbose && longFrames.length) log(`  long frames: ${longFrames.join('; ')}`);
          interactions.push(result);
        }
        if (errors.length) throw new Error(`the viewer threw: ${errors.join('; ')}`);
        results.push({ events, interactions });
      } finally {
        await page.close();
        await server.close();
        rmSync(file, { force: true });
      }
    }
  } finally {
    await context.close();
    rmSync(work, { recursive: true, force: true });
  }
  return { results };
}

/** The README / bench-results.md table. */
export function framesMarkdown(frames: { results: readonly ViewerFramesResult[]; skipped?: string }): string[] {
  if (frames.skipped) return [`Viewer frame times: not measured (${frames.skipped}).`];
  const lines = [
    `Viewer frame times under real input (playwright mouse/keyboard, one step per ${STEP_MS} ms; time between animation frames in the page, ms; aim p95 < ${FRAME_AIMS.p95}, p99 < ${FRAME_AIMS.p99}):`,
    '',
    '| events | interaction | frames | p50 | p95 | p99 | max | aim |',
    '|---:|---|---:|---:|---:|---:|---:|---|',
  ];
  for (const result of frames.results) {
    for (const i of result.interactions) {
      const met = i.p95 < FRAME_AIMS.p95 && i.p99 < FRAME_AIMS.p99;
      lines.push(`| ${result.events.toLocaleString('en')} | ${i.name} | ${i.frames} | ${i.p50} | ${i.p95} | ${i.p99} | ${i.max} | ${met ? 'met' : 'not met'} |`);
    }
  }
  return lines;
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  const argv = process.argv.slice(2);
  const sizes: number[] = [];
  let only: string | undefined;
  let profileDir: string | undefined;
  let verbose = false;
  for (let i = 0; i < argv.length; i++) {
    if (argv[i] === '--events') sizes.push(Number(argv[++i]));
    else if (argv[i] === '--only') only = argv[++i];
    else if (argv[i] === '--profile') profileDir = argv[++i];
    else if (argv[i] === '--verbose') verbose = true;
    else {
      process.stderr.write(`viewer-frames: unknown option ${argv[i]}; use --events N, --only NAME, --profile DIR, --verbose\n`);
      process.exit(2);
    }
  }
  benchViewerFrames({ sizes: sizes.length ? sizes : undefined, only, profileDir, verbose, log: (line) => process.stderr.write(`${line}\n`) }).then(
    (frames) => process.stdout.write(`${framesMarkdown(frames).join('\n')}\n`),
    (error: unknown) => {
      process.stderr.write(`viewer-frames: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`);
      process.exitCode = 1;
    },
  );
}
