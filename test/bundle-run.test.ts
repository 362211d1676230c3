// OCI bundles from images, run by the real runtimes: runc (required), crun and ctrun (when
// present). The config matches `runc spec`; rootless maps root to 100000; limits reach the
// cgroup; cleanup leaves no mount, folder or cgroup. Needs root.
import { afterAll, describe, expect, it } from 'vitest';
import { spawnSync } from 'node:child_process';
import { chmodSync, cpSync, existsSync, lstatSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { cleanupAllSync, makeBundle, parseMemory, type Bundle, type BundleOptions } from '../runtime/bundle/index.js';
import { mountsUnder } from '../runtime/bundle/overlay.js';
import { BundleError } from '../runtime/image/errors.js';
import { resolveImage, type Image } from '../runtime/image/store.js';

const work = mkdtempSync(join(tmpdir(), 'cttrace-bundle-'));
chmodSync(work, 0o755); // rootless runtimes walk through it as the mapped root
const home = join(work, 'home');
const runcRoot = join(work, 'runc');
const ctrunBinary = join(import.meta.dirname, '../runtime/build/ctrun');

const have = (tool: string) => spawnSync('sh', ['-c', `command -v ${tool}`], { stdio: 'ignore' }).status === 0;
const haveCrun = have('crun');
const haveCtrun = existsSync(ctrunBinary);
if (!haveCrun) console.log('skipping the crun run: crun is not installed (apt-get install crun)');
if (!haveCtrun) console.log(`skipping the ctrun run: ${ctrunBinary} is not built (npm run build)`);

afterAll(() => {
  cleanupAllSync();
  expect(mountsUnder(work)).toEqual([]);
  rmSync(work, { recursive: true, force: true });
});

function bundle(options: Partial<BundleOptions> = {}): Promise<Bundle> {
  return makeBundle({ image: 'busybox', home, progress: false, ...options });
}

function runtimeCommand(runtime: 'runc' | 'crun' | 'ctrun', b: Bundle): [string, string[]] {
  switch (runtime) {
    case 'runc':
      return ['runc', ['--root', runcRoot, 'run', '--bundle', b.dir, b.id]];
    case 'crun':
      // crun refuses this host's hybrid cgroup layout unless the cgroup2 mount is hidden
      return ['unshare', ['-m', 'sh', '-c', `umount -l /sys/fs/cgroup/unified 2>/dev/null; exec crun --root ${join(work, 'crun')} run --bundle ${b.dir} ${b.id}`]];
    case 'ctrun':
      return [ctrunBinary, ['--root', join(work, 'ctrun'), 'run', '--bundle', b.dir, b.id]];
  }
}

function run(runtime: 'runc' | 'crun' | 'ctrun', b: Bundle): { status: number | null; stdout: string; stderr: string } {
  const [command, args] = runtimeCommand(runtime, b);
  const result = spawnSync(command, args, { encoding: 'utf8', timeout: 30_000, stdio: ['ignore', 'pipe', 'pipe'] });
  return { status: result.status, stdout: result.stdout, stderr: result.stderr };
}

/** Cleans up and checks nothing of the container is left. */
async function cleanedUp(b: Bundle): Promise<void> {
  await b.cleanup();
  await b.cleanup(); // idempotent
  b.cleanupSync();
  expect(existsSync(b.dir)).toBe(false);
  expect(readFileSync('/proc/self/mounts', 'utf8')).not.toContain(b.id);
  expect(mountsUnder(home)).toEqual([]);
  for (const controller of ['memory', 'pids', 'cpu', 'systemd', 'unified']) {
    expect(existsSync(join('/sys/fs/cgroup', controller, b.cgroupsPath))).toBe(false);
  }
  const tmp = join(home, 'tmp');
  if (existsSync(tmp)) expect(readdirSync(tmp)).toEqual([]);
}

function runcSpec(rootless: boolean): Record<string, any> {
  const dir = mkdtempSync(join(work, 'spec-'));
  const result = spawnSync('runc', ['spec', '--bundle', dir, ...(rootless ? ['--rootless'] : [])], { encoding: 'utf8' });
  expect(result.status, result.stderr).toBe(0);
  return JSON.parse(readFileSync(join(dir, 'config.json'), 'utf8'));
}

describe('the busybox bundle', () => {
  it('runc runs it and prints', async () => {
    const b = await bundle({ args: ['sh', '-c', 'echo hello from $(hostname); id; ls /'] });
    const result = run('runc', b);
    expect(result.stderr).toBe('');
    expect(result.status).toBe(0);
    expect(result.stdout).toContain(`hello from ${b.id.slice(0, 12)}`);
    expect(result.stdout).toContain('uid=0(root) gid=0(root)');
    expect(result.stdout.split('\n')).toEqual(expect.arrayContaining(['bin', 'dev', 'etc', 'proc', 'sys', 'tmp']));
    await cleanedUp(b);
  });

  it('writes config.json as runc spec does, filled in for the container', async () => {
    const b = await bundle({ hostname: 'box', memory: '64m', pidsLimit: 20 });
    const spec = JSON.parse(readFileSync(b.configPath, 'utf8'));
    const reference = runcSpec(false);
    expect(spec.ociVersion).toBe(reference.ociVersion);
    expect(spec.process.capabilities).toEqual(reference.process.capabilities);
    expect(spec.process.rlimits).toEqual([{ type: 'RLIMIT_NOFILE', hard: 1024, soft: 1024 }]);
    expect(spec.process.noNewPrivileges).toBe(true);
    expect(spec.process.terminal).toBe(false);
    expect(spec.process.args).toEqual(['sh']); // the image's Cmd
    expect(spec.process.env).toContain('PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin');
    expect(spec.process.env).toContain('HOME=/root');
    expect(spec.process.cwd).toBe('/');
    expect(spec.process.user).toEqual({ uid: 0, gid: 0, additionalGids: [10] }); // root is in wheel
    expect(spec.mounts).toEqual(reference.mounts);
    expect(spec.linux.maskedPaths).toEqual(reference.linux.maskedPaths);
    expect(spec.linux.readonlyPaths).toEqual(reference.linux.readonlyPaths);
    expect(spec.linux.namespaces.map((ns: { type: string }) => ns.type)).toEqual(['pid', 'network', 'ipc', 'uts', 'mount', 'cgroup']);
    expect(spec.linux.resources).toEqual({ devices: [{ allow: false, access: 'rwm' }], memory: { limit: 64 * 1024 * 1024 }, pids: { limit: 20 } });
    expect(spec.linux.cgroupsPath).toBe(`/cttrace/${b.id}`);
    expect(spec.hostname).toBe('box');
    expect(spec.root).toEqual({ path: 'rootfs', readonly: false });
    expect(join(b.dir, spec.root.path)).toBe(b.rootfs);
    expect(b.id).toMatch(/^[a-f0-9]{64}$/);
    expect(readFileSync('/proc/self/mountinfo', 'utf8')).toContain(`${b.rootfs} `);
    await cleanedUp(b);
  });

  it('limits reach the cgroup (memory, pids)', async () => {
    const b = await bundle({
      memory: '64m',
      pidsLimit: 20,
      args: ['sh', '-c', 'cat /sys/fs/cgroup/memory/memory.limit_in_bytes /sys/fs/cgroup/pids/pids.max'],
    });
    const result = run('runc', b);
    expect(result.stderr).toBe('');
    expect(result.stdout.trim().split('\n')).toEqual([String(64 * 1024 * 1024), '20']);
    await cleanedUp(b);
  });

  it('rootless: root inside is 100000 outside', async () => {
    const b = await bundle({ rootless: true, args: ['sh', '-c', 'id -u; cat /proc/self/uid_map; touch /tmp/made-inside'] });
    const spec = JSON.parse(readFileSync(b.configPath, 'utf8'));
    const reference = runcSpec(true);
    expect(spec.linux.uidMappings).toEqual([{ containerID: 0, hostID: 100000, size: 65536 }]);
    expect(spec.linux.gidMappings).toEqual([{ containerID: 0, hostID: 100000, size: 65536 }]);
    expect(spec.linux.namespaces.map((ns: { type: string }) => ns.type)).toContain('user');
    const sys = (mounts: Array<{ destination: string }>) => mounts.find((m) => m.destination === '/sys');
    expect(sys(spec.mounts)).toEqual(sys(reference.mounts)); // /sys bound from the host, as runc spec --rootless
    const result = run('runc', b);
    expect(result.stderr).toBe('');
    const [uid, map] = result.stdout.trim().split('\n');
    expect(uid).toBe('0');
    expect(map!.trim().split(/\s+/)).toEqual(['0', '100000', '65536']);
    const made = lstatSync(join(b.dir, 'upper/tmp/made-inside')); // the host sees the mapped owner
    expect([made.uid, made.gid]).toEqual([100000, 100000]);
    await cleanedUp(b);
  });

  it.skipIf(!haveCrun)('crun runs it too', async () => {
    const b = await bundle({ args: ['sh', '-c', 'echo crun says hi; hostname'] });
    const result = run('crun', b);
    expect(result.status, result.stderr).toBe(0);
    expect(result.stdout).toBe(`crun says hi\n${b.id.slice(0, 12)}\n`);
    await cleanedUp(b);
  });

  it.skipIf(!haveCtrun)('ctrun runs it too', async () => {
    const b = await bundle({ args: ['sh', '-c', 'echo ctrun says hi; hostname'] });
    const result = run('ctrun', b);
    expect(result.status, result.stderr).toBe(0);
    expect(result.stdout).toBe(`ctrun says hi\n${b.id.slice(0, 12)}\n`);
    await cleanedUp(b);
  });
});

describe('image config: Entrypoint, Cmd, User, WorkingDir, Env', () => {
  it('comes from the image and the options, users resolved through the rootfs', async () => {
    const busybox = await resolveImage('busybox', { home, progress: false });
    const rootfs = join(work, 'custom-rootfs');
    cpSync(busybox.layers[0]!, rootfs, { recursive: true, verbatimSymlinks: true });
    writeFileSync(join(rootfs, 'etc/group'), `${readFileSync(join(rootfs, 'etc/group'), 'utf8')}web:x:500:www-data\n`);
    const image: Image = {
      reference: 'custom',
      name: 'custom',
      id: 'custom',
      layers: [rootfs],
      config: { entrypoint: ['/bin/echo', 'entry'], cmd: ['cmd'], env: ['PATH=/bin', 'GREETING=hi'], workingDir: '/srv/app', user: 'www-data', labels: {} },
      external: true,
    };
    const before = spawnSync('sh', ['-c', `cd ${rootfs} && find . -printf '%p %m %s\\n' | sort`], { encoding: 'utf8' }).stdout;
    const b = await makeBundle({ image, home, env: ['GREETING=hello'], args: ['arg1'] });
    expect(b.spec.process.args).toEqual(['/bin/echo', 'entry', 'arg1']);
    expect(b.spec.process.user).toEqual({ uid: 33, gid: 33, additionalGids: [500] });
    expect(b.spec.process.cwd).toBe('/srv/app');
    expect(b.spec.process.env).toEqual(['PATH=/bin', 'GREETING=hello', 'HOME=/var/www']);
    const result = run('runc', b);
    expect(result.stderr).toBe('');
    expect(result.stdout).toBe('entry arg1\n');
    expect(lstatSync(join(b.dir, 'upper/srv/app')).uid).toBe(33); // the working dir was made, in the upper dir
    await cleanedUp(b);
    // a dir: image is a read-only lower: never written
    const after = spawnSync('sh', ['-c', `cd ${rootfs} && find . -printf '%p %m %s\\n' | sort`], { encoding: 'utf8' }).stdout;
    expect(after).toBe(before);

    const numeric = await makeBundle({ image, home, user: '1234:5678', entrypoint: [], args: ['true'] });
    expect(numeric.spec.process.user).toEqual({ uid: 1234, gid: 5678 });
    expect(numeric.spec.process.args).toEqual(['true']);
    expect(numeric.spec.process.env).toContain('HOME=/');
    await cleanedUp(numeric);
  });

  it('dir: images mount through overlay too', async () => {
    const busybox = await resolveImage('busybox', { home, progress: false });
    const b = await makeBundle({ image: `dir:${busybox.layers[0]}`, home, args: ['sh', '-c', 'echo written > /etc/new && cat /etc/new'] });
    expect(run('runc', b).stdout).toBe('written\n');
    expect(existsSync(join(busybox.layers[0]!, 'etc/new'))).toBe(false);
    await cleanedUp(b);
  });
});

describe('bad input: one line, nothing left behind', () => {
  const nothingLeft = () => {
    expect(readdirSync(join(home, 'containers'))).toEqual([]);
    expect(mountsUnder(home)).toEqual([]);
  };

  it('a command missing in the image', async () => {
    const error = await bundle({ args: ['nosuchcommand', 'x'] }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(BundleError);
    expect((error as Error).message).toBe('command "nosuchcommand" not found in busybox (PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin)');
    await expect(bundle({ args: ['/bin/nothing'] })).rejects.toThrow('command "/bin/nothing" is not an executable file in busybox');
    await expect(bundle({ user: 'nobody-here' })).rejects.toThrow(`user "nobody-here" is not in the image's /etc/passwd (give a numeric uid)`);
    nothingLeft();
  });

  it('bad options', async () => {
    await expect(bundle({ memory: 'lots' })).rejects.toThrow('invalid memory limit "lots": use bytes or a unit like 64m, 1g');
    await expect(bundle({ pidsLimit: -1 })).rejects.toThrow('invalid pids limit -1');
    await expect(bundle({ id: '../x' })).rejects.toThrow('invalid container id "../x"');
    await expect(bundle({ hostname: 'a b' })).rejects.toThrow('invalid hostname "a b"');
    await expect(bundle({ image: 'No/Pe' })).rejects.toThrow(/^invalid image reference "No\/Pe": repository name "Pe" must be lowercase/);
    expect(parseMemory('1g')).toBe(2 ** 30);
    expect(parseMemory('512k')).toBe(512 * 1024);
    expect(parseMemory('1.5GiB')).toBe(1.5 * 2 ** 30);
    expect(parseMemory(1000)).toBe(1000);
    nothingLeft();
  });

  it('an id in use is refused without touching the first container', async () => {
    const first = await bundle({ id: 'same-id' });
    await expect(bundle({ id: 'same-id' })).rejects.toThrow(/container same-id exists already/);
    expect(readFileSync('/proc/self/mountinfo', 'utf8')).toContain(`${first.rootfs} `);
    await cleanedUp(first);
    nothingLeft();
  });

  it('containers of a process that was killed (or whose pid now names another process) are pruned by the next makeBundle', async () => {
    const orphan = await bundle();
    const dead = spawnSync('true').pid!; // a pid that is gone
    writeFileSync(join(orphan.dir, 'owner.json'), `${JSON.stringify({ pid: dead, start: 1 })}\n`);
    // pid 1 runs, but not since this start time: the pid was reused, the maker is gone
    const reused = await bundle();
    writeFileSync(join(reused.dir, 'owner.json'), `${JSON.stringify({ pid: 1, start: 987654321 })}\n`);
    const next = await bundle();
    for (const gone of [orphan, reused]) {
      expect(existsSync(gone.dir)).toBe(false);
      expect(mountsUnder(gone.dir)).toEqual([]);
    }
    expect(existsSync(next.dir)).toBe(true);
    await cleanedUp(next);
    await cleanedUp(orphan);
    await cleanedUp(reused);
    nothingLeft();
  });

  it('cleanupAllSync (for Ctrl-C handlers and exit) removes every live bundle', async () => {
    const a = await bundle();
    const b = await bundle();
    expect(process.listeners('exit')).toContain(cleanupAllSync);
    cleanupAllSync();
    expect(existsSync(a.dir) || existsSync(b.dir)).toBe(false);
    await cleanedUp(a);
    nothingLeft();
  });
});
