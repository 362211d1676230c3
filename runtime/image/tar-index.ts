// A random-access index of an uncompressed tar file (a `docker save` archive, an OCI layout
// packed in a tar): where each regular file's data starts and how long it is, so a layer can be
// streamed straight out of the archive without copying it. Headers are decoded by npm tar's
// Header and Pax; this only walks from header to header.
import { closeSync, fstatSync, openSync, readSync } from 'node:fs';
import { posix } from 'node:path';
import { Header, Pax, type HeaderData } from 'tar';
import { ImageError } from './errors.js';

export interface TarMember {
  readonly path: string;
  readonly type: 'file' | 'symlink' | 'hardlink' | 'dir' | 'other';
  readonly offset: number;
  readonly size: number;
  readonly linkpath?: string;
}

export class TarIndex {
  readonly members = new Map<string, TarMember>();

  private constructor(readonly archive: string) {}

  static read(file: string): TarIndex {
    const index = new TarIndex(file);
    const fd = openSync(file, 'r');
    try {
      index.scan(fd, fstatSync(fd).size);
    } finally {
      closeSync(fd);
    }
    return index;
  }

  private scan(fd: number, fileSize: number): void {
    const block = Buffer.alloc(512);
    let offset = 0;
    let extended: HeaderData | undefined;
    let global: HeaderData | undefined;
    let zeroBlocks = 0;
    while (offset + 512 <= fileSize) {
      if (readSync(fd, block, 0, 512, offset) !== 512) break;
      if (block.every((byte) => byte === 0)) {
        offset += 512;
        if (++zeroBlocks === 2) return;
        continue;
      }
      zeroBlocks = 0;
      let header: Header;
      try {
        header = new Header(block, 0, extended, global);
      } catch (error) {
        throw new ImageError(`${this.archive} is not a tar archive (${(error as Error).message})`);
      }
      if (!header.cksumValid) throw new ImageError(`${this.archive} is corrupt: bad tar header checksum at byte ${offset}`);
      const size = header.size ?? 0;
      const dataOffset = offset + 512;
      if (dataOffset + size > fileSize) throw new ImageError(`${this.archive} is truncated (${header.path ?? '?'} runs past the end)`);
      offset = dataOffset + Math.ceil(size / 512) * 512;
      const type = header.type;
      if (type === 'ExtendedHeader' || type === 'OldExtendedHeader' || type === 'GlobalExtendedHeader' || type === 'NextFileHasLongPath' || type === 'NextFileHasLongLinkpath' || type === 'OldGnuLongPath') {
        const body = Buffer.alloc(size);
        readSync(fd, body, 0, size, dataOffset);
        const text = body.toString('utf8');
        if (type === 'GlobalExtendedHeader') global = Pax.parse(text, global, true);
        else if (type === 'ExtendedHeader' || type === 'OldExtendedHeader') extended = Pax.parse(text, extended, false);
        else if (type === 'NextFileHasLongLinkpath') extended = { ...extended, linkpath: text.replace(/\0.*/s, '') };
        else extended = { ...extended, path: text.replace(/\0.*/s, '') };
        continue;
      }
      extended = undefined;
      const path = normalize(header.path ?? '');
      if (path === '') continue;
      const kind: TarMember['type'] =
        type === 'File' || type === 'OldFile' || type === 'ContiguousFile' ? 'file'
        : type === 'SymbolicLink' ? 'symlink'
        : type === 'Link' ? 'hardlink'
        : type === 'Directory' ? 'dir'
        : 'other';
      const member: TarMember = { path, type: kind, offset: dataOffset, size, ...(header.linkpath ? { linkpath: header.linkpath } : {}) };
      this.members.set(path, member);
    }
  }

  /** The regular file at `path`, following the archive's own symlinks and hardlinks (docker save links shared layers). */
  file(path: string): TarMember | undefined {
    let current = normalize(path);
    for (let hops = 0; hops < 16; hops++) {
      const member = this.members.get(current);
      if (!member) return undefined;
      if (member.type === 'file') return member;
      if (member.type === 'hardlink' && member.linkpath) current = normalize(member.linkpath);
      else if (member.type === 'symlink' && member.linkpath) current = normalize(posix.join(posix.dirname(current), member.linkpath));
      else return undefined;
    }
    return undefined;
  }
}

/** Archive paths without `./`, leading or trailing slashes; `..` that climbs out makes it empty. */
function normalize(path: string): string {
  const normal = posix.normalize(`/${path}`).replace(/^\/+|\/+$/g, '');
  return normal.startsWith('..') ? '' : normal;
}
