// The few libc calls Node does not offer, through koffi: mknod (device nodes, overlay whiteouts,
// FIFOs), l{set,get}xattr (overlay opaque dirs, file capabilities), mount and umount2 (the
// per-container overlay). Each throws an Error with the errno name (`EPERM`, ...) in `code`.
import koffi from 'koffi';
import { constants } from 'node:os';

interface Libc {
  mknod: (path: string, mode: number, dev: bigint) => number;
  lsetxattr: (path: string, name: string, value: Buffer, size: number, flags: number) => number;
  lgetxattr: (path: string, name: string, value: Buffer | null, size: number) => number;
  mount: (source: string, target: string, fstype: string | null, flags: number, data: string | null) => number;
  umount2: (target: string, flags: number) => number;
}

let libc: Libc | undefined;

function load(): Libc {
  if (libc) return libc;
  const lib = koffi.load('libc.so.6');
  libc = {
    mknod: lib.func('int mknod(const char *path, uint32_t mode, uint64_t dev)'),
    lsetxattr: lib.func('int lsetxattr(const char *path, const char *name, const void *value, size_t size, int flags)'),
    lgetxattr: lib.func('intptr_t lgetxattr(const char *path, const char *name, _Out_ void *value, size_t size)'),
    mount: lib.func('int mount(const char *source, const char *target, const char *fstype, unsigned long flags, const char *data)'),
    umount2: lib.func('int umount2(const char *target, int flags)'),
  };
  return libc;
}

const errnoNames = new Map<number, string>(Object.entries(constants.errno).map(([name, value]) => [value, name]));

export class SysError extends Error {
  constructor(
    readonly syscall: string,
    readonly code: string,
    readonly errno: number,
    readonly path: string,
  ) {
    super(`${syscall} ${path}: ${code}`);
  }
}

function check(result: number, syscall: string, path: string): number {
  if (result >= 0) return result;
  const errno = koffi.errno();
  throw new SysError(syscall, errnoNames.get(errno) ?? `errno ${errno}`, errno, path);
}

export const S_IFCHR = 0o020000;
export const S_IFBLK = 0o060000;
export const S_IFIFO = 0o010000;
export const MNT_DETACH = 2;

/** glibc's gnu_dev_makedev. */
export function makedev(major: number, minor: number): bigint {
  const ma = BigInt(major);
  const mi = BigInt(minor);
  return ((ma & 0xfffn) << 8n) | ((ma & ~0xfffn) << 32n) | (mi & 0xffn) | ((mi & ~0xffn) << 12n);
}

export function mknod(path: string, mode: number, major = 0, minor = 0): void {
  check(load().mknod(path, mode, makedev(major, minor)), 'mknod', path);
}

/** Sets an extended attribute on `path` itself (a symlink is not followed). */
export function setXattr(path: string, name: string, value: Buffer | string): void {
  const buffer = typeof value === 'string' ? Buffer.from(value) : value;
  check(load().lsetxattr(path, name, buffer, buffer.length, 0), 'lsetxattr', path);
}

/** The attribute's value, or undefined when it is not set. */
export function getXattr(path: string, name: string): Buffer | undefined {
  const lib = load();
  const buffer = Buffer.alloc(65536);
  const size = lib.lgetxattr(path, name, buffer, buffer.length);
  if (size < 0) {
    const errno = koffi.errno();
    if (errno === constants.errno.ENODATA) return undefined;
    throw new SysError('lgetxattr', errnoNames.get(errno) ?? `errno ${errno}`, errno, path);
  }
  return buffer.subarray(0, size);
}

export function mount(source: string, target: string, fstype: string | null, flags: number, data: string | null): void {
  check(load().mount(source, target, fstype, flags, data), 'mount', target);
}

export function umount2(target: string, flags: number): void {
  check(load().umount2(target, flags), 'umount2', target);
}
