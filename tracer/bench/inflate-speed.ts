// Decompression speed of the viewer's WebAssembly gzip inflater (web/src/load/gzip-inflater.ts)
// against what it would replace, on the 1M-event synthetic trace: in headless chromium, inside a
// dedicated worker, DecompressionStream vs GzipInflater, both fed the same compressed bytes in
// 64 KiB chunks, the worker only counting the output; in Node, zlib's gunzipSync vs GzipInflater.
// Reported as MB/s of output (the best of a few runs each, run alternately).
//
//   npm run build && node dist/tracer/bench/inflate-speed.js [--events N] [--repeats N]
import { createServer, type Server } from 'node:http';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { once } from 'node:events';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { gunzipSync } from 'node:zlib';
import type { AddressInfo } from 'node:net';
import { writeSyntheticTrace } from './viewer-synthetic-trace.js';

const CHUNK = 64 * 1024;
const CHROMIUM_ARGS = ['--no-sandbox', '--disable-gpu', '--disable-background-networking', '--no-first-run', '--disable-component-update', '--disable-sync'];
const BUNDLE_NAME = 'InflateBench';

export interface SpeedResult {
  readonly decoder: string;
  readonly where: 'chromium worker' | 'node';
  /** the best run, ms */
  readonly ms: number;
  /** every run in order, ms (the first includes compiling and warming up) */
  readonly runs: readonly number[];
  readonly outputBytes: number;
  readonly mbPerSecond: number;
}

export interface InflateSpeedReport {
  readonly events: number;
  readonly compressedBytes: number;
  readonly results: readonly SpeedResult[];
  readonly skipped?: string;
}

interface GzipInflaterLike {
  push(input: Uint8Array): void;
  pull(): Uint8Array | null;
  end(): void;
}
interface InflaterBundle {
  GzipInflater: { create(): GzipInflaterLike | null };
}

/** The repository's root, from dist/tracer/bench or tracer/bench. */
function repositoryRoot(): string {
  let dir = dirname(fileURLToPath(import.meta.url));
  while (!existsSync(join(dir, 'package.json'))) dir = dirname(dir);
  return dir;
}

/** gzip-inflater.ts and its WebAssembly, bundled as a script that defines InflateBench (rolldown, the repository's bundler). */
async function inflaterBundle(): Promise<string> {
  const source = join(repositoryRoot(), 'web/src/load/gzip-inflater.ts');
  if (!existsSync(join(dirname(source), 'generated/inflate-wasm.ts'))) throw new Error('inflate-speed: web/src/load/generated/inflate-wasm.ts is missing: run npm run build first');
  const { rolldown } = await import('rolldown');
  const bundle = await rolldown({ input: source, logLevel: 'silent' });
  try {
    const { output } = await bundle.generate({ format: 'iife', name: BUNDLE_NAME });
    return output[0].code;
  } finally {
    await bundle.close();
  }
}

function result(decoder: string, where: SpeedResult['where'], runs: readonly number[], outputBytes: number): SpeedResult {
  const ms = Math.min(...runs);
  return { decoder, where, ms, runs, outputBytes, mbPerSecond: outputBytes / 1e6 / (ms / 1000) };
}

/** Pushes `bytes` in chunks of `chunk`, pulling as it goes: the output's length. (In the worker too: its source goes there.) */
function inflateAll(inflater: GzipInflaterLike, bytes: Uint8Array, chunk: number): number {
  let size = 0;
  for (let at = 0; at < bytes.length; at += chunk) {
    inflater.push(bytes.subarray(at, at + chunk));
    for (let out = inflater.pull(); out; out = inflater.pull()) size += out.length;
  }
  inflater.end();
  for (let out = inflater.pull(); out; out = inflater.pull()) size += out.length;
  return size;
}

/** Runs in the worker: times each decoder `repeats` times, alternately, over the fetched trace. */
function workerMain(scope: { onmessage: unknown; postMessage(message: unknown): void }, bundleName: string): void {
  const chunk = 64 * 1024;
  scope.onmessage = async (event: { data: { url: string; repeats: number } }) => {
    const bytes = new Uint8Array(await (await fetch(event.data.url)).arrayBuffer());
    const chunks = (): ReadableStream<BufferSource> => new ReadableStream<BufferSource>({
      start(controller) {
        for (let at = 0; at < bytes.length; at += chunk) controller.enqueue(bytes.subarray(at, at + chunk));
        controller.close();
      },
    });
    const bundle = (globalThis as unknown as Record<string, InflaterBundle>)[bundleName]!;
    const times: Record<string, number[]> = { DecompressionStream: [], GzipInflater: [] };
    const sizes: Record<string, number> = {};
    for (let run = 0; run < event.data.repeats; run++) {
      let start = performance.now();
      let size = 0;
      const reader = chunks().pipeThrough(new DecompressionStream('gzip')).getReader();
      for (;;) {
        const { done, value } = await reader.read();
        if (done) break;
        size += value.length;
      }
      times.DecompressionStream!.push(performance.now() - start);
      sizes.DecompressionStream = size;

      start = performance.now();
      sizes.GzipInflater = inflateAll(bundle.GzipInflater.create()!, bytes, chunk);
      times.GzipInflater!.push(performance.now() - start);
    }
    scope.postMessage({ times, sizes });
  };
}

async function serve(files: Record<string, { type: string; body: Buffer | string }>): Promise<{ server: Server; base: string }> {
  const server = createServer((request, response) => {
    const file = files[request.url ?? ''];
    if (!file) {
      response.writeHead(404).end();
      return;
    }
    response.writeHead(200, { 'content-type': file.type }).end(file.body);
  });
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  return { server, base: `http://127.0.0.1:${(server.address() as AddressInfo).port}` };
}

async function inChromium(chromiumPath: string, bundle: string, compressed: Buffer, repeats: number): Promise<SpeedResult[]> {
  const worker = `${bundle}\n${inflateAll.toString()}\n(${workerMain.toString()})(self, ${JSON.stringify(BUNDLE_NAME)});\n`;
  const { server, base } = await serve({
    '/': { type: 'text/html', body: '<!doctype html><title>inflate speed</title>' },
    '/worker.js': { type: 'text/javascript', body: worker },
    '/trace.cttrace': { type: 'application/octet-stream', body: compressed },
  });
  const { chromium } = await import('playwright-core');
  const browser = await chromium.launch({ executablePath: chromiumPath, headless: true, args: CHROMIUM_ARGS });
  try {
    const page = await browser.newPage();
    await page.goto(`${base}/`);
    const measured = await page.evaluate(({ repeats }) => new Promise<{ times: Record<string, number[]>; sizes: Record<string, number> }>((resolve, reject) => {
      const worker = new Worker('/worker.js');
      worker.onmessage = (event) => {
        resolve(event.data);
        worker.terminate();
      };
      worker.onerror = (event) => reject(new Error(event.message));
      worker.postMessage({ url: '/trace.cttrace', repeats });
    }), { repeats });
    return Object.keys(measured.times).map((decoder) => result(decoder, 'chromium worker', measured.times[decoder]!, measured.sizes[decoder]!));
  } finally {
    await browser.close();
    server.close();
  }
}

function inNode(bundle: string, compressed: Buffer, repeats: number): SpeedResult[] {
  const { GzipInflater } = new Function(`${bundle}\nreturn ${BUNDLE_NAME};`)() as InflaterBundle;
  const times: Record<string, number[]> = { 'zlib gunzipSync': [], GzipInflater: [] };
  const sizes: Record<string, number> = {};
  for (let run = 0; run < repeats; run++) {
    let start = performance.now();
    sizes['zlib gunzipSync'] = gunzipSync(compressed).length;
    times['zlib gunzipSync']!.push(performance.now() - start);
    start = performance.now();
    sizes.GzipInflater = inflateAll(GzipInflater.create()!, compressed, CHUNK);
    times.GzipInflater!.push(performance.now() - start);
  }
  return Object.keys(times).map((decoder) => result(decoder, 'node', times[decoder]!, sizes[decoder]!));
}

export async function measureInflateSpeed(options: { events?: number; repeats?: number; chromium?: string } = {}): Promise<InflateSpeedReport> {
  const events = options.events ?? 1_000_000;
  const repeats = options.repeats ?? 3;
  const chromiumPath = options.chromium ?? '/usr/bin/chromium';
  const work = mkdtempSync(join(tmpdir(), 'cttrace-inflate-speed-'));
  try {
    const path = join(work, 'synthetic.cttrace');
    await writeSyntheticTrace(path, events);
    const compressed = readFileSync(path);
    const bundle = await inflaterBundle();
    const results = inNode(bundle, compressed, repeats);
    if (!existsSync(chromiumPath)) return { events, compressedBytes: compressed.length, results, skipped: `${chromiumPath} is missing` };
    results.push(...(await inChromium(chromiumPath, bundle, compressed, repeats)));
    return { events, compressedBytes: compressed.length, results };
  } finally {
    rmSync(work, { recursive: true, force: true });
  }
}

export function formatInflateSpeed(report: InflateSpeedReport): string[] {
  const lines = [`Gzip decompression of the ${report.events.toLocaleString('en')}-event synthetic trace (${(report.compressedBytes / 1e6).toFixed(1)} MB compressed), best of the runs:`];
  for (const r of report.results) lines.push(`  ${r.where.padEnd(16)} ${r.decoder.padEnd(20)} ${r.ms.toFixed(0).padStart(6)} ms  ${r.mbPerSecond.toFixed(0).padStart(5)} MB/s of output (${(r.outputBytes / 1e6).toFixed(1)} MB; runs ${r.runs.map((ms) => ms.toFixed(0)).join(', ')} ms)`);
  const speedup = (where: SpeedResult['where'], baseline: string) => {
    const ours = report.results.find((r) => r.where === where && r.decoder === 'GzipInflater');
    const theirs = report.results.find((r) => r.where === where && r.decoder === baseline);
    if (ours && theirs) lines.push(`  ${where}: GzipInflater ${(ours.mbPerSecond / theirs.mbPerSecond).toFixed(2)}x ${baseline}`);
  };
  speedup('chromium worker', 'DecompressionStream');
  speedup('node', 'zlib gunzipSync');
  if (report.skipped) lines.push(`  chromium skipped: ${report.skipped}`);
  return lines;
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  const argument = (name: string): number | undefined => {
    const at = process.argv.indexOf(name);
    if (at < 0) return undefined;
    const value = Number(process.argv[at + 1]);
    if (!Number.isInteger(value) || value <= 0) {
      console.error(`inflate-speed: ${name} needs a positive integer, e.g. ${name} 3`);
      process.exit(2);
    }
    return value;
  };
  const report = await measureInflateSpeed({ events: argument('--events'), repeats: argument('--repeats') });
  for (const line of formatInflateSpeed(report)) console.log(line);
}
