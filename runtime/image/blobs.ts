// Where an image's files come from: a folder (an OCI layout) or an uncompressed tar archive read
// in place through its index (`docker save` output, an OCI layout in a tar). Paths are relative
// to the layout root. Digests name blobs, so they are checked before they become paths.
import { createHash } from 'node:crypto';
import { closeSync, createReadStream, fstatSync, lstatSync, openSync, readSync, constants as fsConstants } from 'node:fs';
import { join, posix } from 'node:path';
import { Readable } from 'node:stream';
import { ImageError } from './errors.js';
import { TarIndex } from './tar-index.js';

/** The largest JSON document (index, manifest, config) read into memory. */
const MAX_JSON = 16 * 1024 * 1024;

export interface BlobSource {
  /** For messages: the folder or archive. */
  readonly label: string;
  has(path: string): boolean;
  size(path: string): number;
  /** The first `count` bytes (fewer when the file is shorter). */
  head(path: string, count: number): Buffer;
  read(path: string, limit?: number): Buffer;
  open(path: string): Readable;
}

export interface Digest {
  readonly algorithm: 'sha256' | 'sha512';
  readonly hex: string;
  readonly text: string;
}

const DIGEST = /^(sha256:[a-f0-9]{64}|sha512:[a-f0-9]{128})$/;

export function parseDigest(text: unknown, what: string): Digest {
  if (typeof text !== 'string' || !DIGEST.test(text)) throw new ImageError(`${what}: invalid digest ${JSON.stringify(text)}`);
  const [algorithm, hex] = text.split(':') as ['sha256' | 'sha512', string];
  return { algorithm, hex, text };
}

export function blobPath(digest: Digest): string {
  return `blobs/${digest.algorithm}/${digest.hex}`;
}

export function digestOf(data: Buffer, algorithm: Digest['algorithm'] = 'sha256'): string {
  return `${algorithm}:${createHash(algorithm).update(data).digest('hex')}`;
}

/** A relative path inside the source; refuses absolute paths and `..`. */
export function safeRelative(path: unknown, what: string): string {
  if (typeof path !== 'string' || path === '' || path.includes('\0')) throw new ImageError(`${what}: invalid path ${JSON.stringify(path)}`);
  const parts = path.split('/').filter((part) => part !== '' && part !== '.');
  if (path.startsWith('/') || parts.includes('..') || parts.length === 0) throw new ImageError(`${what}: path ${JSON.stringify(path)} leaves the archive`);
  return parts.join('/');
}

export class DirSource implements BlobSource {
  constructor(readonly root: string) {}

  get label(): string {
    return this.root;
  }

  private path(path: string): string {
    return join(this.root, safeRelative(path, this.root));
  }

  has(path: string): boolean {
    try {
      return lstatSync(this.path(path)).isFile();
    } catch {
      return false;
    }
  }

  size(path: string): number {
    return lstatSync(this.path(path)).size;
  }

  head(path: string, count: number): Buffer {
    const fd = this.openFd(path);
    try {
      const buffer = Buffer.alloc(count);
      return buffer.subarray(0, readSync(fd, buffer, 0, count, 0));
    } finally {
      closeSync(fd);
    }
  }

  read(path: string, limit = MAX_JSON): Buffer {
    const fd = this.openFd(path);
    try {
      const size = fstatSync(fd).size;
      if (size > limit) throw new ImageError(`${this.root}/${path} is too large (${size} bytes)`);
      const buffer = Buffer.alloc(size);
      let done = 0;
      while (done < size) {
        const count = readSync(fd, buffer, done, size - done, done);
        if (count === 0) break;
        done += count;
      }
      return buffer.subarray(0, done);
    } finally {
      closeSync(fd);
    }
  }

  open(path: string): Readable {
    return createReadStream('', { fd: this.openFd(path), highWaterMark: 1 << 20 });
  }

  private openFd(path: string): number {
    try {
      const fd = openSync(this.path(path), fsConstants.O_RDONLY | fsConstants.O_NOFOLLOW);
      if (!fstatSync(fd).isFile()) {
        closeSync(fd);
        throw new ImageError(`${this.root}/${path} is not a regular file`);
      }
      return fd;
    } catch (error) {
      if (error instanceof ImageError) throw error;
      const code = (error as NodeJS.ErrnoException).code;
      throw new ImageError(code === 'ENOENT' ? `${this.root} lacks ${path}` : `cannot read ${this.root}/${path}: ${(error as Error).message}`);
    }
  }
}

export class TarSource implements BlobSource {
  private readonly index: TarIndex;

  constructor(readonly file: string) {
    this.index = TarIndex.read(file);
  }

  get label(): string {
    return this.file;
  }

  private member(path: string) {
    const member = this.index.file(safeRelative(path, this.file));
    if (!member) throw new ImageError(`${this.file} lacks ${path}`);
    return member;
  }

  has(path: string): boolean {
    return this.index.file(path) !== undefined;
  }

  size(path: string): number {
    return this.member(path).size;
  }

  head(path: string, count: number): Buffer {
    const member = this.member(path);
    const fd = openSync(this.file, 'r');
    try {
      const buffer = Buffer.alloc(Math.min(count, member.size));
      return buffer.subarray(0, readSync(fd, buffer, 0, buffer.length, member.offset));
    } finally {
      closeSync(fd);
    }
  }

  read(path: string, limit = MAX_JSON): Buffer {
    const member = this.member(path);
    if (member.size > limit) throw new ImageError(`${path} in ${this.file} is too large (${member.size} bytes)`);
    return this.head(path, member.size);
  }

  open(path: string): Readable {
    const member = this.member(path);
    if (member.size === 0) return Readable.from([]);
    return createReadStream(this.file, { start: member.offset, end: member.offset + member.size - 1, highWaterMark: 1 << 20 });
  }

  paths(): string[] {
    return [...this.index.members.keys()];
  }
}

export function readJson(source: BlobSource, path: string, what: string): { data: unknown; raw: Buffer } {
  const raw = source.read(path);
  try {
    return { data: JSON.parse(raw.toString('utf8')), raw };
  } catch (error) {
    throw new ImageError(`${what} (${posix.join(source.label, path)}) is not valid JSON: ${(error as Error).message}`);
  }
}
