// A dockerd of our own (its own data root, socket and containerd, no iptables, no bridge) with a
// busybox image imported from the host's static busybox: for the docker attach benchmark and
// test/docker.test.ts. Everything lives in one temp dir, removed by stop().
import { spawn, spawnSync, type ChildProcess, type SpawnSyncReturns } from 'node:child_process';
import { copyFileSync, existsSync, mkdirSync, mkdtempSync, rmSync, symlinkSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

export const PRIVATE_IMAGE = 'cttrace-busybox:test';

const onPath = (name: string) => spawnSync('sh', ['-c', `command -v ${name}`]).status === 0;
export const dockerInstalled = (): boolean => onPath('dockerd') && onPath('docker') && onPath('containerd');

export function pidOf(name: string): number | null {
  const result = spawnSync('pgrep', ['-x', name], { encoding: 'utf8' });
  const pids = result.stdout.trim().split('\n').filter(Boolean).map(Number);
  return pids.length ? pids[0]! : null;
}

export async function waitUntil(check: () => boolean, what: string, timeoutMs = 20_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!check()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}

export class PrivateDockerd {
  private constructor(
    readonly work: string,
    private readonly daemon: ChildProcess,
  ) {}

  static async start(): Promise<PrivateDockerd> {
    const work = mkdtempSync(join(tmpdir(), 'cttrace-docker-'));
    const daemon = spawn(
      'dockerd',
      ['--iptables=false', '--bridge=none', `--data-root=${work}/data`, `--exec-root=${work}/exec`, '-H', `unix://${work}/docker.sock`, `--pidfile=${work}/dockerd.pid`],
      { stdio: 'ignore' },
    );
    const dockerd = new PrivateDockerd(work, daemon);
    try {
      await waitUntil(() => existsSync(`${work}/docker.sock`) && dockerd.docker('info').status === 0, 'dockerd');
      const rootfs = join(work, 'rootfs');
      for (const dir of ['bin', 'etc', 'proc', 'sys', 'dev']) mkdirSync(join(rootfs, dir), { recursive: true });
      copyFileSync('/bin/busybox', join(rootfs, 'bin', 'busybox'));
      for (const applet of ['sh', 'echo', 'true']) symlinkSync('busybox', join(rootfs, 'bin', applet));
      const tar = spawnSync('sh', ['-c', `tar -C ${rootfs} -c . | docker -H unix://${work}/docker.sock import - ${PRIVATE_IMAGE}`], { encoding: 'utf8' });
      if (tar.status !== 0) throw new Error(`docker import failed: ${tar.stderr}`);
    } catch (error) {
      await dockerd.stop();
      throw error;
    }
    return dockerd;
  }

  docker(...args: string[]): SpawnSyncReturns<string> {
    return spawnSync('docker', ['-H', `unix://${this.work}/docker.sock`, ...args], { encoding: 'utf8', timeout: 60_000 });
  }

  /** `docker run --rm` of the imported busybox, no network */
  run(...command: string[]): SpawnSyncReturns<string> {
    return this.docker('run', '--rm', '--network', 'none', PRIVATE_IMAGE, ...command);
  }

  async stop(): Promise<void> {
    if (this.daemon.exitCode === null && this.daemon.signalCode === null) {
      this.daemon.kill('SIGTERM');
      await new Promise((resolve) => this.daemon.once('exit', resolve));
    }
    await waitUntil(() => pidOf('containerd') === null, 'containerd to stop', 15_000).catch(() => undefined);
    spawnSync('umount', ['-R', '-l', this.work], { stdio: 'ignore' });
    rmSync(this.work, { recursive: true, force: true });
  }
}
