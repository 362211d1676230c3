// ctrun, the bundled OCI runtime, run for real: namespaces, cgroups, mounts,
// rootless user namespaces, the create/start/state/kill/delete lifecycle, errors,
// and that nothing is left behind. Needs root; skipped (with the reason) otherwise.
import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';

import { buildCtrun, ctrunPath, isHybridCgroupHost, leftovers, makeRootfs, runcSpec, Sandbox, skipReason, sleep } from './helpers/ctrun-bundle.js';

const reason = skipReason();
if (reason) console.log(`ctrun tests skipped: ${reason}`);
const suite = reason ? describe.skip : describe;

suite('ctrun', () => {
  let sb: Sandbox;
  const used: string[] = [];

  beforeAll(() => {
    buildCtrun();
    sb = new Sandbox();
  });

  afterEach(() => {
    // After every container: no mount of the bundle, no cgroup dir, no state.
    for (const id of used.splice(0)) expect(leftovers(sb, id)).toEqual([]);
  });

  afterAll(() => {
    sb?.remove();
  });

  function run(args: string[], edit?: Parameters<Sandbox['run']>[1]) {
    const r = sb.run(args, edit);
    used.push(r.id);
    return r;
  }

  it('runs the command as PID 1 of its own pid namespace', () => {
    const r = run(['sh', '-c', 'echo $$']);
    expect(r.stderr).toBe('');
    expect(r.status).toBe(0);
    expect(r.stdout.trim()).toBe('1');
  });

  it('shows only the container processes to ps', () => {
    const r = run(['sh', '-c', 'ps -o pid,comm; true']);
    expect(r.status).toBe(0);
    const pids = r.stdout.trim().split('\n').slice(1).map((l) => Number(l.trim().split(/\s+/)[0]));
    expect(pids).toEqual([1, 2]);
  });

  it('sets the hostname from config.json', () => {
    const r = run(['hostname']);
    expect(r.stdout.trim()).toBe('ctrun-test');
  });

  it('creates new pid, mnt, uts, ipc, net and cgroup namespaces', () => {
    const kinds = ['pid', 'mnt', 'uts', 'ipc', 'net', 'cgroup'];
    const r = run(['sh', '-c', `for k in ${kinds.join(' ')}; do readlink /proc/1/ns/$k; done`]);
    expect(r.status).toBe(0);
    const inside = r.stdout.trim().split('\n');
    expect(inside).toHaveLength(kinds.length);
    kinds.forEach((k, i) => {
      expect(inside[i]).toMatch(new RegExp(`^${k}:\\[\\d+\\]$`));
      expect(inside[i]).not.toBe(fs.readlinkSync(`/proc/self/ns/${k}`));
    });
  });

  it('has only lo in its network namespace', () => {
    const r = run(['cat', '/proc/net/dev']);
    const ifaces = r.stdout.trim().split('\n').slice(2).map((l) => l.split(':')[0]!.trim());
    expect(ifaces).toEqual(['lo']);
  });

  it('holds a memory limit', () => {
    const r = run(
      [
        'sh',
        '-c',
        'cat /sys/fs/cgroup/memory/memory.limit_in_bytes 2>/dev/null || cat /sys/fs/cgroup/memory.max; ' +
          'dd if=/dev/zero of=/dev/shm/fill bs=1M count=60 2>/dev/null; echo dd=$?',
      ],
      (c) => {
        c.linux.resources.memory = { limit: 32 * 1024 * 1024 };
      },
    );
    const [limit, dd] = r.stdout.trim().split('\n');
    expect(limit).toBe(String(32 * 1024 * 1024));
    expect(dd).not.toBe('dd=0'); // 60 MiB of tmpfs pages cannot fit in 32 MiB
  });

  it('stops a fork loop at the pids limit', () => {
    const r = run(['sh', '-c', 'cat /sys/fs/cgroup/pids/pids.max 2>/dev/null || cat /sys/fs/cgroup/pids.max; i=0; while [ $i -lt 40 ]; do sleep 5 & i=$((i+1)); done; echo all-forked'], (c) => {
      c.linux.resources.pids = { limit: 10 };
    });
    expect(r.stdout.trim().split('\n')[0]).toBe('10');
    expect(r.stdout).not.toContain('all-forked');
    expect(r.stderr).toMatch(/can't fork|Resource temporarily unavailable/);
  });

  it('writes cpu shares, quota and period', () => {
    const r = run(['sh', '-c', 'cd /sys/fs/cgroup/cpu 2>/dev/null && cat cpu.shares cpu.cfs_quota_us cpu.cfs_period_us || cat /sys/fs/cgroup/cpu.weight /sys/fs/cgroup/cpu.max'], (c) => {
      c.linux.resources.cpu = { shares: 512, quota: 50000, period: 100000 };
    });
    expect(r.status).toBe(0);
    const out = r.stdout.trim().split('\n');
    if (out.length === 3) expect(out).toEqual(['512', '50000', '100000']);
    else expect(out).toEqual(['20', '50000 100000']); // v2: weight from shares, "quota period"
  });

  it('sets user, groups, capabilities, no_new_privs and rlimits', () => {
    const r = run(['sh', '-c', 'id; grep -E "^(CapEff|CapBnd|CapPrm|CapAmb|NoNewPrivs):" /proc/self/status; ulimit -n'], (c) => {
      c.process.user = { uid: 1000, gid: 1000, additionalGids: [10, 20] };
      c.process.capabilities.inheritable = ['CAP_KILL'];
      c.process.rlimits = [{ type: 'RLIMIT_NOFILE', hard: 512, soft: 256 }];
    });
    expect(r.stderr).toBe('');
    const lines = r.stdout.trim().split('\n');
    expect(lines[0]).toBe('uid=1000 gid=1000 groups=10,20');
    // Bounding: CAP_KILL (5), CAP_NET_BIND_SERVICE (10), CAP_AUDIT_WRITE (29). A non-root
    // user keeps across execve only its ambient set: CAP_KILL, the one also inheritable.
    const bounding = '0000000020000420';
    const kill = '0000000000000020';
    expect(lines.slice(1, 6).sort()).toEqual([`CapAmb:\t${kill}`, `CapBnd:\t${bounding}`, `CapEff:\t${kill}`, `CapPrm:\t${kill}`, 'NoNewPrivs:\t1']);
    expect(lines[6]).toBe('256');
  });

  it('applies linux.sysctl in the container namespaces only', () => {
    const r = run(['cat', '/proc/sys/net/ipv4/ip_forward', '/proc/sys/kernel/shmmni'], (c) => {
      c.linux.sysctl = { 'net.ipv4.ip_forward': '1', 'kernel.shmmni': '1234' };
    });
    expect(r.stderr).toBe('');
    expect(r.stdout.trim().split('\n')).toEqual(['1', '1234']);
    expect(fs.readFileSync('/proc/sys/kernel/shmmni', 'utf8').trim()).not.toBe('1234');
  });

  it('binds host directories with their options and creates linux.devices', () => {
    const data = path.join(sb.dir, 'data');
    fs.mkdirSync(data, { recursive: true });
    fs.writeFileSync(path.join(data, 'hello'), 'from the host\n');
    const script = 'cat /mnt/data/hello; touch /mnt/data/new; echo touch=$?; echo hi > /dev/mynull; echo null=$?; ls -l /dev/mynull; cat /dev/loop-control';
    const r = run(['sh', '-c', script], (c) => {
      c.mounts.push({ destination: '/mnt/data', type: 'bind', source: data, options: ['rbind', 'ro', 'nosuid'] });
      c.linux.devices = [
        { path: '/dev/mynull', type: 'c', major: 1, minor: 3, fileMode: 0o640, uid: 0, gid: 0 },
        { path: '/dev/loop-control', type: 'c', major: 10, minor: 237 }, // made, but not allowed by the device rules
      ];
    });
    expect(r.stderr).toMatch(/can't open '\/dev\/loop-control': Operation not permitted/);
    const lines = r.stdout.trim().split('\n');
    expect(lines[0]).toBe('from the host');
    expect(lines[1]).toBe('touch=1');
    expect(lines[2]).toBe('null=0');
    expect(lines[3]).toMatch(/^crw-r----- .* 1, +3 .*\/dev\/mynull$/);
    expect(fs.existsSync(path.join(data, 'new'))).toBe(false);
  });

  it('joins an existing namespace by path', () => {
    const first = sb.newId();
    used.push(first);
    const bundle = sb.bundle(first, runcSpec(sb.rootfs, ['sleep', '30']));
    expect(sb.ctrun(['run', '--detach', '--bundle', bundle, first]).status).toBe(0);
    try {
      const pid = JSON.parse(sb.ctrun(['state', first]).stdout).pid as number;
      const r = run(['sh', '-c', 'readlink /proc/1/ns/net; readlink /proc/1/ns/uts; hostname'], (c) => {
        c.linux.namespaces = c.linux.namespaces.map((n: { type: string }) =>
          n.type === 'network' || n.type === 'uts' ? { type: n.type, path: `/proc/${pid}/ns/${n.type === 'network' ? 'net' : 'uts'}` } : n,
        );
        delete c.hostname;
      });
      expect(r.stderr).toBe('');
      const [net, uts, hostname] = r.stdout.trim().split('\n');
      expect(net).toBe(fs.readlinkSync(`/proc/${pid}/ns/net`));
      expect(uts).toBe(fs.readlinkSync(`/proc/${pid}/ns/uts`));
      expect(hostname).toBe('ctrun-test');
    } finally {
      sb.ctrun(['delete', '--force', first]);
    }
  });

  it('masks maskedPaths', () => {
    const r = run(['sh', '-c', 'wc -c < /proc/timer_list; wc -c < /proc/keys; ls -A /sys/firmware | wc -l; ls -A /proc/acpi | wc -l']);
    expect(r.status).toBe(0);
    expect(r.stdout.trim().split('\n').map(Number)).toEqual([0, 0, 0, 0]);
    expect(fs.readFileSync('/proc/timer_list', 'utf8').length).toBeGreaterThan(0); // the host's is not empty
  });

  it('makes readonlyPaths and the root read-only', () => {
    const r = run(['sh', '-c', 'echo x > /proc/sys/kernel/domainname; echo sys=$?; touch /probe; echo root=$?; grep " /proc/sys " /proc/mounts']);
    const lines = r.stdout.trim().split('\n');
    expect(lines[0]).toBe('sys=1');
    expect(lines[1]).toBe('root=1');
    expect(lines[2]).toMatch(/ \/proc\/sys proc ro,/);
    expect(r.stderr).toContain('Read-only file system');
  });

  it('relays the exit code', () => {
    expect(run(['sh', '-c', 'exit 7']).status).toBe(7);
  });

  it('relays death by signal as 128+signal and cleans up', async () => {
    const id = sb.newId();
    used.push(id);
    const bundle = sb.bundle(id, runcSpec(sb.rootfs, ['sleep', '30']));
    const child = sb.spawnRun(id, bundle);
    const exited = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)));
    await waitForStatus(id, 'running');
    expect(sb.ctrun(['kill', id, 'KILL']).status).toBe(0);
    expect(await exited).toBe(137);
  });

  it('forwards SIGTERM to the container process', async () => {
    const id = sb.newId();
    used.push(id);
    const bundle = sb.bundle(id, runcSpec(sb.rootfs, ['sh', '-c', 'trap "exit 42" TERM; echo ready; while true; do sleep 0.05; done']));
    const child = sb.spawnRun(id, bundle);
    const exited = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)));
    await new Promise<void>((resolve) => child.stdout!.once('data', () => resolve()));
    child.kill('SIGTERM');
    expect(await exited).toBe(42);
  });

  it('passes no inherited descriptor beyond stdio into the container', () => {
    const id = sb.newId();
    used.push(id);
    const bundle = sb.bundle(id, runcSpec(sb.rootfs, ['ls', '/proc/self/fd']));
    // fd 3 is an extra pipe ctrun inherits; ls itself opens the directory as the next free fd.
    const r = spawnSync(ctrunPath, ['--root', sb.stateRoot, 'run', '--bundle', bundle, id], {
      encoding: 'utf8',
      stdio: ['ignore', 'pipe', 'pipe', 'pipe'],
    });
    expect(r.stderr).toBe('');
    expect(r.stdout.trim().split(/\s+/)).toEqual(['0', '1', '2', '3']);
  });

  it('fails clearly with exit 127 when the command is missing', () => {
    const r = run(['nosuch']);
    expect(r.status).toBe(127);
    expect(r.stderr).toBe('ctrun: exec "nosuch": No such file or directory\n');
  });

  it('rejects an invalid config.json in one line', () => {
    const id = sb.newId();
    used.push(id);
    const bundle = sb.bundle(id, {});
    fs.writeFileSync(path.join(bundle, 'config.json'), '{\n  "ociVersion": "1.0.2",\n  "process": {,\n}\n');
    const r = sb.ctrun(['run', '--bundle', bundle, id]);
    expect(r.status).not.toBe(0);
    expect(r.stderr).toMatch(/^ctrun: parse config\.json: .+ at line 3\n$/);
  });

  it('fails cleanly when the kernel refuses a cgroup limit', () => {
    const r = run(['true'], (c) => {
      c.linux.resources.cpu = { quota: 500, period: 100000 }; // below the 1 ms minimum
    });
    expect(r.status).toBe(1);
    expect(r.stderr).toMatch(/^ctrun: set cgroup limit: write `500( 100000)?` to `\/sys\/fs\/cgroup\/.+`: Invalid argument\n$/);
  });

  it('refuses process.terminal=true for create without a console socket to send the pty to', () => {
    const id = sb.newId();
    used.push(id);
    const config = runcSpec(sb.rootfs, ['true']);
    config.process.terminal = true;
    const r = sb.ctrun(['create', '--bundle', sb.bundle(id, config), id]);
    expect(r.status).toBe(1);
    expect(r.stderr).toBe('ctrun: process.terminal is true: give --console-socket to receive the pty\n');
  });

  describe('rootless (user namespace mapped to 100000)', () => {
    let rootfs: string;

    beforeAll(() => {
      rootfs = path.join(sb.dir, 'rootfs-100000');
      makeRootfs(rootfs, { uid: 100000, gid: 100000 });
    });

    function rootless(args: string[]) {
      const c = runcSpec(rootfs, args);
      c.linux.namespaces.push({ type: 'user' });
      c.linux.uidMappings = [{ containerID: 0, hostID: 100000, size: 65536 }];
      c.linux.gidMappings = [{ containerID: 0, hostID: 100000, size: 65536 }];
      return c;
    }

    it('is root inside and 100000 outside', () => {
      const id = sb.newId();
      used.push(id);
      const r = sb.ctrun(['run', '--bundle', sb.bundle(id, rootless(['sh', '-c', 'id -u; cat /proc/self/uid_map; echo $$'])), id]);
      expect(r.stderr).toBe('');
      const [uid, map, pid] = r.stdout.trim().split('\n');
      expect(uid).toBe('0');
      expect(map!.trim().split(/\s+/)).toEqual(['0', '100000', '65536']);
      expect(pid).toBe('1');
    });

    it('goes through create, start, state, kill and delete', async () => {
      const id = sb.newId();
      used.push(id);
      const bundle = sb.bundle(id, rootless(['sleep', '30']));
      const pidFile = path.join(sb.dir, `${id}.pid`);

      const created = sb.ctrun(['create', '--bundle', bundle, '--pid-file', pidFile, id]);
      expect(created.stderr).toBe('');
      expect(created.status).toBe(0);
      const pid = Number(fs.readFileSync(pidFile, 'utf8'));
      let state = JSON.parse(sb.ctrun(['state', id]).stdout);
      expect(state).toMatchObject({ id, status: 'created', pid, bundle });

      // On the host the container's root is the mapped, unprivileged uid.
      const status = fs.readFileSync(`/proc/${pid}/status`, 'utf8');
      expect(status).toMatch(/^Uid:\s+100000\s+100000\s+100000\s+100000$/m);
      expect(status).toMatch(/^NSpid:\s+\d+\s+1$/m);

      expect(sb.ctrun(['start', id]).status).toBe(0);
      state = JSON.parse(sb.ctrun(['state', id]).stdout);
      expect(state.status).toBe('running');
      await waitFor(() => fs.readFileSync(`/proc/${pid}/comm`, 'utf8').trim() === 'sleep');

      expect(sb.ctrun(['delete', id]).status).not.toBe(0); // running: needs --force or a kill
      expect(sb.ctrun(['kill', id, 'SIGKILL']).status).toBe(0);
      await waitForStatus(id, 'stopped');
      expect(JSON.parse(sb.ctrun(['state', id]).stdout).pid).toBe(0);
      expect(sb.ctrun(['delete', id]).status).toBe(0);
      expect(sb.ctrun(['state', id]).stderr).toBe(`ctrun: container \`${id}\` does not exist\n`);
    });
  });

  it('runs detached and is removed by delete --force', async () => {
    const id = sb.newId();
    used.push(id);
    const bundle = sb.bundle(id, runcSpec(sb.rootfs, ['sleep', '30']));
    const r = sb.ctrun(['run', '--detach', '--bundle', bundle, id]);
    expect(r.status).toBe(0);
    expect(JSON.parse(sb.ctrun(['state', id]).stdout).status).toBe('running');
    expect(sb.ctrun(['delete', '--force', id]).status).toBe(0);
  });

  // On a hybrid host, bind the unified hierarchy over /sys/fs/cgroup in a private
  // mount namespace: ctrun then sees pure cgroup v2 and clones straight into the
  // container's cgroup (clone3 CLONE_INTO_CGROUP).
  it.runIf(isHybridCgroupHost())('uses the unified hierarchy, clone3 into it and an eBPF device filter when /sys/fs/cgroup is cgroup2', () => {
    const id = sb.newId();
    used.push(id);
    const config = runcSpec(sb.rootfs, ['sh', '-c', 'grep ^0:: /proc/self/cgroup; grep " /sys/fs/cgroup " /proc/mounts; cat /dev/loop-control; echo x > /dev/null']);
    config.linux.devices = [{ path: '/dev/loop-control', type: 'c', major: 10, minor: 237 }];
    const bundle = sb.bundle(id, config);
    const script = 'mount --bind /sys/fs/cgroup/unified /sys/fs/cgroup && exec "$@"';
    const r = spawnSync('unshare', ['-m', 'sh', '-c', script, 'sh', ctrunPath, '--root', sb.stateRoot, 'run', '--bundle', bundle, id], {
      encoding: 'utf8',
    });
    // linux.resources.devices (deny all, then the defaults) as an eBPF program on the cgroup
    expect(r.stderr).toBe("cat: can't open '/dev/loop-control': Operation not permitted\n");
    expect(r.status).toBe(0);
    const [cgroup, mount] = r.stdout.trim().split('\n');
    expect(cgroup).toBe('0::/'); // the root of its own cgroup namespace
    expect(mount).toMatch(/^cgroup2 \/sys\/fs\/cgroup cgroup2 ro,/);
  });

  async function waitFor(cond: () => boolean, ms = 5000): Promise<void> {
    const end = Date.now() + ms;
    for (;;) {
      try {
        if (cond()) return;
      } catch {
        /* not yet */
      }
      if (Date.now() > end) throw new Error('timed out');
      await sleep(10);
    }
  }

  function waitForStatus(id: string, status: string): Promise<void> {
    return waitFor(() => JSON.parse(sb.ctrun(['state', id]).stdout).status === status);
  }
});
