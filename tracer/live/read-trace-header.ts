// The header of a saved trace, read without reading the rest (a trace can hold a million records).
import { createReadStream } from 'node:fs';
import { createGunzip } from 'node:zlib';
import { checkHeader, TraceFileError } from '../trace/file-reader.js';
import type { TraceHeader } from '../trace/records.js';

const MAX_HEADER_BYTES = 1024 * 1024;

export function readTraceHeader(path: string): Promise<TraceHeader> {
  return new Promise((resolve, reject) => {
    const file = createReadStream(path);
    const gunzip = createGunzip();
    const chunks: Buffer[] = [];
    let size = 0;
    let settled = false;
    const finish = (error: Error | null, header?: TraceHeader) => {
      if (settled) return;
      settled = true;
      file.destroy();
      gunzip.destroy();
      if (error) reject(error);
      else resolve(header!);
    };
    file.on('error', (error: NodeJS.ErrnoException) =>
      finish(new TraceFileError(error.code === 'ENOENT' ? `${path}: no such file` : error.code === 'EISDIR' ? `${path} is a directory, not a trace file` : `${path}: ${error.message}`)),
    );
    const parse = () => {
      let value: unknown;
      try {
        value = JSON.parse(Buffer.concat(chunks).toString('utf8'));
      } catch {
        return finish(new TraceFileError(`${path} is not a cttrace trace: its first line is not a cttrace header`));
      }
      try {
        finish(null, checkHeader(path, value));
      } catch (error) {
        finish(error as Error);
      }
    };
    file.once('data', (chunk) => {
      const head = chunk as Buffer;
      if (head.length < 2 || head[0] !== 0x1f || head[1] !== 0x8b) {
        finish(new TraceFileError(`${path} is not a cttrace trace: it is not gzip data (a .cttrace file is gzip'd JSON lines)`));
      }
    });
    gunzip.on('error', () => finish(new TraceFileError(`${path} is corrupt or truncated: its gzip data cannot be read`)));
    gunzip.on('data', (chunk: Buffer) => {
      const newline = chunk.indexOf(0x0a);
      chunks.push(newline >= 0 ? chunk.subarray(0, newline) : chunk);
      size += chunk.length;
      if (newline >= 0 || size >= MAX_HEADER_BYTES) parse();
    });
    gunzip.on('end', () => (size > 0 ? parse() : finish(new TraceFileError(`${path} is empty: it holds no cttrace header`))));
    file.pipe(gunzip);
  });
}
