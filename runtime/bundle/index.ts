// OCI bundles: an image resolved into the cache, an overlay rootfs for the container and a
// config.json for runc, crun or ctrun, all in $CTTRACE_HOME/containers/<id>/.
//
//   const bundle = await makeBundle({ image: 'busybox', args: ['sh', '-c', 'id'] });
//   // runc run --bundle bundle.dir <bundle.id>
//   await bundle.cleanup();
//
// cleanup() unmounts the overlay, deletes the container folder and the container's cgroups
// (when the runtime left them); it is idempotent, and cleanupSync() does the same for exit and
// signal handlers. Bundles still alive when the process exits are cleaned up then; those of a
// process that was killed outright are pruned by the next makeBundle.
import { randomBytes } from 'node:crypto';
import { writeFileSync } from 'node:fs';
import { join, posix } from 'node:path';
import { DEFAULT_PATH } from '../image/busybox.js';
import { BundleError } from '../image/errors.js';
import { cttraceHome, type IdShift } from '../image/home.js';
import type { RemoteOptions } from '../image/remote.js';
import { type Image, resolveImage, shiftOf } from '../image/store.js';
import { CGROUP_PARENT, removeContainerCgroups } from './container-cgroups.js';
import { sweepOrphans } from './crash-sweep.js';
import { createContainerFs, type ContainerFs } from './overlay.js';
import { mkdirInRoot, statInRoot } from './rootfs-path.js';
import { seccompFor } from './seccomp.js';
import { DEFAULT_CAPABILITIES, runtimeSpec, type RuntimeSpec } from './spec.js';
import { resolveUser } from './user.js';

export interface BundleOptions {
  /** A reference (busybox, oci:DIR[:TAG], docker-archive:FILE, FILE.tar, dir:PATH) or a resolved image. */
  image: string | Image;
  /** The command; default: the image's Cmd. The image's Entrypoint comes first either way, as in docker. */
  args?: string[];
  /** Replaces the image's Entrypoint ([] removes it). */
  entrypoint?: string[];
  /** KEY=VALUE added to (or replacing in) the image's Env. */
  env?: string[];
  /** Default: the first 12 characters of the container id. */
  hostname?: string;
  /** Memory limit in bytes, or with a unit: 64m, 1g, 512k. */
  memory?: number | string;
  pidsLimit?: number;
  /** A user namespace: root inside is host uid 100000 (or your shift), layers owned accordingly. */
  rootless?: boolean | IdShift;
  /** Default: 64 random hex digits. */
  id?: string;
  /** Replaces the image's User. */
  user?: string;
  /** Replaces the image's WorkingDir. */
  cwd?: string;
  /** The cache (default $CTTRACE_HOME or /var/lib/cttrace). */
  home?: string;
  /** Import progress (see ResolveOptions.progress). */
  progress?: boolean | NodeJS.WritableStream;
  /** process.terminal: the container gets a pty of this size (0 × 0: the runtime's default). */
  terminal?: { height: number; width: number };
  /** 'default' (docker's profile, the default), 'unconfined' (none) or a profile file, as docker's --security-opt seccomp=. */
  seccomp?: string;
  /** Check that the command exists in the image (default true). */
  checkCommand?: boolean;
  /** For registry and dockerd images: --pull, --platform, --creds, --insecure-registry. */
  remote?: RemoteOptions;
}

export interface Bundle {
  readonly id: string;
  /** The bundle folder: pass it as `--bundle`. */
  readonly dir: string;
  readonly configPath: string;
  /** The merged overlay: the container's root (config root.path). */
  readonly rootfs: string;
  readonly spec: RuntimeSpec;
  readonly image: Image;
  /** `/cttrace/<id>`. */
  readonly cgroupsPath: string;
  cleanup(): Promise<void>;
  cleanupSync(): void;
}

const ID = /^[A-Za-z0-9][A-Za-z0-9_.-]{0,127}$/;
const HOSTNAME = /^[A-Za-z0-9]([A-Za-z0-9.-]{0,62})$/;

/** Bytes from `64m`, `1g`, `512k`, `1.5GiB`, `1048576` or a number. */
export function parseMemory(value: number | string): number {
  if (typeof value === 'number') {
    if (!Number.isSafeInteger(value) || value <= 0) throw new BundleError(`invalid memory limit ${value}: a positive number of bytes`);
    return value;
  }
  const match = /^(\d+(?:\.\d+)?)\s*([kmgt]?)(?:i?b)?$/i.exec(value.trim());
  if (!match) throw new BundleError(`invalid memory limit ${JSON.stringify(value)}: use bytes or a unit like 64m, 1g`);
  const power = ' kmgt'.indexOf((match[2] || ' ').toLowerCase());
  const bytes = Math.floor(Number(match[1]) * 1024 ** power);
  if (bytes <= 0) throw new BundleError(`invalid memory limit ${JSON.stringify(value)}`);
  return bytes;
}

function envName(entry: string): string {
  const equals = entry.indexOf('=');
  return equals < 0 ? entry : entry.slice(0, equals);
}

/** Image Env, then overrides; PATH when the image has none, HOME from passwd when unset. */
function mergeEnv(image: string[], extra: string[], home: string): string[] {
  const env = new Map<string, string>();
  for (const entry of [...image, ...extra]) {
    if (!entry.includes('=')) throw new BundleError(`invalid environment entry ${JSON.stringify(entry)}: use KEY=VALUE`);
    env.set(envName(entry), entry);
  }
  if (!env.has('PATH')) env.set('PATH', DEFAULT_PATH);
  if (!env.has('HOME')) env.set('HOME', `HOME=${home}`);
  return [...env.values()];
}

function isExecutableFile(root: string, path: string): boolean {
  const stat = statInRoot(root, path);
  return stat !== undefined && stat.isFile() && (stat.mode & 0o111) !== 0;
}

/** Throws when the command is not in the image, as the runtime's exec would fail later. */
function checkCommand(root: string, image: Image, command: string, env: string[], cwd: string): void {
  if (command.includes('/')) {
    const path = command.startsWith('/') ? command : posix.join(cwd, command);
    if (!isExecutableFile(root, path)) throw new BundleError(`command ${JSON.stringify(command)} is not an executable file in ${image.name}`);
    return;
  }
  const pathVar = env.find((entry) => entry.startsWith('PATH='))?.slice(5) ?? '';
  for (const dir of pathVar.split(':')) {
    if (dir === '') continue;
    if (isExecutableFile(root, posix.join(dir.startsWith('/') ? dir : posix.join(cwd, dir), command))) return;
  }
  throw new BundleError(`command ${JSON.stringify(command)} not found in ${image.name} (PATH=${pathVar})`);
}

const live = new Set<Bundle>();
let exitHook = false;

/** Cleans up every bundle of this process that is still there (for signal handlers). */
export function cleanupAllSync(): void {
  for (const bundle of [...live]) {
    try {
      bundle.cleanupSync();
    } catch {
      // best effort at exit
    }
  }
}

export async function makeBundle(options: BundleOptions): Promise<Bundle> {
  const home = cttraceHome(options.home);
  const id = options.id ?? randomBytes(32).toString('hex');
  if (!ID.test(id)) throw new BundleError(`invalid container id ${JSON.stringify(id)}: letters, digits, _ . - (up to 128)`);
  const hostname = options.hostname ?? id.slice(0, 12);
  if (!HOSTNAME.test(hostname)) throw new BundleError(`invalid hostname ${JSON.stringify(hostname)}`);
  const memory = options.memory === undefined ? undefined : parseMemory(options.memory);
  if (options.pidsLimit !== undefined && (!Number.isSafeInteger(options.pidsLimit) || options.pidsLimit <= 0)) {
    throw new BundleError(`invalid pids limit ${options.pidsLimit}: a positive integer`);
  }
  const shift = shiftOf(options.rootless);
  const seccomp = seccompFor(options.seccomp ?? 'default', DEFAULT_CAPABILITIES);
  let image: Image;
  if (typeof options.image === 'string') {
    image = await resolveImage(options.image, { ...options.remote, home, rootless: shift ?? false, ...(options.progress !== undefined ? { progress: options.progress } : {}) });
  } else {
    image = options.image;
    if (!image.external && JSON.stringify(image.shift) !== JSON.stringify(shift)) {
      throw new BundleError(`image ${image.name} was resolved ${image.shift ? 'for' : 'without'} rootless: resolve it with the same rootless option`);
    }
  }

  sweepOrphans(home);
  const fs: ContainerFs = createContainerFs(image, id, home);
  const cgroupsPath = `${CGROUP_PARENT}/${id}`;
  let spec: RuntimeSpec;
  try {
    const config = image.config;
    const user = resolveUser(fs.rootfs, options.user ?? config.user);
    if (shift && (user.uid >= shift.size || user.gid >= shift.size)) {
      throw new BundleError(`user ${user.uid}:${user.gid} is outside the user namespace's ids 0..${shift.size - 1}`);
    }
    const entrypoint = options.entrypoint ?? config.entrypoint;
    const args = [...entrypoint, ...(options.args && options.args.length > 0 ? options.args : options.entrypoint ? [] : config.cmd)];
    if (args.length === 0) throw new BundleError(`no command: ${image.name} has no Entrypoint or Cmd; give one`);
    const cwd = options.cwd ?? (config.workingDir || '/');
    if (!cwd.startsWith('/')) throw new BundleError(`the working directory must be absolute, not ${JSON.stringify(cwd)}`);
    const env = mergeEnv(config.env, options.env ?? [], user.home);
    if (options.checkCommand !== false) checkCommand(fs.rootfs, image, args[0]!, env, cwd);
    if (cwd !== '/') {
      try {
        mkdirInRoot(fs.rootfs, cwd, (shift?.uid ?? 0) + user.uid, (shift?.gid ?? 0) + user.gid);
      } catch (error) {
        throw new BundleError(`cannot create the working directory ${cwd}: ${(error as Error).message}`);
      }
    }
    spec = runtimeSpec({
      args,
      env,
      cwd,
      uid: user.uid,
      gid: user.gid,
      additionalGids: user.additionalGids,
      hostname,
      rootfs: 'rootfs',
      cgroupsPath,
      memory,
      pidsLimit: options.pidsLimit,
      userns: shift,
      seccomp,
      terminal: options.terminal,
      annotations: { 'io.cttrace.image': image.reference, 'io.cttrace.image.id': image.id },
    });
    writeFileSync(join(fs.dir, 'config.json'), `${JSON.stringify(spec, null, 2)}\n`, { mode: 0o644 });
  } catch (error) {
    fs.remove();
    throw error;
  }

  let cleaned = false;
  const bundle: Bundle = {
    id,
    dir: fs.dir,
    configPath: join(fs.dir, 'config.json'),
    rootfs: fs.rootfs,
    spec,
    image,
    cgroupsPath,
    cleanupSync() {
      if (cleaned) return;
      // cgroups first: a crash between the two then leaves the folder, whose owner file the
      // crash sweep finds, rather than cgroups with nothing to say whose they were
      removeContainerCgroups(cgroupsPath);
      fs.remove();
      cleaned = true;
      live.delete(bundle);
    },
    async cleanup() {
      bundle.cleanupSync();
    },
  };
  live.add(bundle);
  if (!exitHook) {
    exitHook = true;
    process.on('exit', cleanupAllSync);
  }
  return bundle;
}

export { runtimeSpec, type RuntimeSpec } from './spec.js';
export { removeContainerDir, mountsUnder } from './overlay.js';
export { sweepOrphans, describeSweep, type SweepReport } from './crash-sweep.js';
