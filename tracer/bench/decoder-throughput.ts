// Measurement 2: how fast the TypeScript side turns engine bytes into records. The synthetic
// stream goes through RawRecordSplitter.push in 64 KiB chunks (as from the engine pipe), then
// Decoder.decode for every record; JSON.stringify of each decoded record (what the trace file
// writer does) is timed as the difference of a third pass.
import { Decoder } from '../decode/decoder.js';
import { RawRecordSplitter } from '../protocol/raw-reader.js';
import type { RawRecord } from '../protocol/raw-records.js';
import { nowMs, round, summarize } from './stats.js';
import { chunks, type SyntheticStream } from './synthetic-stream.js';

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
}

export function measureDecoderThroughput(stream: SyntheticStream, repeats = 3, progress?: (text: string) => void): ThroughputResult {
  // Warm-up: let the JIT settle on a fifth of the stream.
  for (const mode of ['split', 'decode', 'stringify'] as const) pass(stream, mode, Math.floor(stream.buffer.length / 5));
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
  };
}
