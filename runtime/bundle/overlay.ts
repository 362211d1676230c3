// One container's root file system, as docker's overlay2 makes it: an overlay mount with the
// image's layers as lower dirs (top first), a per-container upper and work dir, and the merged
// view at containers/<id>/rootfs. `remove()` unmounts (lazily, so a busy mount never blocks it),
// checks /proc/self/mountinfo that nothing is left mounted below the container folder, and only
// then deletes the folder: it never deletes through a mount.
import { chmodSync, chownSync, existsSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { BundleError } from '../image/errors.js';
import { containersDir } from '../image/home.js';
import { currentOwner, parseOwner, type ProcessOwner } from '../image/process-owner.js';
import type { Image } from '../image/store.js';
import { mount, MNT_DETACH, SysError, umount2 } from '../image/sys.js';

export interface ContainerFs {
  readonly id: string;
  /** containers/<id>: the bundle folder. */
  readonly dir: string;
  /** The overlay's merged view: the container's root. */
  readonly rootfs: string;
  readonly upper: string;
  readonly work: string;
  /** Unmounts and deletes everything of the container; safe to call again. */
  remove(): void;
}

/** The process that made the container ({pid, start}), for the crash sweep; `owner.pid` (a bare
 *  pid) in containers made by older versions. */
const OWNER_FILE = 'owner.json';
const LEGACY_OWNER_FILE = 'owner.pid';

/** Who made the container in `dir`, or null if it does not say (being made right now, or not a container). */
export function containerOwner(dir: string): ProcessOwner | null {
  for (const name of [OWNER_FILE, LEGACY_OWNER_FILE]) {
    try {
      return parseOwner(readFileSync(join(dir, name), 'utf8'));
    } catch {
      // not this one
    }
  }
  return null;
}

/** The kernel takes mount options up to a page. */
const MAX_MOUNT_DATA = 4095;

/** Decodes mountinfo's octal escapes (`\040` for a space). */
function unescapeMount(path: string): string {
  return path.replace(/\\([0-7]{3})/g, (_, octal: string) => String.fromCharCode(Number.parseInt(octal, 8)));
}

/** Mount points at or below `dir`, deepest first. */
export function mountsUnder(dir: string): string[] {
  const found: string[] = [];
  for (const line of readFileSync('/proc/self/mountinfo', 'utf8').split('\n')) {
    const fields = line.split(' ');
    if (fields.length < 5) continue;
    const point = unescapeMount(fields[4]!);
    if (point === dir || point.startsWith(`${dir}/`)) found.push(point);
  }
  return found.sort((a, b) => b.length - a.length);
}

function checkOverlayPath(path: string): void {
  if (/[,:\\\n]/.test(path)) throw new BundleError(`overlayfs cannot use ${JSON.stringify(path)}: the path holds a comma, colon or backslash (move it, or set CTTRACE_HOME elsewhere)`);
}

export function createContainerFs(image: Image, id: string, home: string): ContainerFs {
  const dir = join(containersDir(home), id);
  try {
    mkdirSync(dir, { mode: 0o711 });
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'EEXIST') throw new BundleError(`container ${id} exists already (${dir})`);
    throw error;
  }
  chmodSync(dir, 0o711);
  const fs: ContainerFs = {
    id,
    dir,
    rootfs: join(dir, 'rootfs'),
    upper: join(dir, 'upper'),
    work: join(dir, 'work'),
    remove: () => removeContainerDir(dir),
  };
  try {
    writeFileSync(join(dir, OWNER_FILE), `${JSON.stringify(currentOwner())}\n`);
    for (const sub of [fs.rootfs, fs.upper, fs.work]) mkdirSync(sub, { mode: 0o755 });
    chmodSync(fs.upper, 0o755);
    chmodSync(fs.rootfs, 0o755);
    if (image.shift) chownSync(fs.upper, image.shift.uid, image.shift.gid); // the merged root takes the upper's owner
    const lower = [...image.layers].reverse();
    for (const path of [...lower, fs.upper, fs.work]) checkOverlayPath(path);
    const data = `lowerdir=${lower.join(':')},upperdir=${fs.upper},workdir=${fs.work}`;
    if (data.length > MAX_MOUNT_DATA) {
      throw new BundleError(`${image.name} has too many layers (${lower.length}) for one overlay mount from ${home}; use a shorter CTTRACE_HOME`);
    }
    try {
      mount('overlay', fs.rootfs, 'overlay', 0, data);
    } catch (error) {
      const code = error instanceof SysError ? error.code : String(error);
      const hint = code === 'EPERM' ? ' (mounting needs root)' : code === 'ENODEV' ? ' (the kernel lacks overlayfs: modprobe overlay)' : code === 'EINVAL' ? ` (is ${home} on a file system overlayfs accepts for upper dirs, not overlayfs or tmpfs without xattrs?)` : '';
      throw new BundleError(`cannot mount the overlay for container ${id}: ${code}${hint}`);
    }
  } catch (error) {
    removeContainerDir(dir);
    throw error;
  }
  return fs;
}

/** Unmounts whatever is mounted below `dir`, then deletes it. Idempotent. */
export function removeContainerDir(dir: string): void {
  for (let round = 0; round < 8; round++) {
    const mounts = mountsUnder(dir);
    if (mounts.length === 0) break;
    for (const point of mounts) {
      try {
        umount2(point, MNT_DETACH);
      } catch (error) {
        // EINVAL: not a mount point any more (a parent's detach took it); others: retried, then reported
        if (!(error instanceof SysError && (error.code === 'EINVAL' || error.code === 'ENOENT'))) {
          if (round === 7) throw new BundleError(`cannot unmount ${point}: ${(error as Error).message}`);
        }
      }
    }
  }
  const left = mountsUnder(dir);
  if (left.length > 0) throw new BundleError(`${left[0]} is still mounted; not deleting ${dir}`);
  if (existsSync(dir)) rmSync(dir, { recursive: true, force: true });
}
