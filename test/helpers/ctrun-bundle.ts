// Test helpers for ctrun: an OCI bundle made from the host's static busybox, a
// config.json modelled on `runc spec`, a runner, and checks that a container left
// nothing behind (mounts, cgroup directories, state).
import { execFileSync, spawn, spawnSync, type ChildProcess } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { afterAll, afterEach, beforeAll, expect } from 'vitest';
import { repoRoot } from './cli.js';

export const ctrunPath = path.join(repoRoot, 'runtime', 'build', 'ctrun');
export const busyboxPath = '/bin/busybox';

/** Why the ctrun integration tests cannot run here, or null if they can. */
export function skipReason(): string | null {
  if (process.platform !== 'linux') return 'ctrun needs Linux';
  if (process.getuid?.() !== 0) return 'ctrun tests need root (namespaces, cgroups, mounts)';
  if (!fs.existsSync(busyboxPath)) return `${busyboxPath} is missing (apt-get install busybox-static)`;
  return null;
}

/** `make -C runtime`: builds ctrun if it is missing, rebuilds it if a source changed. */
export function buildCtrun(): void {
  execFileSync('make', ['-s', '-C', path.join(repoRoot, 'runtime')], { stdio: 'inherit' });
}

/** A rootfs with busybox and one symlink per applet, as `busybox --install -s` would make. */
export function makeRootfs(dir: string, owner?: { uid: number; gid: number }): void {
  for (const d of ['bin', 'proc', 'sys', 'dev', 'tmp', 'etc', 'root']) fs.mkdirSync(path.join(dir, d), { recursive: true });
  fs.copyFileSync(busyboxPath, path.join(dir, 'bin', 'busybox'));
  fs.chmodSync(path.join(dir, 'bin', 'busybox'), 0o755);
  fs.chmodSync(path.join(dir, 'tmp'), 0o1777);
  const applets = execFileSync(busyboxPath, ['--list'], { encoding: 'utf8' }).split('\n').filter((a) => a && a !== 'busybox');
  for (const a of applets) fs.symlinkSync('busybox', path.join(dir, 'bin', a));
  fs.writeFileSync(path.join(dir, 'etc', 'passwd'), 'root:x:0:0:root:/root:/bin/sh\nnobody:x:65534:65534:nobody:/:/bin/false\n');
  fs.writeFileSync(path.join(dir, 'etc', 'group'), 'root:x:0:\nnobody:x:65534:\n');
  if (owner) chownTree(dir, owner.uid, owner.gid);
}

function chownTree(p: string, uid: number, gid: number): void {
  fs.lchownSync(p, uid, gid);
  if (fs.lstatSync(p).isDirectory()) for (const e of fs.readdirSync(p)) chownTree(path.join(p, e), uid, gid);
}

export type OciConfig = Record<string, any>;

/** What `runc spec` writes (runc 1.1), with terminal off and the given args. */
export function runcSpec(rootfs: string, args: string[]): OciConfig {
  const caps = ['CAP_AUDIT_WRITE', 'CAP_KILL', 'CAP_NET_BIND_SERVICE'];
  return {
    ociVersion: '1.0.2-dev',
    process: {
      terminal: false,
      user: { uid: 0, gid: 0 },
      args,
      env: ['PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin', 'TERM=xterm'],
      cwd: '/',
      capabilities: { bounding: caps, effective: caps, permitted: caps, ambient: caps },
      rlimits: [{ type: 'RLIMIT_NOFILE', hard: 1024, soft: 1024 }],
      noNewPrivileges: true,
    },
    root: { path: rootfs, readonly: true },
    hostname: 'ctrun-test',
    mounts: [
      { destination: '/proc', type: 'proc', source: 'proc' },
      { destination: '/dev', type: 'tmpfs', source: 'tmpfs', options: ['nosuid', 'strictatime', 'mode=755', 'size=65536k'] },
      {
        destination: '/dev/pts',
        type: 'devpts',
        source: 'devpts',
        options: ['nosuid', 'noexec', 'newinstance', 'ptmxmode=0666', 'mode=0620', 'gid=5'],
      },
      { destination: '/dev/shm', type: 'tmpfs', source: 'shm', options: ['nosuid', 'noexec', 'nodev', 'mode=1777', 'size=65536k'] },
      { destination: '/dev/mqueue', type: 'mqueue', source: 'mqueue', options: ['nosuid', 'noexec', 'nodev'] },
      { destination: '/sys', type: 'sysfs', source: 'sysfs', options: ['nosuid', 'noexec', 'nodev', 'ro'] },
      { destination: '/sys/fs/cgroup', type: 'cgroup', source: 'cgroup', options: ['nosuid', 'noexec', 'nodev', 'relatime', 'ro'] },
    ],
    linux: {
      resources: { devices: [{ allow: false, access: 'rwm' }] },
      namespaces: [{ type: 'pid' }, { type: 'network' }, { type: 'ipc' }, { type: 'uts' }, { type: 'mount' }, { type: 'cgroup' }],
      maskedPaths: [
        '/proc/acpi', '/proc/asound', '/proc/kcore', '/proc/keys', '/proc/latency_stats', '/proc/timer_list',
        '/proc/timer_stats', '/proc/sched_debug', '/sys/firmware', '/proc/scsi',
      ],
      readonlyPaths: ['/proc/bus', '/proc/fs', '/proc/irq', '/proc/sys', '/proc/sysrq-trigger'],
    },
  };
}

/** A temporary area: one shared rootfs, a bundle per container, a state root. */
export class Sandbox {
  readonly dir: string;
  readonly stateRoot: string;
  readonly rootfs: string;
  private n = 0;

  constructor() {
    this.dir = fs.mkdtempSync(path.join(os.tmpdir(), 'ctrun-test-'));
    fs.chmodSync(this.dir, 0o755); // a rootless container's root (uid 100000) must reach its rootfs
    this.stateRoot = path.join(this.dir, 'state');
    this.rootfs = path.join(this.dir, 'rootfs');
    makeRootfs(this.rootfs);
  }

  newId(): string {
    return `ctrun-t${process.pid}-${++this.n}`;
  }

  /** Writes DIR/<id>/config.json and returns the bundle directory. */
  bundle(id: string, config: OciConfig): string {
    const b = path.join(this.dir, 'bundles', id);
    fs.mkdirSync(b, { recursive: true });
    fs.writeFileSync(path.join(b, 'config.json'), JSON.stringify(config, null, 2));
    return b;
  }

  /** Runs ctrun and waits for it. Its output goes through files, not pipes: a
   *  container left running (create, run --detach) inherits them and would
   *  otherwise hold a pipe open long after ctrun has exited. */
  ctrun(args: string[], timeoutMs = 20000): { status: number | null; stdout: string; stderr: string } {
    return this.runtime(ctrunPath, args, timeoutMs);
  }

  /** The same for any runtime binary with runc's command line (runc, crun), on the same --root;
   *  WRAPPER runs it (as `WRAPPER... binary --root ...`), e.g. V2_VIEW. */
  runtime(binary: string, args: string[], timeoutMs = 20000, wrapper: readonly string[] = []): { status: number | null; stdout: string; stderr: string } {
    const out = path.join(this.dir, `out-${++this.n}`);
    const err = `${out}.err`;
    const outFd = fs.openSync(out, 'w+');
    const errFd = fs.openSync(err, 'w+');
    try {
      const argv = [...wrapper, binary, '--root', this.stateRoot, ...args];
      const r = spawnSync(argv[0]!, argv.slice(1), { stdio: ['ignore', outFd, errFd], timeout: timeoutMs });
      return { status: r.status, stdout: fs.readFileSync(out, 'utf8'), stderr: fs.readFileSync(err, 'utf8') };
    } finally {
      fs.closeSync(outFd);
      fs.closeSync(errFd);
      fs.rmSync(out, { force: true });
      fs.rmSync(err, { force: true });
    }
  }

  /** `ctrun run` of a runc-spec config (edited by `edit`) in the foreground. */
  run(args: string[], edit?: (c: OciConfig) => void): { id: string; status: number | null; stdout: string; stderr: string } {
    const id = this.newId();
    const config = runcSpec(this.rootfs, args);
    edit?.(config);
    const bundle = this.bundle(id, config);
    return { id, ...this.ctrun(['run', '--bundle', bundle, id]) };
  }

  spawnRun(id: string, bundle: string): ChildProcess {
    return spawn(ctrunPath, ['--root', this.stateRoot, 'run', '--bundle', bundle, id], { stdio: ['ignore', 'pipe', 'pipe'] });
  }

  remove(): void {
    fs.rmSync(this.dir, { recursive: true, force: true });
  }
}

/** Every cgroup directory named `id` under /sys/fs/cgroup (all hierarchies). */
export function cgroupDirsNamed(id: string, root = '/sys/fs/cgroup', depth = 6): string[] {
  const found: string[] = [];
  let entries: fs.Dirent[];
  try {
    entries = fs.readdirSync(root, { withFileTypes: true });
  } catch {
    return found;
  }
  for (const e of entries) {
    if (!e.isDirectory()) continue;
    const p = path.join(root, e.name);
    if (e.name === id) found.push(p);
    else if (depth > 0) found.push(...cgroupDirsNamed(id, p, depth - 1));
  }
  return found;
}

/** Whether /sys/fs/cgroup is the unified hierarchy (a pure cgroup v2 host). */
export const cgroupV2 = (): boolean => fs.statfsSync('/sys/fs/cgroup').type === 0x63677270; // CGROUP2_SUPER_MAGIC

/** The container's directory for a v1 controller (its only leaf on v2). */
export function leafOf(id: string, controller: string): string {
  const dirs = cgroupDirsNamed(id);
  const dir = cgroupV2() ? dirs[0] : dirs.find((d) => d.startsWith(`/sys/fs/cgroup/${controller}/`));
  if (!dir) throw new Error(`no ${controller} cgroup named ${id} (found: ${dirs.join(', ')})`);
  return dir;
}

/** What a cgroup file holds, trimmed ('-' if it does not exist). */
export function cgroupValue(id: string, controller: string, file: string): string {
  const p = path.join(leafOf(id, controller), file);
  return fs.existsSync(p) ? fs.readFileSync(p, 'utf8').trim() : '-';
}

/** Host mounts whose mount point lies under `dir`. */
export function mountsUnder(dir: string): string[] {
  return fs
    .readFileSync('/proc/self/mounts', 'utf8')
    .split('\n')
    .filter((l) => l.split(' ')[1]?.startsWith(dir));
}

/** What a finished container must not leave behind. */
export function leftovers(sb: Sandbox, id: string): string[] {
  return [
    ...mountsUnder(sb.dir).map((m) => `mount: ${m}`),
    ...cgroupDirsNamed(id).map((d) => `cgroup: ${d}`),
    ...(fs.existsSync(path.join(sb.stateRoot, id)) ? [`state: ${path.join(sb.stateRoot, id)}`] : []),
  ];
}

/** Runs a command in a mount namespace where a hybrid host's cgroup2 mount covers /sys/fs/cgroup:
 *  there the runtimes see a pure v2 host (with the controllers the v1 hierarchies left free). */
export const V2_VIEW = ['unshare', '-m', 'sh', '-c', 'mount --bind /sys/fs/cgroup/unified /sys/fs/cgroup && exec "$@"', 'sh'] as const;

/** A hybrid host: v1 controllers plus cgroup2 at /sys/fs/cgroup/unified. */
export function isHybridCgroupHost(): boolean {
  return fs
    .readFileSync('/proc/self/mounts', 'utf8')
    .split('\n')
    .some((l) => l.split(' ')[1] === '/sys/fs/cgroup/unified' && l.split(' ')[2] === 'cgroup2');
}

export function sleep(ms: number): Promise<void> {
  return new Promise((r) => setTimeout(r, ms));
}

/** For a describe: builds ctrun and makes a Sandbox before it, checks after every test that the
 *  containers listed in `used` left nothing behind, removes the sandbox after it. */
export function sandboxForSuite(): { readonly sb: Sandbox; readonly used: string[] } {
  let sandbox: Sandbox | undefined;
  const used: string[] = [];
  beforeAll(() => {
    buildCtrun();
    sandbox = new Sandbox();
  });
  afterEach(() => {
    for (const id of used.splice(0)) expect(leftovers(sandbox!, id)).toEqual([]);
  });
  afterAll(() => sandbox?.remove());
  return {
    get sb() {
      return sandbox!;
    },
    used,
  };
}
