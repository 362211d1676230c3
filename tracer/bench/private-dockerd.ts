// A private dockerd for the tests and the docker attach benchmark: its own data root, exec root,
// socket and pid file, all in a temp dir, and its own containerd (started by it, found as its
// child). It runs in a private
// mount namespace with an empty /run/containerd, so that a system containerd there is not
// picked up in its place (dockerd uses /run/containerd/containerd.sock when it exists), and so
// that whatever it mounts goes away with it.
import { spawn, spawnSync, type ChildProcess, type SpawnSyncReturns } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { childrenOf } from '../cli/process-lookup.js';

const onPath = (name: string) => spawnSync('sh', ['-c', `command -v ${name}`]).status === 0;

/** The busybox image importBusybox makes, as the tests and the bench name it. */
export const PRIVATE_IMAGE = 'cttrace-busybox:test';

export const dockerInstalled = (): boolean => onPath('dockerd') && onPath('docker') && onPath('containerd');

/** Why a private dockerd cannot run here, or null. */
export function dockerdSkipReason(): string | null {
  if (process.getuid?.() !== 0) return 'needs root';
  if (!dockerInstalled()) return 'docker.io is not installed (apt-get install docker.io)';
  return null;
}

export interface PrivateDockerd {
  readonly work: string;
  readonly execRoot: string;
  /** `docker -H unix://WORK/docker.sock ARGS...` */
  docker(...args: string[]): SpawnSyncReturns<string>;
  /** docker with stdin from `input` */
  dockerWithInput(input: string | Buffer, ...args: string[]): SpawnSyncReturns<string>;
  /** dockerd's pid (it is the process the helper started) */
  readonly pid: number;
  /** The containerd this dockerd started: its child named containerd (forked by any of dockerd's threads). */
  containerdPid(): number | null;
  /** Mount points in dockerd's mount namespace whose path contains `text`. */
  mountsContaining(text: string): string[];
  /** Imports a busybox rootfs (the host's static busybox, its applets as symlinks) as `tag`. */
  importBusybox(tag: string): void;
  stop(): Promise<void>;
}

export async function waitFor(check: () => boolean, what: string, timeoutMs = 30_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!check()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}

function comm(pid: number): string {
  try {
    return readFileSync(`/proc/${pid}/comm`, 'utf8').trim();
  } catch {
    return '';
  }
}

/** Starts dockerd with extra arguments (e.g. `--add-runtime=ctrun=PATH`) and waits until it answers. */
export async function startDockerd(extraArgs: readonly string[] = []): Promise<PrivateDockerd> {
  const work = mkdtempSync(join(tmpdir(), 'cttrace-dockerd-'));
  const sock = `unix://${work}/docker.sock`;
  const execRoot = join(work, 'exec');
  const args = [
    '--iptables=false',
    '--ip6tables=false',
    '--bridge=none',
    `--data-root=${work}/data`,
    `--exec-root=${execRoot}`,
    '-H',
    sock,
    `--pidfile=${work}/dockerd.pid`,
    ...extraArgs,
  ];
  const script = 'mkdir -p /run/containerd && mount -t tmpfs -o mode=0700 tmpfs /run/containerd && exec dockerd "$@"';
  const child: ChildProcess = spawn('unshare', ['--mount', '--propagation', 'private', 'sh', '-c', script, 'sh', ...args], {
    stdio: ['ignore', 'ignore', 'pipe'],
  });
  let log = '';
  child.stderr!.on('data', (chunk: Buffer) => {
    log = (log + chunk.toString()).slice(-20_000);
  });
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  const docker = (...a: string[]) => spawnSync('docker', ['-H', sock, ...a], { encoding: 'utf8', timeout: 60_000 });
  const dockerWithInput = (input: string | Buffer, ...a: string[]) => spawnSync('docker', ['-H', sock, ...a], { input, encoding: 'utf8', timeout: 60_000 });

  const stop = async () => {
    if (child.exitCode === null && child.signalCode === null) {
      const containerd = d.containerdPid();
      child.kill('SIGTERM');
      await Promise.race([exited, new Promise((resolve) => setTimeout(resolve, 20_000))]);
      if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
      await exited;
      if (containerd) await waitFor(() => !existsSync(`/proc/${containerd}`), 'containerd to stop', 15_000).catch(() => undefined);
    }
    rmSync(work, { recursive: true, force: true });
  };

  const d: PrivateDockerd = {
    work,
    execRoot,
    docker,
    dockerWithInput,
    pid: child.pid!,
    containerdPid() {
      return childrenOf(child.pid!).find((pid) => comm(pid) === 'containerd') ?? null;
    },
    mountsContaining(text: string) {
      try {
        return readFileSync(`/proc/${child.pid}/mounts`, 'utf8').split('\n').filter((line) => line.split(' ')[1]?.includes(text));
      } catch {
        return [];
      }
    },
    importBusybox(tag: string) {
      const rootfs = join(work, 'busybox-rootfs');
      const applets = spawnSync('/bin/busybox', ['--list'], { encoding: 'utf8' }).stdout.split('\n').filter((a) => a && a !== 'busybox');
      const script = [
        `mkdir -p ${rootfs}/bin ${rootfs}/etc ${rootfs}/proc ${rootfs}/sys ${rootfs}/dev ${rootfs}/tmp`,
        `cp /bin/busybox ${rootfs}/bin/busybox`,
        `cd ${rootfs}/bin && for a in ${applets.join(' ')}; do ln -s busybox $a; done`,
        `printf 'root:x:0:0:root:/root:/bin/sh\\n' > ${rootfs}/etc/passwd`,
        `tar -C ${rootfs} -c . | docker -H ${sock} import -c 'CMD ["sh"]' - ${tag}`,
      ].join(' && ');
      const r = spawnSync('sh', ['-c', script], { encoding: 'utf8' });
      if (r.status !== 0) throw new Error(`docker import: ${r.stderr}`);
      rmSync(rootfs, { recursive: true, force: true });
    },
    stop,
  };

  try {
    await waitFor(() => {
      if (child.exitCode !== null) throw new Error(`dockerd exited: ${log}`);
      return existsSync(`${work}/docker.sock`) && docker('info').status === 0;
    }, 'dockerd');
  } catch (error) {
    await stop();
    throw error;
  }
  return d;
}
