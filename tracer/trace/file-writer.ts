// Writes a .cttrace file: gzip'd JSON lines, the header first.
import { createWriteStream, openSync, type WriteStream } from 'node:fs';
import { createGzip, gzipSync, type Gzip } from 'node:zlib';
import type { TraceHeader, TraceRecord } from './records.js';
import { TraceFileError } from './trace-file-error.js';

export class TraceFileWriter {
  /** Opens the file now, so a path that cannot be written fails before any work starts. */
  static create(path: string, header: TraceHeader): TraceFileWriter {
    let fd: number;
    try {
      fd = openSync(path, 'w', 0o644);
    } catch (error) {
      throw new TraceFileError(`cannot write the trace to ${path}: ${(error as NodeJS.ErrnoException).code ?? (error as Error).message}; choose another path with -o`);
    }
    return new TraceFileWriter(fd, header, path);
  }

  private readonly gzip: Gzip;
  private readonly file: WriteStream;
  private readonly finished: Promise<void>;
  private pending: string[] = [];

  private constructor(fd: number, header: TraceHeader, path: string) {
    this.file = createWriteStream('', { fd });
    this.gzip = createGzip({ level: 6 });
    this.gzip.pipe(this.file);
    const failed = (error: NodeJS.ErrnoException) =>
      new TraceFileError(`cannot write the trace to ${path}: ${error.code === 'ENOSPC' ? 'ENOSPC (no space left on the device)' : (error.code ?? error.message)}; choose another path with -o`);
    this.finished = new Promise((resolve, reject) => {
      this.file.on('close', resolve);
      this.file.on('error', (error) => reject(failed(error)));
      this.gzip.on('error', (error) => reject(failed(error)));
    });
    // seen by close(); until then a failed write must not count as an unhandled rejection
    this.finished.catch(() => undefined);
    this.gzip.write(`${JSON.stringify(header)}\n`);
  }

  write(record: TraceRecord): void {
    // Batched: one gzip write per event-loop turn, not per record.
    if (this.pending.length === 0) queueMicrotask(() => this.drain());
    this.pending.push(JSON.stringify(record));
  }

  private drain(): void {
    if (this.pending.length === 0) return;
    this.gzip.write(`${this.pending.join('\n')}\n`);
    this.pending = [];
  }

  async close(): Promise<void> {
    this.drain();
    this.gzip.end();
    await this.finished;
  }
}

/** A whole trace as the bytes of a .cttrace file (the same lines TraceFileWriter writes). */
export function encodeTraceFile(header: TraceHeader, records: readonly TraceRecord[]): Buffer {
  return gzipSync([header, ...records].map((line) => `${JSON.stringify(line)}\n`).join(''), { level: 6 });
}
