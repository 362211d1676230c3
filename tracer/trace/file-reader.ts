// Reads a .cttrace file back, refusing what is not one with a message that says why: the
// header and every record are checked against the trace schema (schema/cttrace-v1.schema.json).
import { createReadStream } from 'node:fs';
import { createInterface } from 'node:readline';
import { createGunzip } from 'node:zlib';
import { TRACE_FORMAT_VERSION, type TraceHeader, type TraceRecord } from './records.js';
import { completeHeader, headerProblem, isCttraceHeader, newerVersion, RecordChecker } from './schema/trace-schema.js';
import { TraceFileError } from './trace-file-error.js';

export { TraceFileError };

const GZIP_MAGIC = [0x1f, 0x8b];

/** A parsed first line as a header (absent optional fields filled in), or a TraceFileError saying why not. */
export function checkHeader(path: string, header: unknown): TraceHeader {
  if (!isCttraceHeader(header)) {
    throw new TraceFileError(`${path} is not a cttrace trace: its first line is not a cttrace header`);
  }
  const newer = newerVersion(header);
  if (newer !== null) {
    throw new TraceFileError(`${path} is a cttrace format version ${newer} trace; this cttrace reads version ${TRACE_FORMAT_VERSION}: upgrade cttrace`);
  }
  const problem = headerProblem(header);
  if (problem !== null) throw new TraceFileError(`${path} line 1 (the header): ${problem}`);
  return completeHeader(header as TraceHeader);
}

export interface ReadOptions {
  /** skip records that break the schema (counted: see TraceFile.skipped) instead of refusing the file */
  readonly lenient?: boolean;
}

async function checkMagic(path: string): Promise<void> {
  const stream = createReadStream(path, { start: 0, end: 1 });
  const chunks: Buffer[] = [];
  try {
    for await (const chunk of stream) chunks.push(chunk as Buffer);
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    throw new TraceFileError(
      code === 'ENOENT' ? `${path}: no such file` : code === 'EISDIR' ? `${path} is a directory, not a trace file` : `${path}: ${(error as Error).message}`,
    );
  }
  const head = Buffer.concat(chunks);
  if (head.length < 2 || head[0] !== GZIP_MAGIC[0] || head[1] !== GZIP_MAGIC[1]) {
    throw new TraceFileError(`${path} is not a cttrace trace: it is not gzip data (a .cttrace file is gzip'd JSON lines)`);
  }
}

export interface TraceFile {
  readonly header: TraceHeader;
  readonly records: AsyncIterable<TraceRecord>;
  /** after the records were read: one line on what --lenient skipped, or null */
  skipped(): string | null;
}

const LENIENT_HINT = '; `--lenient` skips such records';

/** Open a trace: the header is checked before any record is read. */
export async function openTraceFile(path: string, options: ReadOptions = {}): Promise<TraceFile> {
  await checkMagic(path);
  const gunzip = createReadStream(path).pipe(createGunzip());
  let failure: Error | null = null;
  gunzip.on('error', (error: NodeJS.ErrnoException) => {
    failure =
      error.code === 'Z_BUF_ERROR' || /unexpected end/i.test(error.message)
        ? new TraceFileError(`${path} is truncated: the gzip data ends early (was the trace still being written?)`)
        : new TraceFileError(`${path} is corrupt: ${error.message}`);
  });
  const lines = createInterface({ input: gunzip, crlfDelay: Infinity })[Symbol.asyncIterator]();
  const checker = new RecordChecker(path, options.lenient ?? false, (message) => {
    throw new TraceFileError(`${message}${LENIENT_HINT}`);
  });
  const first = await lines.next().catch(() => ({ done: true, value: undefined }));
  if (failure) throw failure;
  if (first.done) throw new TraceFileError(`${path} is empty: it holds no cttrace header`);
  let firstValue: unknown;
  try {
    firstValue = JSON.parse(first.value as string);
  } catch {
    throw new TraceFileError(`${path} is not a cttrace trace: its first line is not JSON`);
  }
  const header = checkHeader(path, firstValue);
  async function* records(): AsyncGenerator<TraceRecord> {
    let number = 1;
    while (true) {
      let next: IteratorResult<string>;
      try {
        next = await lines.next();
      } catch {
        next = { done: true, value: undefined };
      }
      if (failure) throw failure;
      if (next.done) return;
      number++;
      if (next.value.trim() === '') continue;
      let value: unknown;
      try {
        value = JSON.parse(next.value);
      } catch {
        checker.notJson(number);
        continue;
      }
      const record = checker.check(value, number);
      if (record !== null) yield record;
    }
  }
  return { header, records: records(), skipped: () => checker.summary() };
}

/** Every record of a trace, in order. */
export async function readTraceFile(path: string, options: ReadOptions = {}): Promise<{ header: TraceHeader; records: TraceRecord[]; skipped: string | null }> {
  const file = await openTraceFile(path, options);
  const records: TraceRecord[] = [];
  for await (const record of file.records) records.push(record);
  return { header: file.header, records, skipped: file.skipped() };
}
