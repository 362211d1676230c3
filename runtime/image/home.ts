// Where images and containers live: $CTTRACE_HOME, default /var/lib/cttrace.
//
//   layers/sha256/<hex>/                 one unpacked layer, named by its uncompressed digest (diff id)
//   layers/busybox/<hex>/                the built-in busybox rootfs, named by busybox's hash + recipe
//   remapped/<uid>.<gid>/layers/...      the same, owned by the ids of a user namespace (rootless)
//   tmp/<pid>-<random>/                  unpacks in progress (renamed into layers/ when complete)
//   containers/<id>/                     one container: config.json, upper/, work/, rootfs/ (merged)
//
// All on one file system so that a finished unpack is published with one rename().
import { randomBytes } from 'node:crypto';
import { chmodSync, existsSync, mkdirSync, readdirSync, rmSync } from 'node:fs';
import { join } from 'node:path';

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
  const created = mkdirSync(dir, { recursive: true, mode });
  if (created !== undefined) chmodSync(dir, mode);
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
  removeStaleTemps(tmp);
  const dir = join(tmp, `${process.pid}-${label}-${randomBytes(6).toString('hex')}`);
  mkdirSync(dir, { mode: 0o700 });
  return dir;
}

const checkedTemps = new Set<string>();

/** Removes temp dirs left by processes that are gone (a crash or a kill during an unpack); returns how many. */
function removeStaleTemps(tmp: string): number {
  if (checkedTemps.has(tmp)) return 0;
  checkedTemps.add(tmp);
  let removed = 0;
  for (const name of readdirSync(tmp)) {
    const pid = Number.parseInt(name, 10);
    if (!Number.isInteger(pid) || pid === process.pid || isAlive(pid)) continue;
    rmSync(join(tmp, name), { recursive: true, force: true });
    removed++;
  }
  return removed;
}

/** The same for `cttrace prune`: unpacks and archive copies that killed processes left. */
export function removeStaleTempDirs(home: string): number {
  const tmp = join(home, 'tmp');
  return existsSync(tmp) ? removeStaleTemps(tmp) : 0;
}

export function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}
