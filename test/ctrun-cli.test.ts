// ctrun's runc command line, each part against runc on the same bundle: the console socket
// (process.terminal), hooks with the state on stdin at the spec's moments and namespaces,
// exec, ps, pause/resume, kill --all, the json log the shim reads, and features.
import { spawn, spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';

import { ctrunPath, isHybridCgroupHost, runcSpec, sandboxForSuite, skipReason, sleep, type OciConfig } from './helpers/ctrun-bundle.js';

const reason = skipReason() ?? (spawnSync('runc', ['--version']).status === 0 ? null : 'runc is not installed (apt-get install runc)');
if (reason) console.log(`ctrun cli tests skipped: ${reason}`);

const RUNTIMES = { ctrun: ctrunPath, runc: 'runc' } as const;
type Runtime = keyof typeof RUNTIMES;

describe.skipIf(reason !== null)('ctrun, runc command line (root, against runc)', () => {
  const suite = sandboxForSuite();
  const { used } = suite;
  let receiver: string;

  beforeAll(() => {
    receiver = path.join(suite.sb.dir, 'console-receiver');
    const built = spawnSync('gcc', ['-O1', '-Wall', '-Werror', '-o', receiver, path.join(__dirname, 'programs', 'console-receiver.c')], { encoding: 'utf8' });
    if (built.status !== 0) throw new Error(built.stderr);
  });

  const rt = (runtime: Runtime, args: string[]) => suite.sb.runtime(RUNTIMES[runtime], args);

  function bundle(args: string[], edit?: (c: OciConfig) => void) {
    const id = suite.sb.newId();
    used.push(id);
    const config = runcSpec(suite.sb.rootfs, args);
    edit?.(config);
    return { id, dir: suite.sb.bundle(id, config) };
  }

  /** Runs `runtime run -d --console-socket` and returns what the pty printed. */
  async function viaConsole(runtime: Runtime, args: string[]) {
    const { id, dir } = bundle(args, (c) => {
      c.process.terminal = true;
      c.process.consoleSize = { height: 31, width: 97 };
    });
    const socket = path.join(suite.sb.dir, `${id}.sock`);
    const child = spawn(receiver, [socket], { stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    child.stdout!.on('data', (chunk: Buffer) => (out += chunk.toString()));
    const done = new Promise<void>((resolve) => child.on('exit', () => resolve()));
    for (let i = 0; i < 200 && !fs.existsSync(socket); i++) await sleep(10);
    const r = rt(runtime, ['run', '-d', '--console-socket', socket, '--bundle', dir, id]);
    expect(r.status, r.stderr).toBe(0);
    await done;
    for (let i = 0; i < 200 && JSON.parse(rt(runtime, ['state', id]).stdout).status !== 'stopped'; i++) await sleep(10);
    rt(runtime, ['delete', id]);
    return out;
  }

  it('process.terminal: the pty master goes to --console-socket, with consoleSize, as with runc', async () => {
    // (the closing sleep keeps the pty's slave open until the receiver has read what was written:
    // once the last slave fd closes, unread output on a pty master is gone, whichever runtime)
    const script = 'tty; stty size; test -t 0 && echo stdin-is-the-tty; test -c /dev/console && echo console; sleep 2';
    const ours = await viaConsole('ctrun', ['sh', '-c', script]);
    const theirs = await viaConsole('runc', ['sh', '-c', script]);
    expect(ours).toBe(theirs);
    expect(ours).toBe('/dev/pts/0\r\n31 97\r\nstdin-is-the-tty\r\nconsole\r\n');
  });

  it('runs every hook with the state on stdin, at the moment and in the namespaces runc does', () => {
    const results: Record<string, string[]> = {};
    const statuses: Record<string, string[]> = { ctrun: [], runc: [] };
    for (const runtime of ['ctrun', 'runc'] as const) {
      const out = path.join(suite.sb.dir, `hooks-${runtime}`);
      fs.mkdirSync(out, { recursive: true });
      const hook = (name: string) => ({
        path: '/bin/sh',
        args: ['sh', '-c', `read -r state; echo "$state" > ${out}/${name}.json; readlink /proc/self/ns/mnt > ${out}/${name}.mnt; [ -e /bin/busybox ] && echo host-bin > ${out}/${name}.root || echo other-root > ${out}/${name}.root`],
        env: ['HOOK=1'],
        timeout: 5,
      });
      const { id, dir } = bundle(['sleep', '30'], (c) => {
        c.root.readonly = false;
        c.annotations = { 'org.example.hooks': 'yes' };
        c.hooks = Object.fromEntries(['prestart', 'createRuntime', 'createContainer', 'poststart', 'poststop'].map((k) => [k, [hook(k)]]));
        // startContainer runs inside the container after pivot_root: it writes into the rootfs
        c.hooks.startContainer = [{ path: '/bin/sh', args: ['sh', '-c', `read -r state; echo "$state" > /tmp/startContainer-${runtime}.json`] }];
      });
      expect(rt(runtime, ['create', '--bundle', dir, id]).status).toBe(0);
      const pid = JSON.parse(rt(runtime, ['state', id]).stdout).pid;
      expect(rt(runtime, ['start', id]).status).toBe(0);
      expect(rt(runtime, ['delete', '--force', id]).status).toBe(0);
      const read = (name: string) => {
        const state = JSON.parse(fs.readFileSync(`${out}/${name}.json`, 'utf8'));
        expect(state.id).toBe(id);
        expect(state.bundle).toBe(dir);
        expect(state.annotations).toEqual({ 'org.example.hooks': 'yes' });
        const mnt = fs.readFileSync(`${out}/${name}.mnt`, 'utf8').trim();
        const where = mnt === fs.readlinkSync('/proc/self/ns/mnt') ? 'host-mntns' : 'container-mntns';
        statuses[runtime]!.push(`${name}: ${state.status} pid=${state.pid === pid ? 'init' : state.pid}`);
        return `${name}: ${where}`;
      };
      const start = JSON.parse(fs.readFileSync(path.join(suite.sb.rootfs, 'tmp', `startContainer-${runtime}.json`), 'utf8'));
      fs.rmSync(path.join(suite.sb.rootfs, 'tmp', `startContainer-${runtime}.json`));
      results[runtime] = ['prestart', 'createRuntime', 'createContainer', 'poststart', 'poststop'].map(read);
      statuses[runtime]!.push(`startContainer: ${start.status} pid=${start.pid === pid ? 'init' : start.pid}`);
    }
    // When and where: as runc.
    expect(results.ctrun).toEqual(results.runc);
    expect(results.ctrun).toEqual(['prestart: host-mntns', 'createRuntime: host-mntns', 'createContainer: container-mntns', 'poststart: host-mntns', 'poststop: host-mntns']);
    // The state they read: the spec's (the pid as the runtime sees it while the container
    // lives, the status of each moment). runc 1.1 gives in-container pids to createContainer and
    // startContainer, and poststart a stale "created": there ctrun follows the spec.
    expect(statuses.ctrun).toEqual([
      'prestart: creating pid=init',
      'createRuntime: creating pid=init',
      'createContainer: creating pid=init',
      'poststart: running pid=init',
      'poststop: stopped pid=0',
      'startContainer: created pid=init',
    ]);
  });

  it('a failing prestart hook fails the create and leaves nothing; a failing poststart is a warning', () => {
    for (const runtime of ['ctrun', 'runc'] as const) {
      const { id, dir } = bundle(['true'], (c) => {
        c.hooks = { prestart: [{ path: '/bin/sh', args: ['sh', '-c', 'exit 3'] }] };
      });
      const r = rt(runtime, ['create', '--bundle', dir, id]);
      expect(r.status, runtime).not.toBe(0);
      if (runtime === 'ctrun') expect(r.stderr).toBe('ctrun: prestart hook `/bin/sh` failed with exit status 3\n');
      rt(runtime, ['delete', '--force', id]);
    }
    // The spec: a failing poststart is logged as a warning and the lifecycle goes on
    // (runc 1.1 fails `run` instead; ctrun follows the spec).
    const late = bundle(['true'], (c) => {
      c.hooks = { poststart: [{ path: '/bin/false' }] };
    });
    const ok = rt('ctrun', ['run', '--bundle', late.dir, late.id]);
    expect(ok.status).toBe(0);
    expect(ok.stderr).toMatch(/level=warning msg="poststart hook `\/bin\/false` failed with exit status 1"/);
    const { id, dir } = bundle(['sleep', '30'], (c) => {
      c.hooks = { createRuntime: [{ path: '/bin/sleep', args: ['sleep', '10'], timeout: 1 }] };
    });
    const slow = rt('ctrun', ['create', '--bundle', dir, id]);
    expect(slow.stderr).toBe('ctrun: createRuntime hook `/bin/sleep` timed out after 1 s\n');
  });

  it('exec joins the namespaces and cgroup; ps, pause/resume and kill --all work; as with runc', async () => {
    for (const runtime of ['ctrun', 'runc'] as const) {
      const { id, dir } = bundle(['sh', '-c', 'sleep 30 & sleep 30']);
      expect(rt(runtime, ['run', '-d', '--bundle', dir, id]).status).toBe(0);
      const init = JSON.parse(rt(runtime, ['state', id]).stdout).pid as number;
      const processFile = path.join(suite.sb.dir, `${id}-process.json`);
      fs.writeFileSync(processFile, JSON.stringify({ args: ['sh', '-c', 'echo $$; hostname; cmp /proc/self/cgroup /proc/1/cgroup && echo same-cgroup; id -u; exit 6'], cwd: '/tmp', user: { uid: 65534, gid: 65534 }, env: ['PATH=/bin'] }));
      const ex = rt(runtime, ['exec', '--process', processFile, id]);
      expect(ex.status, `${runtime} ${ex.stderr}`).toBe(6);
      const [pid, hostname, inCgroup, uid] = ex.stdout.trim().split('\n');
      expect(Number(pid), runtime).toBeGreaterThan(1);
      expect(hostname).toBe('ctrun-test');
      expect(inCgroup).toBe('same-cgroup');
      expect(uid).toBe('65534');
      const args = rt(runtime, ['exec', id, 'sh', '-c', 'echo args-form']);
      expect(args.stdout).toBe('args-form\n');
      const pidFile = path.join(suite.sb.dir, `${id}-exec.pid`);
      expect(rt(runtime, ['exec', '--detach', '--pid-file', pidFile, id, 'sleep', '30']).status).toBe(0);
      const detached = Number(fs.readFileSync(pidFile, 'utf8'));
      const ps = JSON.parse(rt(runtime, ['ps', '--format', 'json', id]).stdout) as number[];
      expect(ps, runtime).toContain(init);
      expect(ps).toContain(detached);
      expect(ps.length, runtime).toBe(3); // the init (sh exec'd the last sleep), the other sleep, the exec'd sleep

      expect(rt(runtime, ['pause', id]).status).toBe(0);
      expect(JSON.parse(rt(runtime, ['state', id]).stdout).status).toBe('paused');
      expect(fs.readFileSync(`/proc/${init}/status`, 'utf8')).toMatch(/State:\s+[DS]/);
      expect(rt(runtime, ['resume', id]).status).toBe(0);
      expect(JSON.parse(rt(runtime, ['state', id]).stdout).status).toBe('running');

      expect(rt(runtime, ['kill', '--all', id, '9']).status).toBe(0);
      for (let i = 0; i < 200 && JSON.parse(rt(runtime, ['state', id]).stdout).status !== 'stopped'; i++) await sleep(10);
      expect(JSON.parse(rt(runtime, ['state', id]).stdout).status).toBe('stopped');
      expect(rt(runtime, ['delete', id]).status).toBe(0);
    }
  });

  // On a hybrid host, the unified hierarchy bound over /sys/fs/cgroup in a private mount
  // namespace makes ctrun see pure cgroup v2: pause is cgroup.freeze, exec clones into the cgroup.
  it.runIf(isHybridCgroupHost())('on cgroup v2: pause/resume with cgroup.freeze, exec born in the container cgroup, kill --all', async () => {
    const script = 'mount --bind /sys/fs/cgroup/unified /sys/fs/cgroup && exec "$@"';
    const v2 = (args: string[]) => {
      const r = spawnSync('unshare', ['-m', 'sh', '-c', script, 'sh', ctrunPath, '--root', suite.sb.stateRoot, ...args], { encoding: 'utf8', timeout: 20_000, stdio: ['ignore', 'pipe', 'pipe'] });
      return { status: r.status, stdout: r.stdout, stderr: r.stderr };
    };
    const { id, dir } = bundle(['sleep', '30']);
    const log = path.join(suite.sb.dir, `${id}.out`);
    // detached: its stdout must not be our pipe (it would hold it open)
    const started = spawnSync('sh', ['-c', `unshare -m sh -c '${script}' sh ${ctrunPath} --root ${suite.sb.stateRoot} run -d --bundle ${dir} ${id} > ${log} 2>&1`]);
    expect(started.status, fs.readFileSync(log, 'utf8')).toBe(0);
    expect(v2(['pause', id]).status).toBe(0);
    expect(JSON.parse(v2(['state', id]).stdout).status).toBe('paused');
    expect(fs.readFileSync(`/sys/fs/cgroup/unified/${id}/cgroup.freeze`, 'utf8').trim()).toBe('1');
    expect(v2(['resume', id]).status).toBe(0);
    expect(JSON.parse(v2(['state', id]).stdout).status).toBe('running');
    const ex = v2(['exec', id, 'sh', '-c', 'grep ^0:: /proc/self/cgroup']);
    expect(ex.stdout).toBe('0::/\n'); // the root of the container's cgroup namespace: its own cgroup
    expect(JSON.parse(v2(['ps', '--format', 'json', id]).stdout)).toHaveLength(1);
    expect(v2(['kill', '--all', id, 'KILL']).status).toBe(0);
    for (let i = 0; i < 200 && JSON.parse(v2(['state', id]).stdout).status !== 'stopped'; i++) await sleep(10);
    expect(v2(['delete', id]).status).toBe(0);
  });

  it('--log FILE --log-format json: errors as runc writes them, the message on stderr too', () => {
    const log = path.join(suite.sb.dir, 'log.json');
    const r = spawnSync(ctrunPath, ['--root', suite.sb.stateRoot, '--log', log, '--log-format', 'json', 'state', 'no-such-container'], { encoding: 'utf8' });
    expect(r.status).toBe(1);
    expect(r.stderr).toBe('ctrun: container `no-such-container` does not exist\n');
    const entry = JSON.parse(fs.readFileSync(log, 'utf8').trim());
    expect(Object.keys(entry).sort()).toEqual(['level', 'msg', 'time']);
    expect(entry).toMatchObject({ level: 'error', msg: 'container `no-such-container` does not exist' });
    expect(entry.time).toMatch(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ$/);
    const sys = spawnSync(ctrunPath, ['--systemd-cgroup', 'state', 'x'], { encoding: 'utf8' });
    expect(sys.status).toBe(1);
    expect(sys.stderr).toMatch(/^ctrun: --systemd-cgroup is not supported: .*cgroupfs/);
  });

  it('features: runc\'s JSON shape, with what ctrun supports', () => {
    const ours = JSON.parse(rt('ctrun', ['features']).stdout);
    const theirs = JSON.parse(rt('runc', ['features']).stdout);
    expect(Object.keys(ours).sort()).toEqual(Object.keys(theirs).sort());
    expect(ours.hooks).toEqual(theirs.hooks);
    expect(ours.linux.seccomp.actions.sort()).toEqual(theirs.linux.seccomp.actions.sort());
    expect(ours.linux.seccomp.operators.sort()).toEqual(theirs.linux.seccomp.operators.sort());
    expect(ours.linux.capabilities).toEqual(theirs.linux.capabilities);
    expect(ours.linux.namespaces.sort()).toEqual(['cgroup', 'ipc', 'mount', 'network', 'pid', 'time', 'user', 'uts']);
  });
});
