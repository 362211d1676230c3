// Measurement 3: what a trace costs on disk. Gzip'd bytes of the .cttrace per record, for real
// traces (unshare and runc, filtered and --all, written by the CLI) and for the synthetic 1M
// stream written through TraceFileWriter (the time to write it is reported as well).
import { statSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { Decoder } from '../decode/decoder.js';
import { RawRecordSplitter } from '../protocol/raw-reader.js';
import { TraceFileWriter } from '../trace/file-writer.js';
import { makeTraceHeader } from '../trace/header.js';
import type { TraceRecord } from '../trace/records.js';
import { CLI, readTraceFile } from './overhead.js';
import { timeRun } from './stopwatch.js';
import { nowMs, round } from './stats.js';
import { chunks, FIXTURE, type SyntheticStream } from './synthetic-stream.js';
import type { Workload } from './workloads.js';

export interface SizeRow {
  readonly name: string;
  readonly records: number;
  readonly gzipBytes: number;
  readonly jsonBytes: number;
  readonly gzipBytesPerRecord: number;
  readonly jsonBytesPerRecord: number;
}

export interface TraceSizeResult {
  readonly rows: readonly SizeRow[];
  /** split + decode + stringify + gzip of the synthetic stream into a file */
  readonly syntheticWriteMs: number;
  readonly syntheticWritePerSecond: number;
}

function row(name: string, records: number, gzipBytes: number, jsonBytes: number): SizeRow {
  return {
    name,
    records,
    gzipBytes,
    jsonBytes,
    gzipBytesPerRecord: round(gzipBytes / records, 1),
    jsonBytesPerRecord: round(jsonBytes / records, 1),
  };
}

async function writeSynthetic(stream: SyntheticStream, path: string): Promise<{ ms: number; records: number; jsonBytes: number }> {
  const header = makeTraceHeader({ command: ['synthetic', FIXTURE], filter: { mode: 'seccomp', expression: 'default', caveats: [] } });
  const start = nowMs();
  const writer = TraceFileWriter.create(path, header);
  const splitter = new RawRecordSplitter();
  const decoder = new Decoder();
  let records = 0;
  let jsonBytes = 0;
  const emit = (record: TraceRecord) => {
    records++;
    jsonBytes += JSON.stringify(record).length + 1;
  };
  for (const chunk of chunks(stream.buffer)) {
    splitter.push(chunk, (raw) => {
      const record = decoder.decode(raw);
      if (record) writer.write(record);
    });
    // One event-loop turn per chunk, as with the engine pipe: the writer drains, gzip runs.
    await new Promise<void>((resolve) => setImmediate(resolve));
  }
  await writer.close();
  const ms = nowMs() - start;
  // Count records and JSON bytes on a separate pass, outside the timing.
  const counter = new RawRecordSplitter();
  const countingDecoder = new Decoder();
  for (const chunk of chunks(stream.buffer)) {
    counter.push(chunk, (raw) => {
      const record = countingDecoder.decode(raw);
      if (record) emit(record);
    });
  }
  return { ms, records, jsonBytes };
}

export async function measureTraceSize(options: {
  readonly workloads: readonly Workload[];
  readonly stream: SyntheticStream;
  readonly tmp: string;
  readonly progress?: (text: string) => void;
}): Promise<TraceSizeResult> {
  const rows: SizeRow[] = [];
  for (const workload of options.workloads) {
    for (const all of [false, true]) {
      const path = join(options.tmp, `size-${workload.name}-${all ? 'all' : 'set'}.cttrace`);
      try {
        timeRun([process.execPath, CLI, 'trace', '-q', ...(all ? ['--all'] : []), '-o', path, '--', ...workload.next()]);
      } finally {
        workload.after();
      }
      const facts = readTraceFile(path);
      rmSync(path, { force: true });
      rows.push(row(`${workload.name}${all ? ' --all' : ''}`, facts.records, facts.gzipBytes, facts.jsonBytes));
      options.progress?.('.');
    }
  }
  const path = join(options.tmp, 'size-synthetic.cttrace');
  const written = await writeSynthetic(options.stream, path);
  const gzipBytes = statSync(path).size;
  rmSync(path, { force: true });
  rows.push(row(`synthetic ${(options.stream.syscalls / 1e6).toString()}M syscalls, fixture replicated`, written.records, gzipBytes, written.jsonBytes));
  options.progress?.('.');
  return {
    rows,
    syntheticWriteMs: round(written.ms, 1),
    syntheticWritePerSecond: Math.round((written.records / written.ms) * 1000),
  };
}
