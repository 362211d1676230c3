// The live view at speed: `cttrace attach --web` to a busy daemon (test/programs/syscall-rate.c,
// 20,000 syscalls a second) for 60 s, the printed URL open in headless chromium. Measured:
// - lag: how far behind the page is. The daemon stamps the wall clock into one call a millisecond
//   (close(1000000000 + ms)); the trace file pairs each stamp with its trace time, which maps trace
//   time to wall time. Every 500 ms the page reports Date.now() and the latest event it shows: the
//   lag is the wall time between that event and now.
// - memory: RSS of the tab's renderer process (main thread, loader workers, canvas), sampled.
// - nothing lost: the Pause button is pressed for a while mid-run; at the end the page must hold
//   every record of the trace file written by the same run.
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Page } from 'playwright-core';
import { packageRoot } from '../paths.js';
import { readTraceFile } from '../trace/file-reader.js';
import { percentiles, type FramePercentiles } from './viewer-frames.js';
import { launchBenchBrowser } from './bench-browser.js';

export interface ViewerLiveResult {
  readonly rate: number;
  readonly seconds: number;
  /** records in the trace file / that the page holds at the end */
  readonly recordsInFile: number;
  readonly recordsShown: number;
  /** records per second the daemon actually made under the tracer */
  readonly tracedPerSecond: number;
  /** ms between an event and the page showing it, sampled every 500 ms while not paused */
  readonly lagMs: FramePercentiles;
  /** the page opens seconds after the trace began and first catches up on what it missed: when
   *  it was first less than 1 s behind (s since the page opened), and the lag from then on */
  readonly caughtUpAfterS: number | null;
  readonly lagAfterCatchUpMs: FramePercentiles;
  /** renderer RSS, MB: after 10 s, at the end, and per 1,000 records between the two */
  readonly memoryMb: { readonly at10s: number; readonly atEnd: number; readonly max: number; readonly perThousandRecords: number };
  /** how long the page was paused, and the records it held meanwhile */
  readonly paused: { readonly seconds: number; readonly held: number };
  /** frame times in the page during the run (requestAnimationFrame intervals) */
  readonly frames: FramePercentiles;
}

export interface ViewerLiveOptions {
  readonly rate?: number;
  readonly seconds?: number;
  readonly chromium?: string;
  readonly log?: (line: string) => void;
}

const STAMP_BASE = 1_000_000_000;

type LiveWindow = {
  __cttrace: { summary(): { records: number; traceEnd: number | null; complete: boolean; live: { state: string; paused: boolean; held: number } } };
  __liveFrames?: number[];
  __liveFramesOn?: boolean;
};

/** Wall clock as the daemon stamps it: ms, modulo 1e9 s-worth of ms. */
const stampNow = (now: number) => (Math.floor(now / 1000) % 1_000_000) * 1000 + (now % 1000);

/** RSS (MB) of the renderer processes of the chromium that uses this profile (each names it in its command line). */
function rendererRssMb(profile: string): number {
  let kb = 0;
  for (const pid of readdirSync('/proc').filter((name) => /^\d+$/.test(name))) {
    try {
      // a zygote child rewrites its command line as one string: look for the words in it
      const args = readFileSync(`/proc/${pid}/cmdline`, 'utf8').split(/[\0 ]/);
      if (!args.includes('--type=renderer') || !args.includes(`--user-data-dir=${profile}`)) continue;
      const match = /VmRSS:\s+(\d+) kB/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
      kb += match ? Number(match[1]) : 0;
    } catch {
      // gone meanwhile
    }
  }
  return Math.round(kb / 1024);
}

async function exited(child: ChildProcess): Promise<number | null> {
  if (child.exitCode !== null) return child.exitCode;
  return new Promise((resolve) => child.once('exit', (code) => resolve(code)));
}

export async function benchViewerLive(options: ViewerLiveOptions = {}): Promise<ViewerLiveResult | { skipped: string }> {
  const rate = options.rate ?? 20_000;
  const seconds = options.seconds ?? 60;
  const chromiumPath = options.chromium ?? '/usr/bin/chromium';
  const log = options.log ?? (() => undefined);
  const cli = join(packageRoot, 'bin', 'cttrace.js');
  if (process.getuid?.() !== 0) return { skipped: 'attach needs root' };
  if (!existsSync(chromiumPath)) return { skipped: `${chromiumPath} is missing` };
  if (!existsSync(join(packageRoot, 'dist', 'tracer', 'cli', 'main.js'))) return { skipped: 'the CLI is not built (npm run build)' };
  const work = mkdtempSync(join(tmpdir(), 'cttrace-bench-live-'));
  const profile = join(work, 'chromium');
  const generator = join(work, 'syscall-rate');
  const traceFile = join(work, 'live.cttrace');
  const built = spawnSync('gcc', ['-O1', '-Wall', '-Werror', '-o', generator, join(packageRoot, 'test', 'programs', 'syscall-rate.c')], { encoding: 'utf8' });
  if (built.status !== 0) {
    rmSync(work, { recursive: true, force: true });
    return { skipped: `gcc could not build the generator: ${built.stderr || built.error?.message}` };
  }
  const daemon = spawn(generator, [String(rate), String(seconds + 30)], { stdio: 'ignore' });
  let tracer: ChildProcess | null = null;
  const context = await launchBenchBrowser(chromiumPath, profile);
  try {
    tracer = spawn(process.execPath, [cli, 'attach', '-q', '--all', '--web', '--duration', String(seconds), '-o', traceFile, String(daemon.pid)], { stdio: ['ignore', 'ignore', 'pipe'] });
    let stderr = '';
    tracer.stderr!.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
    const url = await new Promise<string>((resolve, reject) => {
      const timer = setInterval(() => {
        const found = /http:\/\/127\.0\.0\.1:\d+\/\?token=\S+/.exec(stderr);
        if (found) {
          clearInterval(timer);
          resolve(found[0]);
        } else if (tracer!.exitCode !== null) {
          clearInterval(timer);
          reject(new Error(`cttrace attach exited: ${stderr.trim()}`));
        }
      }, 50);
    });
    const page = await context.newPage();
    await page.goto(url);
    await startFrames(page);
    const cdp = process.env.CTTRACE_BENCH_PROFILE ? await context.newCDPSession(page) : null;
    if (cdp) {
      await cdp.send('Profiler.enable');
      await cdp.send('Profiler.start');
    }
    const started = Date.now();
    const samples: { now: number; end: number | null; records: number; paused: boolean; held: number; rss: number; at: number }[] = [];
    const pauseAt = seconds * 0.4;
    const pauseFor = Math.min(10, seconds * 0.15);
    let pausedHeld = 0;
    let phase: 'before' | 'paused' | 'after' = 'before';
    while (!stderr.includes('the trace is complete')) {
      if (tracer.exitCode !== null) throw new Error(`cttrace attach exited early: ${stderr.trim()}`);
      const elapsed = (Date.now() - started) / 1000;
      if (phase === 'before' && elapsed >= pauseAt) {
        await page.getByTestId('live-pause').click();
        phase = 'paused';
      } else if (phase === 'paused' && elapsed >= pauseAt + pauseFor) {
        pausedHeld = (await summaryOf(page)).live.held;
        await page.getByTestId('live-pause').click();
        phase = 'after';
      }
      const s = await summaryOf(page);
      if (process.env.CTTRACE_BENCH_DEBUG) options.log?.(`  ${elapsed.toFixed(1)} s: ${s.records} records, end ${s.traceEnd}, ${s.live.paused ? 'paused' : ''}`);
      samples.push({ now: await page.evaluate(() => Date.now()), end: s.traceEnd, records: s.records, paused: s.live.paused, held: s.live.held, rss: rendererRssMb(profile), at: elapsed });
      await page.waitForTimeout(500);
    }
    if (phase !== 'after') throw new Error(`the run ended before the pause was over (${seconds} s is too short)`);
    await page.waitForFunction(() => (window as unknown as LiveWindow).__cttrace.summary().complete, null, { timeout: 60_000, polling: 200 });
    const frames = await stopFrames(page);
    if (cdp) writeFileSync(process.env.CTTRACE_BENCH_PROFILE!, JSON.stringify((await cdp.send('Profiler.stop')).profile));
    const final = await summaryOf(page);
    const atEnd = rendererRssMb(profile);
    tracer.kill('SIGINT');
    await exited(tracer);
    const { records } = await readTraceFile(traceFile);
    // trace time → wall clock (ms, as stamped): the median of stamp − t over the stamped calls
    const offsets = records.flatMap((record) => {
      if (record.type !== 'syscall' || record.name !== 'close') return [];
      const fd = (record.args as { fd?: unknown }).fd;
      return typeof fd === 'number' && fd >= STAMP_BASE ? [fd - STAMP_BASE - record.t / 1e6] : [];
    });
    if (offsets.length === 0) throw new Error('the trace holds no stamped close() calls of the generator');
    offsets.sort((a, b) => a - b);
    const offset = offsets[Math.floor(offsets.length / 2)]!;
    const shown = samples.filter((s) => !s.paused && s.end !== null && s.records > 0);
    const lagOf = (s: (typeof samples)[number]) => stampNow(s.now) - (offset + s.end! / 1e6);
    const lags = shown.map(lagOf);
    const caughtUp = shown.find((s) => lagOf(s) < 1000);
    const early = samples.find((s) => s.at >= 10) ?? samples[0]!;
    const syscalls = records.filter((record) => record.type === 'syscall');
    const span = syscalls.length > 1 ? (syscalls.at(-1)!.t - syscalls[0]!.t) / 1e9 : 1;
    const result: ViewerLiveResult = {
      rate,
      seconds,
      recordsInFile: records.length,
      recordsShown: final.records,
      tracedPerSecond: Math.round(syscalls.length / span),
      lagMs: percentiles(lags),
      caughtUpAfterS: caughtUp ? Math.round(caughtUp.at * 10) / 10 : null,
      lagAfterCatchUpMs: percentiles(caughtUp ? shown.filter((s) => s.at >= caughtUp.at).map(lagOf) : []),
      memoryMb: {
        at10s: early.rss,
        atEnd,
        max: Math.max(atEnd, ...samples.map((s) => s.rss)),
        perThousandRecords: Math.round(((atEnd - early.rss) / Math.max(1, (final.records - early.records) / 1000)) * 100) / 100,
      },
      paused: { seconds: pauseFor, held: pausedHeld },
      frames: percentiles(frames),
    };
    log(`viewer live: ${JSON.stringify(result)}`);
    await page.close();
    return result;
  } finally {
    if (tracer && tracer.exitCode === null) {
      tracer.kill('SIGINT');
      await exited(tracer);
    }
    daemon.kill('SIGKILL');
    await exited(daemon);
    await context.close();
    rmSync(work, { recursive: true, force: true });
  }
}

const summaryOf = (page: Page) => page.evaluate(() => (window as unknown as LiveWindow).__cttrace.summary());

async function startFrames(page: Page): Promise<void> {
  await page.evaluate(() => {
    const w = window as unknown as LiveWindow;
    w.__liveFrames = [];
    w.__liveFramesOn = true;
    const tick = (now: number) => {
      if (!w.__liveFramesOn) return;
      w.__liveFrames!.push(now);
      requestAnimationFrame(tick);
    };
    requestAnimationFrame(tick);
  });
}

async function stopFrames(page: Page): Promise<number[]> {
  const stamps = await page.evaluate(() => {
    const w = window as unknown as LiveWindow;
    w.__liveFramesOn = false;
    return w.__liveFrames ?? [];
  });
  return stamps.slice(1).map((stamp, i) => stamp - stamps[i]!);
}

export function liveMarkdown(live: ViewerLiveResult | { skipped: string }): string[] {
  if ('skipped' in live) return [`Live view at speed: not measured (${live.skipped}).`];
  const ok = live.recordsShown === live.recordsInFile;
  return [
    `Live view at speed: \`cttrace attach --web\` to a daemon making ${live.rate.toLocaleString('en')} syscalls/s (${live.tracedPerSecond.toLocaleString('en')}/s traced) for ${live.seconds} s, the page paused for ${live.paused.seconds} s midway (${live.paused.held.toLocaleString('en')} records held): ` +
      `lag over the run p50 ${live.lagMs.p50} ms, p95 ${live.lagMs.p95} ms, max ${live.lagMs.max} ms; ` +
      (live.caughtUpAfterS === null
        ? 'the page (opened after the trace began) was never within 1 s (aim < 1000: not met); '
        : `the page (opened after the trace began) first within 1 s after ${live.caughtUpAfterS} s, lag from then on p50 ${live.lagAfterCatchUpMs.p50} ms, p95 ${live.lagAfterCatchUpMs.p95} ms, max ${live.lagAfterCatchUpMs.max} ms (aim < 1000: ${live.lagAfterCatchUpMs.max < 1000 ? 'met' : 'not met'}); `) +
      `records shown ${live.recordsShown.toLocaleString('en')} of ${live.recordsInFile.toLocaleString('en')} in the trace file (${ok ? 'none lost' : 'LOST SOME'}); ` +
      `tab (renderer RSS) ${live.memoryMb.at10s} MB after 10 s, ${live.memoryMb.atEnd} MB at the end (max ${live.memoryMb.max}), ${live.memoryMb.perThousandRecords} MB per 1,000 records; ` +
      `frames p50 ${live.frames.p50} / p95 ${live.frames.p95} / p99 ${live.frames.p99} ms.`,
  ];
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  const argv = process.argv.slice(2);
  const value = (name: string) => {
    const at = argv.indexOf(name);
    return at >= 0 ? Number(argv[at + 1]) : undefined;
  };
  benchViewerLive({ rate: value('--rate'), seconds: value('--seconds'), log: (line) => process.stderr.write(`${line}\n`) }).then(
    (live) => process.stdout.write(`${liveMarkdown(live).join('\n')}\n`),
    (error: unknown) => {
      process.stderr.write(`viewer-live: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`);
      process.exitCode = 1;
    },
  );
}
