// A throwaway OCI bundle for `runc run`: a rootfs holding the host's static busybox, config.json
// from `runc spec` running /bin/true without a terminal, and a private `runc --root` state dir.
// Every container gets a unique id; whatever a run leaves behind (state, cgroups) is removed.
import { spawnSync } from 'node:child_process';
import { copyFileSync, existsSync, mkdirSync, readdirSync, readFileSync, rmSync, rmdirSync, symlinkSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

const BUSYBOX = '/bin/busybox';
const APPLETS = ['sh', 'true', 'false', 'echo', 'hostname', 'cat', 'ls', 'mount', 'ps', 'sleep', 'id'];
const CGROUP_ROOT = '/sys/fs/cgroup';

export class RuncBundle {
  readonly bundle: string;
  readonly root: string;
  /** container ids start with this; leftovers are found by it */
  readonly prefix: string;
  private serial = 0;

  constructor(readonly dir: string) {
    this.bundle = join(dir, 'bundle');
    this.root = join(dir, 'runc-root');
    this.prefix = `cttrace-bench-${process.pid}-`;
    const bin = join(this.bundle, 'rootfs', 'bin');
    mkdirSync(bin, { recursive: true });
    mkdirSync(this.root, { recursive: true });
    if (!existsSync(BUSYBOX)) throw new Error(`${BUSYBOX} is missing: install busybox-static`);
    copyFileSync(BUSYBOX, join(bin, 'busybox'));
    for (const applet of APPLETS) symlinkSync('busybox', join(bin, applet));
    const spec = spawnSync('runc', ['spec', '--bundle', this.bundle], { encoding: 'utf8' });
    if (spec.status !== 0) throw new Error(`runc spec failed: ${spec.stderr || spec.error?.message}`);
    const configPath = join(this.bundle, 'config.json');
    const config = JSON.parse(readFileSync(configPath, 'utf8')) as { process: { args: string[]; terminal: boolean } };
    config.process.args = ['/bin/true'];
    config.process.terminal = false;
    writeFileSync(configPath, `${JSON.stringify(config, null, 2)}\n`);
  }

  nextId(): string {
    return `${this.prefix}${++this.serial}`;
  }

  /** `runc run` of a fresh container; runc deletes it when /bin/true exits. */
  command(id: string): string[] {
    return ['runc', '--root', this.root, 'run', '--bundle', this.bundle, id];
  }

  /** Delete any container a run left in our state dir (after a failure or a timeout). */
  reap(): void {
    if (!existsSync(this.root)) return;
    for (const id of readdirSync(this.root)) {
      spawnSync('runc', ['--root', this.root, 'delete', '--force', id], { stdio: 'ignore' });
    }
  }

  /** cgroups of our containers that still exist (v1: under each controller; v2: at the root). */
  leftoverCgroups(): string[] {
    const found: string[] = [];
    const scan = (dir: string) => {
      let entries: string[];
      try {
        entries = readdirSync(dir);
      } catch {
        return;
      }
      for (const entry of entries) if (entry.startsWith(this.prefix)) found.push(join(dir, entry));
    };
    scan(CGROUP_ROOT);
    let controllers: string[] = [];
    try {
      controllers = readdirSync(CGROUP_ROOT);
    } catch {
      // no cgroupfs
    }
    for (const controller of controllers) scan(join(CGROUP_ROOT, controller));
    return found;
  }

  /** Mounts under our temp dir (there should be none once runc is done). */
  leftoverMounts(): string[] {
    try {
      return readFileSync('/proc/self/mountinfo', 'utf8')
        .split('\n')
        .map((line) => line.split(' ')[4] ?? '')
        .filter((mountPoint) => mountPoint.startsWith(this.dir));
    } catch {
      return [];
    }
  }

  /** Remove everything; report what had to be cleaned up by force. */
  dispose(): string[] {
    this.reap();
    const cleaned: string[] = [];
    for (const cgroup of this.leftoverCgroups()) {
      try {
        rmdirSync(cgroup);
        cleaned.push(`cgroup ${cgroup}`);
      } catch (error) {
        cleaned.push(`cgroup ${cgroup} (could not remove: ${(error as NodeJS.ErrnoException).code})`);
      }
    }
    for (const mountPoint of this.leftoverMounts().reverse()) {
      spawnSync('umount', ['-l', mountPoint], { stdio: 'ignore' });
      cleaned.push(`mount ${mountPoint}`);
    }
    rmSync(this.dir, { recursive: true, force: true });
    return cleaned;
  }
}
