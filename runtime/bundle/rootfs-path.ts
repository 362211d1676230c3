// Reading and creating paths inside a container's rootfs from the host without following the
// image's symlinks out of it: every symlink is resolved as the container would see it (absolute
// targets start again at the rootfs, `..` stops at it), like runc's filepath-securejoin.
import { closeSync, fstatSync, lchownSync, lstatSync, mkdirSync, openSync, readlinkSync, readSync, constants as fsConstants } from 'node:fs';
import { join } from 'node:path';

const MAX_LINKS = 40;

/**
 * The host path of `path` (a container path) inside `root`, with every symlink on the way
 * resolved inside `root`. Components that do not exist are kept as they are.
 */
export function resolveInRoot(root: string, path: string): string {
  let remaining = path.split('/');
  const resolved: string[] = [];
  let links = 0;
  while (remaining.length > 0) {
    const part = remaining.shift()!;
    if (part === '' || part === '.') continue;
    if (part === '..') {
      resolved.pop();
      continue;
    }
    const host = join(root, ...resolved, part);
    let isLink = false;
    try {
      isLink = lstatSync(host).isSymbolicLink();
    } catch {
      // missing: keep the name
    }
    if (!isLink) {
      resolved.push(part);
      continue;
    }
    if (++links > MAX_LINKS) throw Object.assign(new Error(`too many levels of symbolic links: ${path}`), { code: 'ELOOP' });
    const target = readlinkSync(host);
    if (target.startsWith('/')) resolved.length = 0;
    remaining = [...target.split('/'), ...remaining];
  }
  return join(root, ...resolved);
}

/** A regular file's content from the rootfs (at most `limit` bytes), or undefined when absent. */
export function readInRoot(root: string, path: string, limit = 4 * 1024 * 1024): Buffer | undefined {
  let fd: number;
  try {
    fd = openSync(resolveInRoot(root, path), fsConstants.O_RDONLY | fsConstants.O_NOFOLLOW | fsConstants.O_NONBLOCK);
  } catch {
    return undefined;
  }
  try {
    const stat = fstatSync(fd);
    if (!stat.isFile()) return undefined;
    const buffer = Buffer.alloc(Math.min(stat.size, limit));
    let done = 0;
    while (done < buffer.length) {
      const count = readSync(fd, buffer, done, buffer.length - done, done);
      if (count === 0) break;
      done += count;
    }
    return buffer.subarray(0, done);
  } finally {
    closeSync(fd);
  }
}

/** Stat of a container path (symlinks resolved in the rootfs), or undefined. */
export function statInRoot(root: string, path: string) {
  try {
    return lstatSync(resolveInRoot(root, path));
  } catch {
    return undefined;
  }
}

/** mkdir -p of a container path; new folders get `uid:gid`. */
export function mkdirInRoot(root: string, path: string, uid: number, gid: number): void {
  const resolved: string[] = [];
  for (const part of path.split('/')) {
    if (part === '' || part === '.') continue;
    const host = resolveInRoot(root, `/${[...resolved, part].join('/')}`);
    const stat = statOrUndefined(host);
    if (!stat) {
      mkdirSync(host, { mode: 0o755 });
      lchownSync(host, uid, gid);
    } else if (!stat.isDirectory()) {
      throw Object.assign(new Error(`${path}: ${part} is not a directory`), { code: 'ENOTDIR' });
    }
    resolved.splice(0, resolved.length, ...host.slice(root.length).split('/').filter(Boolean));
  }
}

function statOrUndefined(path: string) {
  try {
    return lstatSync(path);
  } catch {
    return undefined;
  }
}
