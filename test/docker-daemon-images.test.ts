// Images in a running dockerd: a private dockerd started here (its own data root, exec root,
// unix socket and pidfile in a temp dir), an image imported into it; cttrace finds it through
// the Engine API (DOCKER_HOST) by docker-daemon:NAME and by its bare name, before any registry.
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { copyFileSync, existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { gunzipSync } from 'node:zlib';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { isRoot, runCliAsync, waitFor } from './helpers/cli.js';

const onPath = (name: string) => spawnSync('sh', ['-c', `command -v ${name}`]).status === 0;
const ready = isRoot && onPath('dockerd') && onPath('docker') && onPath('containerd');
if (!ready) console.warn('docker-daemon images: skipped, needs root and docker.io (apt-get install docker.io)');

const IMAGE = 'bbox:bars';
let work = '';
let dockerd: ChildProcess | undefined;
let homes = 0;
const docker = (...args: string[]) => spawnSync('docker', ['-H', `unix://${work}/docker.sock`, ...args], { encoding: 'utf8', timeout: 60_000 });

const cli = (args: string[], home = join(work, `home-${++homes}`)) => runCliAsync(args, { CTTRACE_HOME: home, DOCKER_HOST: `unix://${work}/docker.sock` });

describe.skipIf(!ready)('images in a local dockerd (root, docker.io)', () => {
  beforeAll(async () => {
    work = mkdtempSync(join(tmpdir(), 'cttrace-dockerd-images-'));
    dockerd = spawn('dockerd', ['--iptables=false', '--bridge=none', `--data-root=${work}/data`, `--exec-root=${work}/exec`, '-H', `unix://${work}/docker.sock`, `--pidfile=${work}/dockerd.pid`], { stdio: 'ignore' });
    await waitFor(() => (existsSync(`${work}/docker.sock`) && docker('info').status === 0 ? true : undefined), 'dockerd', 30_000);
    const rootfs = join(work, 'rootfs');
    for (const dir of ['bin', 'etc', 'proc', 'sys', 'dev']) mkdirSync(join(rootfs, dir), { recursive: true });
    copyFileSync('/bin/busybox', join(rootfs, 'bin', 'busybox'));
    for (const applet of ['sh', 'cat', 'true']) symlinkSync('busybox', join(rootfs, 'bin', applet));
    writeFileSync(join(rootfs, 'marker'), 'from dockerd\n');
    const imported = spawnSync('sh', ['-c', `tar -C ${rootfs} -c . | docker -H unix://${work}/docker.sock import -c 'CMD ["sh"]' - ${IMAGE}`], { encoding: 'utf8' });
    expect(imported.status, imported.stderr).toBe(0);
  }, 90_000);

  afterAll(async () => {
    if (dockerd && dockerd.exitCode === null) {
      dockerd.kill('SIGTERM');
      await new Promise((resolve) => dockerd!.once('exit', resolve));
    }
    spawnSync('umount', ['-R', '-l', work], { stdio: 'ignore' });
    rmSync(work, { recursive: true, force: true });
  }, 60_000);

  it('docker-daemon:NAME runs the daemon\'s image, and says where it came from', async () => {
    const trace = join(work, 'a.cttrace');
    const result = await cli(['run', '-q', '-o', trace, '--', `docker-daemon:${IMAGE}`, 'cat', '/marker']);
    expect(result.stdout).toBe('from dockerd\n');
    expect(result.stderr).toMatch(/^cttrace: using bbox:bars from the local dockerd \(sha256:[a-f0-9]{12}…\)\n$/);
    const header = JSON.parse(gunzipSync(readFileSync(trace)).toString('utf8').split('\n')[0]!);
    expect(header.image).toMatch(/^docker-daemon:bbox:bars = docker-daemon:docker\.io\/library\/bbox:bars \(sha256:[a-f0-9]{12}…, from the local dockerd\)$/);
  });

  it('a bare name the dockerd has is taken from it before any registry is asked; the next run from the cache', async () => {
    const home = join(work, 'bare-home');
    const first = await cli(['run', '-q', '-o', join(work, 'b.cttrace'), '--', IMAGE, 'cat', '/marker'], home);
    expect(first.stdout).toBe('from dockerd\n');
    expect(first.stderr).toMatch(/using bbox:bars from the local dockerd/);
    const second = await cli(['run', '-q', '-o', join(work, 'b.cttrace'), '--', IMAGE, 'cat', '/marker'], home);
    expect(second.stdout).toBe('from dockerd\n');
    expect(second.stderr).toBe('');
    const listed = await cli(['images'], home);
    expect(listed.stdout).toMatch(/\ndocker-daemon:bbox:bars +sha256:[a-f0-9]{12} +linux\/amd64 /);
  });

  it('an image the dockerd lacks: its words, one line', async () => {
    const result = await cli(['run', '--', 'docker-daemon:nope:1', 'true']);
    expect(result.stderr).toMatch(/^cttrace: dockerd has no image nope:1: .*(No such image|not found|does not exist).*\n$/i);
    expect(result.status).not.toBe(0);
  });
});
