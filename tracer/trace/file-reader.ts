// Reads a .cttrace file back, refusing what is not one with a message that says why.
import { createReadStream } from 'node:fs';
import { createInterface } from 'node:readline';
import { createGunzip } from 'node:zlib';
import { TRACE_FORMAT, TRACE_FORMAT_VERSION, type TraceHeader, type TraceRecord } from './records.js';

export class TraceFileError extends Error {}

const GZIP_MAGIC = [0x1f, 0x8b];

export function checkHeader(path: string, header: unknown): TraceHeader {
  const candidate = header as Partial<TraceHeader> | null;
  if (!candidate || typeof candidate !== 'object' || candidate.format !== TRACE_FORMAT) {
    throw new TraceFileError(`${path} is not a cttrace trace: its first line is not a cttrace header`);
  }
  if (typeof candidate.version !== 'number' || Math.floor(candidate.version) > TRACE_FORMAT_VERSION) {
    throw new TraceFileError(
      `${path} is a cttrace format version ${String(candidate.version)} trace; this cttrace reads version ${TRACE_FORMAT_VERSION}: upgrade cttrace`,
    );
  }
  return candidate as TraceHeader;
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
}

/** Open a trace: the header is checked before any record is read. */
export async function openTraceFile(path: string): Promise<TraceFile> {
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
  const parse = (line: string, number: number): unknown => {
    try {
      return JSON.parse(line);
    } catch {
      throw new TraceFileError(`${path} line ${number} is not JSON: the trace is corrupt`);
    }
  };
  const first = await lines.next().catch(() => ({ done: true, value: undefined }));
  if (failure) throw failure;
  if (first.done) throw new TraceFileError(`${path} is empty: it holds no cttrace header`);
  const header = checkHeader(path, parse(first.value as string, 1));
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
      yield parse(next.value, number) as TraceRecord;
    }
  }
  return { header, records: records() };
}

/** Every record of a trace, in order. */
export async function readTraceFile(path: string): Promise<{ header: TraceHeader; records: TraceRecord[] }> {
  const file = await openTraceFile(path);
  const records: TraceRecord[] = [];
  for await (const record of file.records) records.push(record);
  return { header: file.header, records };
}
