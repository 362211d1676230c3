// Where images and containers live: $CTTRACE_HOME, default /var/lib/cttrace.
//
//   layers/sha256/<hex>/                 one unpacked layer, named by its uncompressed digest (diff id)
//   layers/busybox/<hex>/                the built-in busybox rootfs, named by busybox's hash + recipe
//   remapped/<uid>.<gid>/layers/...      the same, owned by the ids of a user namespace (rootless)
//   tmp/<pid>.<start>-<label>-<random>/  unpacks in progress (renamed into layers/ when complete),
//                                        named by their maker (process-owner.ts) for the crash sweep
//   containers/<id>/                     one container: config.json, upper/, work/, rootfs/ (merged)
//
// All on one file system so that a finished unpack is published with one rename().
import { randomBytes } from 'node:crypto';
import { chmodSync, mkdirSync, readdirSync, rmSync, statSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { ImageError } from './errors.js';
import { currentOwner, ownerAlive, ownerOfName, ownerTag } from './process-owner.js';

export const DEFAULT_HOME = '/var/lib/cttrace';

/** Ownership shift for rootless containers: container id N is host id base+N for N < size. */
export interface IdShift {
  readonly uid: number;
  readonly gid: number;
  readonly size: number;
}

export const DEFAULT_ID_SHIFT: IdShift = { uid: 100000, gid: 100000, size: 65536 };

export function cttraceHome(home?: string): string {
  return home ?? process.env['CTTRACE_HOME'] ?? DEFAULT_HOME;
}

/**
 * Creates `dir` and its missing parents with `mode` (mkdir's mode is cut by the umask, so it is
 * set again). Directories that exist keep their mode.
 */
export function ensureDir(dir: string, mode = 0o711): string {
  // One level at a time, not mkdirSync's recursive mode: that one loops for ever below /proc
  // (ENOENT for a parent that exists), and its errors name no fix.
  const parent = dirname(dir);
  const make = () => mkdirSync(dir, { mode });
  try {
    try {
      make();
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'ENOENT' || parent === dir) throw error;
      ensureDir(parent, 0o755);
      make();
    }
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    if (code === 'EEXIST' && statSync(dir).isDirectory()) return dir;
    throw new ImageError(
      `cannot make the folder ${dir}: ${code === 'EEXIST' ? 'a file of that name is in the way' : (code ?? (error as Error).message)}; set CTTRACE_HOME to a folder root can write (default ${DEFAULT_HOME})`,
    );
  }
  chmodSync(dir, mode);
  return dir;
}

/**
 * The layer store for an id shift (undefined: no shift). The dirs are 0711: a rootless
 * container's runtime, running as the mapped root, must be able to walk through them.
 */
export function layerRoot(home: string, shift?: IdShift): string {
  ensureDir(home);
  if (!shift) return ensureDir(join(home, 'layers'));
  ensureDir(join(home, 'remapped'));
  return ensureDir(join(ensureDir(join(home, 'remapped', `${shift.uid}.${shift.gid}`)), 'layers'));
}

/** The folder a layer is unpacked in (it exists once the unpack is whole). */
export function unpackedLayerDir(home: string, shift: IdShift | undefined, diffId: { algorithm: string; hex: string }): string {
  return join(layerRoot(home, shift), diffId.algorithm, diffId.hex);
}

export function containersDir(home: string): string {
  ensureDir(home);
  return ensureDir(join(home, 'containers'));
}

/** A fresh private directory under $CTTRACE_HOME/tmp, named after this process. */
export function makeTempDir(home: string, label: string): string {
  ensureDir(home);
  const tmp = ensureDir(join(home, 'tmp'), 0o700);
  if (!checkedTemps.has(tmp)) {
    checkedTemps.add(tmp);
    sweepStaleTemps(home);
  }
  const dir = join(tmp, `${ownerTag()}-${label}-${randomBytes(6).toString('hex')}`);
  mkdirSync(dir, { mode: 0o700 });
  return dir;
}

const checkedTemps = new Set<string>();

/** Removes the unpacks in progress (tmp/) of processes that are gone (a crash or a kill during an
 *  unpack or an import); returns what it removed. */
export function sweepStaleTemps(home: string): string[] {
  const tmp = join(home, 'tmp');
  let names: string[];
  try {
    names = readdirSync(tmp);
  } catch {
    return [];
  }
  const removed: string[] = [];
  for (const name of names) {
    const owner = ownerOfName(name);
    if (!owner || owner.pid === currentOwner().pid || ownerAlive(owner)) continue;
    rmSync(join(tmp, name), { recursive: true, force: true });
    removed.push(join(tmp, name));
  }
  return removed;
}

/** For `cttrace prune`: the unpacks and archive copies that killed processes left; how many. */
export function removeStaleTempDirs(home: string): number {
  return sweepStaleTemps(home).length;
}

export function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}
