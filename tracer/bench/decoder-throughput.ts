// Measurement 2: how fast the TypeScript side turns engine bytes into records. The synthetic
// stream goes through RawRecordSplitter.push in 64 KiB chunks (as from the engine pipe), then
// Decoder.decode for every record; JSON.stringify of each decoded record (what the trace file
// writer does) is timed as the difference of a third pass.
//
// Run in a child process of run.ts (`node decoder-throughput.js --events N --repeats N --out
// FILE`): in the bench's own process, after the overhead rounds, the same passes gave 1.00 M/s
// where a fresh process gave 1.7-2.0 in the same hour: that measured the bench, not the decoder.
import { spawnSync } from 'node:child_process';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { Decoder } from '../decode/decoder.js';
import { RawRecordSplitter } from '../protocol/raw-reader.js';
import type { RawRecord } from '../protocol/raw-records.js';
import { nowMs, round, summarize } from './stats.js';
import { buildSyntheticStream, chunks, type SyntheticStream } from './synthetic-stream.js';

type Mode = 'split' | 'decode' | 'stringify';

interface Pass {
  readonly ms: number;
  readonly records: number;
  readonly jsonBytes: number;
}

function pass(stream: SyntheticStream, mode: Mode, limitBytes = stream.buffer.length): Pass {
  const splitter = new RawRecordSplitter();
  const decoder = new Decoder();
  let records = 0;
  let jsonBytes = 0;
  const emit =
    mode === 'split'
      ? () => {
          records++;
        }
      : mode === 'decode'
        ? (raw: RawRecord) => {
            records++;
            decoder.decode(raw);
          }
        : (raw: RawRecord) => {
            records++;
            const record = decoder.decode(raw);
            if (record) jsonBytes += JSON.stringify(record).length + 1;
          };
  const buffer = stream.buffer.subarray(0, limitBytes);
  const start = nowMs();
  for (const chunk of chunks(buffer)) splitter.push(chunk, emit);
  return { ms: nowMs() - start, records, jsonBytes };
}

export interface ThroughputResult {
  readonly records: number;
  readonly streamBytes: number;
  readonly chunkBytes: number;
  readonly repeats: number;
  /** medians, ms */
  readonly splitMs: number;
  readonly splitDecodeMs: number;
  readonly splitDecodeStringifyMs: number;
  readonly stringifyMs: number;
  /** records per second */
  readonly splitPerSecond: number;
  readonly decodePerSecond: number;
  /** JSON.stringify alone */
  readonly stringifyPerSecond: number;
  /** split + decode + stringify */
  readonly endToEndPerSecond: number;
  readonly jsonBytesPerRecord: number;
  /** split + decode of the whole stream in the first pass, the JIT cold (what a fresh cttrace
   *  process decodes at first), records per second */
  readonly coldDecodePerSecond: number;
}

export function measureDecoderThroughput(stream: SyntheticStream, repeats = 3, progress?: (text: string) => void): ThroughputResult {
  // Warm-up: one whole pass each, the first decode timed as the cold figure; then the repeats
  // measure the steady state (with a fifth of the stream for warm-up, the JIT was still tiering
  // up during the first repeats: their medians varied 1.1-2.0 M/s from one process to the next).
  pass(stream, 'split');
  const cold = pass(stream, 'decode');
  pass(stream, 'stringify');
  progress?.('w');
  const times: Record<Mode, number[]> = { split: [], decode: [], stringify: [] };
  let jsonBytes = 0;
  for (let i = 0; i < repeats; i++) {
    for (const mode of ['split', 'decode', 'stringify'] as const) {
      const result = pass(stream, mode);
      if (result.records !== stream.records) throw new Error(`decoder pass saw ${result.records} of ${stream.records} records`);
      times[mode].push(result.ms);
      if (mode === 'stringify') jsonBytes = result.jsonBytes;
    }
    progress?.('.');
  }
  const split = summarize(times.split).median;
  const decode = summarize(times.decode).median;
  const stringify = summarize(times.stringify).median;
  const perSecond = (ms: number) => Math.round((stream.records / ms) * 1000);
  return {
    records: stream.records,
    streamBytes: stream.buffer.length,
    chunkBytes: 64 * 1024,
    repeats,
    splitMs: round(split, 1),
    splitDecodeMs: round(decode, 1),
    splitDecodeStringifyMs: round(stringify, 1),
    stringifyMs: round(stringify - decode, 1),
    splitPerSecond: perSecond(split),
    decodePerSecond: perSecond(decode),
    stringifyPerSecond: perSecond(stringify - decode),
    endToEndPerSecond: perSecond(stringify),
    jsonBytesPerRecord: round(jsonBytes / stream.records, 1),
    coldDecodePerSecond: perSecond(cold.ms),
  };
}

/** measureDecoderThroughput on a fresh synthetic stream of `events` syscalls, in a child process. */
export function measureDecoderThroughputInChild(options: { readonly events: number; readonly repeats: number; readonly tmp: string }): ThroughputResult {
  const out = join(options.tmp, 'decoder-throughput.json');
  const child = spawnSync(
    process.execPath,
    [fileURLToPath(import.meta.url), '--events', String(options.events), '--repeats', String(options.repeats), '--out', out],
    { stdio: ['ignore', 'ignore', 'inherit'], timeout: 600_000 },
  );
  if (child.status !== 0) throw new Error(`decoder throughput failed (${child.error?.message ?? `status ${child.status}`})`);
  return JSON.parse(readFileSync(out, 'utf8')) as ThroughputResult;
}

function childMain(argv: readonly string[]): void {
  const option = (name: string) => {
    const at = argv.indexOf(name);
    if (at < 0 || at + 1 >= argv.length) throw new Error(`decoder-throughput: ${name} is required`);
    return argv[at + 1]!;
  };
  const stream = buildSyntheticStream(Number(option('--events')));
  const result = measureDecoderThroughput(stream, Number(option('--repeats')), (text) => process.stderr.write(text));
  writeFileSync(option('--out'), JSON.stringify(result));
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  try {
    childMain(process.argv.slice(2));
  } catch (error) {
    process.stderr.write(`decoder-throughput: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`);
    process.exitCode = 1;
  }
}
