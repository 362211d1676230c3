// Safe unpacking of one image layer (an uncompressed tar stream) into a fresh, empty, private
// directory, in overlayfs form: `.wh.NAME` becomes a 0/0 character device NAME and
// `.wh..wh..opq` sets `trusted.overlay.opaque=y` on its directory, as docker's overlay2 does.
//
// npm `tar` parses the stream (ustar, pax, GNU long names, checksums; strict mode makes any
// format warning an error). We do not use its extractor (`tar.x`): with `preservePaths: false`
// it strips the leading `/` from symlink targets, which turns an image's `/bin/sh -> /bin/busybox`
// into a relative link pointing elsewhere, and with `preservePaths: true` it drops its `..` and
// absolute path checks. So the writing here is our own, against an in-memory model of every
// path this layer has created: the destination starts empty and nobody else writes to it, so
// the model is the truth and no path is ever resolved through a symlink on the host.
//
// Refused, with the entry named: absolute paths, `..` components, a symlink whose relative target
// climbs above the layer root (absolute targets are container paths and are kept: nothing here
// follows them), a hardlink to an absolute path, through `..`, to a missing entry, to a directory,
// any entry below a symlink or a non-directory of this layer, device nodes in rootless mode, ids
// outside the user namespace's range, unsupported entry types (sparse files, ...).
import {
  chmodSync,
  closeSync,
  fchmodSync,
  fchownSync,
  futimesSync,
  lchownSync,
  linkSync,
  lstatSync,
  lutimesSync,
  mkdirSync,
  openSync,
  rmSync,
  symlinkSync,
  unlinkSync,
  utimesSync,
  writeSync,
  constants as fsConstants,
} from 'node:fs';
import { join } from 'node:path';
import type { Readable } from 'node:stream';
import { Parser, type ReadEntry } from 'tar';
import { ImageError, UnsafeEntryError } from './errors.js';
import type { IdShift } from './home.js';
import { mknod, setXattr, S_IFBLK, S_IFCHR, S_IFIFO } from './sys.js';

export interface ExtractOptions {
  /** Rootless: shift owners into the user namespace's host range, refuse device nodes. */
  readonly shift?: IdShift | undefined;
}

export interface ExtractStats {
  entries: number;
  /** Bytes of file content written. */
  bytes: number;
  whiteouts: number;
  opaqueDirs: number;
}

type Kind = 'dir' | 'file' | 'symlink' | 'special' | 'whiteout';

interface DirMeta {
  mode: number;
  uid: number;
  gid: number;
  mtime: Date;
}

const WHITEOUT_PREFIX = '.wh.';
const META_PREFIX = '.wh..wh.';
const OPAQUE_MARKER = '.wh..wh..opq';
const OPAQUE_XATTR = 'trusted.overlay.opaque';
/** Pax xattrs applied to files; others (trusted.*, security.selinux, ...) are dropped. */
const KEPT_XATTR = /^(user\.|security\.capability$)/;
const EPOCH = new Date(0);

/** The components of an entry's path; refuses absolute paths and `..`. */
export function entryParts(raw: string, what = 'path', entry = raw): string[] {
  const label = what === 'path' ? what : `${what} ${JSON.stringify(raw)}`;
  if (raw.includes('\0')) throw new UnsafeEntryError(entry, `${label} holds a NUL byte`);
  if (raw.startsWith('/')) throw new UnsafeEntryError(entry, `absolute ${label}`);
  const parts = raw.split('/').filter((part) => part !== '' && part !== '.');
  if (parts.includes('..')) throw new UnsafeEntryError(entry, `${label} has a '..' component`);
  return parts;
}

/** Whether a relative symlink target stays inside the layer root, read from the link's folder. */
function relativeTargetStaysInside(parentParts: readonly string[], target: string): boolean {
  let depth = parentParts.length;
  for (const part of target.split('/')) {
    if (part === '' || part === '.') continue;
    if (part === '..') {
      if (depth === 0) return false;
      depth--;
    } else {
      depth++;
    }
  }
  return true;
}

/**
 * `SCHILY.xattr.*` records of a raw pax header (npm tar's Pax drops them). tar hands the header
 * over as a UTF-8 decoded string, so binary values (security.capability) arrive mangled: those
 * (holding U+FFFD) are dropped rather than written wrong.
 */
function paxXattrs(raw: string): Map<string, Buffer> {
  const found = new Map<string, Buffer>();
  const bytes = Buffer.from(raw, 'utf8');
  let offset = 0;
  while (offset < bytes.length) {
    const space = bytes.indexOf(0x20, offset);
    if (space < 0) break;
    const length = Number.parseInt(bytes.subarray(offset, space).toString('ascii'), 10);
    if (!Number.isInteger(length) || length <= 0 || offset + length > bytes.length) break;
    const record = bytes.subarray(space + 1, offset + length - 1); // without the trailing newline
    const equals = record.indexOf(0x3d);
    if (equals > 0) {
      const key = record.subarray(0, equals).toString('utf8');
      const value = record.subarray(equals + 1);
      if (key.startsWith('SCHILY.xattr.') && !value.toString('utf8').includes('\ufffd')) found.set(key.slice('SCHILY.xattr.'.length), Buffer.from(value));
    }
    offset += length;
  }
  return found;
}

class LayerWriter {
  private readonly nodes = new Map<string, Kind>([['', 'dir']]);
  private readonly dirMeta = new Map<string, DirMeta>();
  private readonly opaque = new Set<string>();
  private pendingXattrs = new Map<string, Buffer>();
  readonly stats: ExtractStats = { entries: 0, bytes: 0, whiteouts: 0, opaqueDirs: 0 };

  constructor(
    private readonly root: string,
    private readonly options: ExtractOptions,
  ) {
    const { uid, gid } = this.ids('.', 0, 0);
    this.dirMeta.set('', { mode: 0o755, uid, gid, mtime: EPOCH });
  }

  meta(raw: string): void {
    const xattrs = paxXattrs(raw);
    if (xattrs.size > 0) this.pendingXattrs = xattrs;
  }

  /** Handles one entry; calls `fail` for errors that happen while its data streams. */
  entry(entry: ReadEntry, fail: (error: unknown) => void): void {
    const xattrs = this.pendingXattrs;
    this.pendingXattrs = new Map();
    this.stats.entries++;
    const raw = entry.path;
    const parts = entryParts(raw);
    if (parts.length === 0) {
      // "./": the layer root itself
      if (entry.type !== 'Directory') throw new UnsafeEntryError(raw, 'the layer root must be a directory');
      this.dirMeta.set('', this.metaOf(entry));
      entry.resume();
      return;
    }
    const name = parts[parts.length - 1]!;
    const parentParts = parts.slice(0, -1);
    if (parts[0]!.startsWith(META_PREFIX) && !(parts.length === 1 && name === OPAQUE_MARKER)) {
      entry.resume(); // aufs metadata (.wh..wh.plnk/...), as docker skips it
      return;
    }
    if (name.startsWith(WHITEOUT_PREFIX)) {
      this.whiteout(raw, parentParts, name, entry);
      entry.resume();
      return;
    }
    const path = parts.join('/');
    this.ensureParents(raw, parentParts);
    const full = join(this.root, path);
    const kind = this.nodes.get(path);
    switch (entry.type) {
      case 'Directory':
      case 'GNUDumpDir':
        if (kind !== 'dir') {
          if (kind) this.remove(path);
          mkdirSync(full, { mode: 0o700 });
          this.nodes.set(path, 'dir');
        }
        this.dirMeta.set(path, this.metaOf(entry));
        this.applyXattrs(full, xattrs, raw);
        entry.resume();
        return;
      case 'File':
      case 'OldFile':
      case 'ContiguousFile':
        this.replace(path, kind);
        this.file(entry, full, xattrs, fail);
        this.nodes.set(path, 'file');
        return;
      case 'SymbolicLink': {
        const target = entry.linkpath ?? '';
        if (target === '') throw new UnsafeEntryError(raw, 'symlink with an empty target');
        if (target.includes('\0')) throw new UnsafeEntryError(raw, 'symlink target holds a NUL byte');
        if (!target.startsWith('/') && !relativeTargetStaysInside(parentParts, target)) {
          throw new UnsafeEntryError(raw, `symlink target ${JSON.stringify(target)} points outside the layer root`);
        }
        this.replace(path, kind);
        symlinkSync(target, full);
        this.nodes.set(path, 'symlink');
        const { uid, gid } = this.ids(raw, entry.uid, entry.gid);
        lchownSync(full, uid, gid);
        const mtime = entry.mtime ?? EPOCH;
        lutimesSync(full, entry.atime ?? mtime, mtime);
        entry.resume();
        return;
      }
      case 'Link': {
        const linkpath = entry.linkpath ?? '';
        const targetParts = entryParts(linkpath, 'hardlink target', raw);
        const target = targetParts.join('/');
        if (target === path) throw new UnsafeEntryError(raw, 'hardlink to itself');
        const targetKind = this.nodes.get(target);
        if (targetKind === undefined) {
          throw new UnsafeEntryError(raw, `hardlink target ${JSON.stringify(linkpath)} is not an earlier entry of this layer`);
        }
        if (targetKind === 'dir' || targetKind === 'whiteout') {
          throw new UnsafeEntryError(raw, `hardlink target ${JSON.stringify(linkpath)} is a ${targetKind === 'dir' ? 'directory' : 'whiteout'}`);
        }
        this.replace(path, kind);
        linkSync(join(this.root, target), full); // link(2) does not follow a symlink target
        this.nodes.set(path, targetKind);
        entry.resume();
        return;
      }
      case 'CharacterDevice':
      case 'BlockDevice':
      case 'FIFO': {
        if (entry.type !== 'FIFO' && this.options.shift) {
          throw new UnsafeEntryError(raw, 'device nodes are refused in rootless mode');
        }
        this.replace(path, kind);
        const type = entry.type === 'FIFO' ? S_IFIFO : entry.type === 'CharacterDevice' ? S_IFCHR : S_IFBLK;
        const header = entry.header;
        mknod(full, type | 0o600, header.devmaj ?? 0, header.devmin ?? 0);
        this.nodes.set(path, 'special');
        const { uid, gid } = this.ids(raw, entry.uid, entry.gid);
        lchownSync(full, uid, gid);
        chmodSync(full, (entry.mode ?? 0o600) & 0o7777);
        const mtime = entry.mtime ?? EPOCH;
        utimesSync(full, entry.atime ?? mtime, mtime);
        entry.resume();
        return;
      }
      default:
        throw new UnsafeEntryError(raw, `unsupported entry type ${entry.type}`);
    }
  }

  /** Owner ids on the host for ids in the tar. */
  private ids(raw: string, uid: number | undefined, gid: number | undefined): { uid: number; gid: number } {
    const u = Number.isInteger(uid) && uid! >= 0 ? uid! : 0;
    const g = Number.isInteger(gid) && gid! >= 0 ? gid! : 0;
    const shift = this.options.shift;
    if (!shift) return { uid: u, gid: g };
    if (u >= shift.size || g >= shift.size) {
      throw new UnsafeEntryError(raw, `owner ${u}:${g} is outside the user namespace's ids 0..${shift.size - 1}`);
    }
    return { uid: shift.uid + u, gid: shift.gid + g };
  }

  private metaOf(entry: ReadEntry): DirMeta {
    const { uid, gid } = this.ids(entry.path, entry.uid, entry.gid);
    return { mode: (entry.mode ?? 0o755) & 0o7777, uid, gid, mtime: entry.mtime ?? EPOCH };
  }

  /** Creates missing parent folders (docker does too); refuses a parent that is not a folder. */
  private ensureParents(raw: string, parentParts: readonly string[]): void {
    let path = '';
    for (const part of parentParts) {
      path = path === '' ? part : `${path}/${part}`;
      const kind = this.nodes.get(path);
      if (kind === 'dir') continue;
      if (kind === 'symlink') throw new UnsafeEntryError(raw, `its parent ${JSON.stringify(path)} is a symlink (writing through it could land outside the layer)`);
      if (kind !== undefined) throw new UnsafeEntryError(raw, `its parent ${JSON.stringify(path)} is not a directory`);
      mkdirSync(join(this.root, path), { mode: 0o700 });
      this.nodes.set(path, 'dir');
      const { uid, gid } = this.ids(raw, 0, 0);
      this.dirMeta.set(path, { mode: 0o755, uid, gid, mtime: EPOCH });
    }
    // Belt and braces: the model says the parent is a real folder; so must the disk.
    if (parentParts.length > 0) {
      const stat = lstatSync(join(this.root, ...parentParts));
      if (!stat.isDirectory()) throw new UnsafeEntryError(raw, 'its parent is not a directory on disk');
    }
  }

  private replace(path: string, kind: Kind | undefined): void {
    if (kind !== undefined) this.remove(path);
  }

  /** Removes an earlier entry of the same path (a later tar entry wins, as in tar and docker). */
  private remove(path: string): void {
    const kind = this.nodes.get(path);
    const full = join(this.root, path);
    if (kind === 'dir') {
      rmSync(full, { recursive: true }); // rm does not follow symlinks inside
      const prefix = `${path}/`;
      for (const key of [...this.nodes.keys()]) if (key.startsWith(prefix)) this.nodes.delete(key);
      for (const key of [...this.dirMeta.keys()]) if (key === path || key.startsWith(prefix)) this.dirMeta.delete(key);
      for (const key of [...this.opaque]) if (key === path || key.startsWith(prefix)) this.opaque.delete(key);
    } else {
      unlinkSync(full);
    }
    this.nodes.delete(path);
  }

  private whiteout(raw: string, parentParts: string[], name: string, entry: ReadEntry): void {
    this.ensureParents(raw, parentParts);
    const parent = parentParts.join('/');
    if (name === OPAQUE_MARKER) {
      this.opaque.add(parent);
      return;
    }
    if (name.startsWith(META_PREFIX)) return; // other aufs metadata
    const hidden = name.slice(WHITEOUT_PREFIX.length);
    if (hidden === '' || hidden === '.' || hidden === '..') throw new UnsafeEntryError(raw, 'whiteout of an invalid name');
    const path = parent === '' ? hidden : `${parent}/${hidden}`;
    const existing = this.nodes.get(path);
    if (existing === 'whiteout') return;
    if (existing !== undefined) throw new UnsafeEntryError(raw, `whiteout of ${JSON.stringify(path)}, which this same layer creates`);
    const full = join(this.root, path);
    mknod(full, S_IFCHR, 0, 0);
    const { uid, gid } = this.ids(raw, entry.uid, entry.gid);
    lchownSync(full, uid, gid);
    this.nodes.set(path, 'whiteout');
    this.stats.whiteouts++;
  }

  private file(entry: ReadEntry, full: string, xattrs: Map<string, Buffer>, fail: (error: unknown) => void): void {
    const { uid, gid } = this.ids(entry.path, entry.uid, entry.gid);
    const fd = openSync(full, fsConstants.O_WRONLY | fsConstants.O_CREAT | fsConstants.O_EXCL | fsConstants.O_NOFOLLOW, 0o600);
    let open = true;
    const close = () => {
      if (open) {
        open = false;
        closeSync(fd);
      }
    };
    entry.on('data', (chunk: Buffer) => {
      try {
        let offset = 0;
        while (offset < chunk.length) offset += writeSync(fd, chunk, offset, chunk.length - offset);
        this.stats.bytes += chunk.length;
      } catch (error) {
        close();
        fail(error);
      }
    });
    entry.on('end', () => {
      try {
        if (!open) return;
        fchownSync(fd, uid, gid);
        fchmodSync(fd, (entry.mode ?? 0o644) & 0o7777); // after chown, which clears set-id bits
        const mtime = entry.mtime ?? EPOCH;
        futimesSync(fd, entry.atime ?? mtime, mtime);
        close();
        this.applyXattrs(full, xattrs, entry.path);
      } catch (error) {
        close();
        fail(error);
      }
    });
  }

  private applyXattrs(full: string, xattrs: Map<string, Buffer>, raw: string): void {
    for (const [name, value] of xattrs) {
      if (!KEPT_XATTR.test(name)) continue;
      try {
        setXattr(full, name, value);
      } catch (error) {
        throw new ImageError(`cannot set xattr ${name} on tar entry ${JSON.stringify(raw)}: ${(error as Error).message}`);
      }
    }
  }

  /** Folder owners, modes and times last (writing into a folder changes its mtime), deepest first. */
  finish(): void {
    for (const path of this.opaque) {
      if (this.nodes.get(path) !== 'dir') continue;
      setXattr(path === '' ? this.root : join(this.root, path), OPAQUE_XATTR, 'y');
      this.stats.opaqueDirs++;
    }
    const paths = [...this.dirMeta.keys()].sort((a, b) => depth(b) - depth(a));
    for (const path of paths) {
      const meta = this.dirMeta.get(path)!;
      const full = path === '' ? this.root : join(this.root, path);
      lchownSync(full, meta.uid, meta.gid);
      chmodSync(full, meta.mode);
      utimesSync(full, meta.mtime, meta.mtime);
    }
  }
}

function depth(path: string): number {
  if (path === '') return 0;
  let count = 1;
  for (const char of path) if (char === '/') count++;
  return count;
}

/**
 * Unpacks the uncompressed tar `input` into `dest`, which must be an empty folder that nobody
 * else writes to. Rejects (and stops reading) at the first refused entry or format error;
 * the caller throws `dest` away then.
 */
export function extractLayer(input: Readable, dest: string, options: ExtractOptions = {}): Promise<ExtractStats> {
  const writer = new LayerWriter(dest, options);
  const parser = new Parser({ strict: true, brotli: false, zstd: false } as ConstructorParameters<typeof Parser>[0]);
  return new Promise<ExtractStats>((resolve, reject) => {
    let failed = false;
    const fail = (error: unknown) => {
      if (failed) return;
      failed = true;
      input.destroy();
      try {
        parser.abort(error instanceof Error ? error : new Error(String(error)));
      } catch {
        // the parser reports the abort as an 'error' too; ours is already recorded
      }
      reject(normalizeError(error));
    };
    parser.on('entry', (entry: ReadEntry) => {
      if (failed) return entry.resume();
      try {
        writer.entry(entry, fail);
      } catch (error) {
        entry.resume();
        fail(error);
      }
    });
    parser.on('meta', (raw: string) => writer.meta(raw));
    parser.on('ignoredEntry', (entry: ReadEntry) => {
      fail(new UnsafeEntryError(entry.path, entry.meta ? 'oversized extended header' : `unsupported entry type ${entry.type}`));
    });
    parser.on('error', (error: Error) => fail(error));
    parser.on('end', () => {
      if (failed) return;
      try {
        writer.finish();
        resolve(writer.stats);
      } catch (error) {
        fail(error);
      }
    });
    input.on('error', fail);
    input.on('data', (chunk: Buffer) => {
      if (failed) return;
      try {
        if (!parser.write(chunk)) {
          input.pause();
          parser.once('drain', () => input.resume());
        }
      } catch (error) {
        fail(error);
      }
    });
    input.on('end', () => {
      if (failed) return;
      try {
        parser.end();
      } catch (error) {
        fail(error);
      }
    });
  });
}

function normalizeError(error: unknown): Error {
  if (error instanceof ImageError) return error;
  const err = error instanceof Error ? error : new Error(String(error));
  const code = (err as NodeJS.ErrnoException & { tarCode?: string }).tarCode;
  if (code) return new ImageError(`corrupt layer: ${err.message.replace(/^TAR_[A-Z_]+: /, '')}`);
  return new ImageError(`cannot unpack layer: ${err.message}`);
}
