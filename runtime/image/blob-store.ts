// The content-addressed blobs of pulled images (manifests, configs, compressed layers):
//
//   blobs/sha256/<hex>              a whole blob, its digest checked before it was put here
//   blobs/incoming/<hex>.<pid>      a download in progress, by the process <pid>
//
// A blob reaches blobs/sha256 only by rename() after its size and digest matched, so a
// half-written one is never taken for a whole one. A download left by a process that is gone
// (kill -9, a crash) is taken over by the next pull of the same blob, which checks the bytes it
// has and asks only for the rest; `prune` removes the ones nobody takes over.
import { createHash, type Hash } from 'node:crypto';
import { closeSync, existsSync, fstatSync, fsyncSync, openSync, readdirSync, readSync, renameSync, rmSync, writeFileSync, writeSync } from 'node:fs';
import { join } from 'node:path';
import { blobPath, type Digest } from './blobs.js';
import { ImageError } from './errors.js';
import { ensureDir, isAlive } from './home.js';

export function blobFile(home: string, digest: Digest): string {
  return join(home, blobPath(digest));
}

export function hasBlob(home: string, digest: Digest): boolean {
  return existsSync(blobFile(home, digest));
}

function incomingDir(home: string): string {
  ensureDir(home);
  ensureDir(join(home, 'blobs'));
  return ensureDir(join(home, 'blobs', 'incoming'), 0o700);
}

function publish(home: string, digest: Digest, temp: string): void {
  ensureDir(join(home, 'blobs', digest.algorithm));
  renameSync(temp, blobFile(home, digest));
}

/** Puts a small blob held in memory (a manifest, a config) after checking its digest. */
export function putBlob(home: string, digest: Digest, data: Buffer, what: string): void {
  const actual = `${digest.algorithm}:${createHash(digest.algorithm).update(data).digest('hex')}`;
  if (actual !== digest.text) throw new ImageError(`${what} is corrupt: its digest is ${actual}, not ${digest.text}: refused, nothing cached`);
  if (hasBlob(home, digest)) return;
  const temp = join(incomingDir(home), `${digest.hex}.${process.pid}`);
  writeFileSync(temp, data);
  publish(home, digest, temp);
}

/** Partial downloads of processes that are gone: [file, pid]. */
function orphans(home: string, hex?: string): string[] {
  const dir = join(home, 'blobs', 'incoming');
  if (!existsSync(dir)) return [];
  return readdirSync(dir).filter((name) => {
    const match = /^([a-f0-9]+)\.(\d+)$/.exec(name);
    return match !== null && (hex === undefined || match[1] === hex) && Number(match[2]) !== process.pid && !isAlive(Number(match[2]));
  }).map((name) => join(dir, name));
}

/** Removes the partial downloads no live process is writing; says how many and how many bytes they held. */
export function removeOrphanDownloads(home: string): { files: number; bytes: number } {
  const removed = { files: 0, bytes: 0 };
  for (const file of orphans(home)) {
    try {
      const fd = openSync(file, 'r');
      removed.bytes += fstatSync(fd).size;
      closeSync(fd);
    } catch {
      continue; // gone already: another sweep or the pull that took it over
    }
    rmSync(file, { force: true });
    removed.files++;
  }
  return removed;
}

/**
 * A blob being downloaded: bytes are appended and hashed as they come; commit() checks size and
 * digest and publishes it, discard() removes it. Created over what a dead process left, when
 * there is such a file: `offset` then says how much is already there.
 */
export class IncomingBlob {
  private readonly fd: number;
  private readonly file: string;
  private hash: Hash;
  offset = 0;

  constructor(
    private readonly home: string,
    readonly digest: Digest,
    readonly size: number,
    private readonly what: string,
  ) {
    const file = join(incomingDir(home), `${digest.hex}.${process.pid}`);
    this.file = file;
    const left = orphans(home, digest.hex)[0];
    if (left) {
      try {
        renameSync(left, file);
      } catch {
        // another pull took it over first: start afresh
      }
    }
    this.fd = openSync(file, 'a+', 0o600);
    this.hash = createHash(digest.algorithm);
    const have = fstatSync(this.fd).size;
    if (have > 0 && have <= size) {
      // Trust nothing unread: the bytes already there go through the hash like new ones.
      const buffer = Buffer.alloc(1 << 20);
      for (let position = 0; position < have; ) {
        const count = readSync(this.fd, buffer, 0, Math.min(buffer.length, have - position), position);
        if (count === 0) break;
        this.hash.update(buffer.subarray(0, count));
        position += count;
      }
      this.offset = have;
    } else if (have > size) {
      this.restart();
    }
  }

  /** Forget the bytes so far (the server ignored the range and sends it all again). */
  restart(): void {
    // O_APPEND writes go to the end, so the file is emptied by truncation through a fresh handle.
    writeFileSync(this.file, '');
    this.hash = createHash(this.digest.algorithm);
    this.offset = 0;
  }

  append(chunk: Buffer): void {
    if (this.offset + chunk.length > this.size) throw new ImageError(`${this.what} is larger than its descriptor's ${this.size} bytes: refused, nothing cached`);
    for (let done = 0; done < chunk.length; ) done += writeSync(this.fd, chunk, done, chunk.length - done);
    this.hash.update(chunk);
    this.offset += chunk.length;
  }

  /** Checks size and digest; publishes the blob, or removes it and throws. */
  commit(): void {
    try {
      if (this.offset !== this.size) throw new ImageError(`${this.what} is truncated: ${this.offset} of ${this.size} bytes arrived: refused, nothing cached`);
      const actual = `${this.digest.algorithm}:${this.hash.digest('hex')}`;
      if (actual !== this.digest.text) throw new ImageError(`${this.what} does not match its digest: the bytes hash to ${actual}: refused, nothing cached`);
      fsyncSync(this.fd);
      closeSync(this.fd);
      publish(this.home, this.digest, this.file);
    } catch (error) {
      this.discard();
      throw error;
    }
  }

  discard(): void {
    try {
      closeSync(this.fd);
    } catch {
      // closed by commit
    }
    rmSync(this.file, { force: true });
  }
}
