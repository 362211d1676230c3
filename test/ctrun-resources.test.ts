// ctrun's cgroup resources after create: `update` (runc's options and -r JSON), `events`
// (--stats and the stream with OOM events) and blockIO's per-device throttles, each against
// runc on the same bundle: the same update arguments must leave the same values in the
// cgroup files, on whichever cgroup kind the host has (v1 files on a v1 or hybrid host, the
// unified ones on v2). The containers get an absolute cgroupsPath, so on v2 their leaf sits
// under the root, whose subtree_control takes controllers whatever processes it holds.
import { spawn, spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { describe, expect, it } from 'vitest';

import { cgroupV2, cgroupValue, ctrunPath, isHybridCgroupHost, leafOf, runcSpec, sandboxForSuite, skipReason, sleep, V2_VIEW, type OciConfig } from './helpers/ctrun-bundle.js';

const reason = skipReason() ?? (spawnSync('runc', ['--version']).status === 0 ? null : 'runc is not installed (apt-get install runc)');
if (reason) console.log(`ctrun resources tests skipped: ${reason}`);

const RUNTIMES = { ctrun: ctrunPath, runc: 'runc' } as const;
type Runtime = keyof typeof RUNTIMES;

/** The files an update writes, as [v1 controller, file]: the v1 names or the unified ones. */
function updatedFiles(): [string, string][] {
  if (cgroupV2())
    return [['memory', 'memory.max'], ['memory', 'memory.swap.max'], ['memory', 'memory.low'], ['cpu', 'cpu.weight'], ['cpu', 'cpu.max'], ['pids', 'pids.max'], ['cpuset', 'cpuset.cpus'], ['cpuset', 'cpuset.mems']];
  return [
    ['memory', 'memory.limit_in_bytes'], ['memory', 'memory.memsw.limit_in_bytes'], ['memory', 'memory.soft_limit_in_bytes'],
    ['cpu', 'cpu.shares'], ['cpu', 'cpu.cfs_quota_us'], ['cpu', 'cpu.cfs_period_us'], ['cpu', 'cpu.rt_period_us'], ['cpu', 'cpu.rt_runtime_us'],
    ['pids', 'pids.max'], ['cpuset', 'cpuset.cpus'], ['cpuset', 'cpuset.mems'],
  ];
}

const snapshot = (id: string) => Object.fromEntries(updatedFiles().map(([c, f]) => [f, cgroupValue(id, c, f)]));

/** Every key path of a JSON value ("memory.usage.limit", "blkio.ioServicedRecursive[].op"). */
function keyPaths(v: unknown, prefix = ''): string[] {
  if (Array.isArray(v)) return [...new Set(v.flatMap((e) => keyPaths(e, `${prefix}[]`)))];
  if (v === null || typeof v !== 'object') return [prefix];
  return Object.entries(v).flatMap(([k, e]) => [`${prefix}${prefix ? '.' : ''}${k}`, ...keyPaths(e, `${prefix}${prefix ? '.' : ''}${k}`)]);
}

/** The keys runc leaves out when their value is 0 or empty (Go's omitempty in runc's types/events.go). */
const OMITTED_WHEN_ZERO =
  /^data\.(cpu\.usage\.(total|percpu|percpu_kernel|percpu_user)|cpu\.throttling\.|cpuset\.(cpus|mems)|memory\.cache$|memory\.\w+\.(usage|max)$|pids\.|blkio\.|hugetlb\.[^.]+\.(usage|max))/;

/** A whole disk this host has (the one under /, or a loop device made for the test): its major:minor. */
function blockDevice(): { major: number; minor: number; release: () => void } {
  const dev = fs.statSync('/').dev;
  let [major, minor] = [Math.floor(dev / 256) & 0xfff, (dev & 0xff) | ((dev >> 12) & 0xfff00)];
  const sys = (m: number, n: number) => `/sys/dev/block/${m}:${n}`;
  if (fs.existsSync(sys(major, minor))) {
    // a partition's throttles go on its disk
    if (fs.existsSync(path.join(sys(major, minor), 'partition'))) {
      [major, minor] = fs.readFileSync(path.join(sys(major, minor), '..', 'dev'), 'utf8').trim().split(':').map(Number) as [number, number];
    }
    return { major, minor, release: () => {} };
  }
  const image = path.join(fs.mkdtempSync('/tmp/ctrun-loop-'), 'disk.img');
  fs.writeFileSync(image, Buffer.alloc(1 << 20));
  const loop = spawnSync('losetup', ['--find', '--show', image], { encoding: 'utf8' });
  if (loop.status !== 0) throw new Error(`losetup: ${loop.stderr}`);
  const device = loop.stdout.trim();
  const rdev = fs.statSync(device).rdev;
  return {
    major: Math.floor(rdev / 256) & 0xfff,
    minor: (rdev & 0xff) | ((rdev >> 12) & 0xfff00),
    release: () => {
      spawnSync('losetup', ['--detach', device]);
      fs.rmSync(path.dirname(image), { recursive: true, force: true });
    },
  };
}

describe.skipIf(reason !== null)('ctrun update, events and blockIO (root, against runc)', () => {
  const suite = sandboxForSuite();
  const { used } = suite;

  const rt = (runtime: Runtime, args: string[], wrapper: readonly string[] = []) => suite.sb.runtime(RUNTIMES[runtime], args, 20_000, wrapper);
  const withInput = (runtime: Runtime, args: string[], input: string, wrapper: readonly string[] = []) => {
    const argv = [...wrapper, RUNTIMES[runtime], '--root', suite.sb.stateRoot, ...args];
    const r = spawnSync(argv[0]!, argv.slice(1), { input, encoding: 'utf8', timeout: 20_000 });
    return { status: r.status, stdout: r.stdout, stderr: r.stderr };
  };

  /** The same bundle started detached by both runtimes (ids differ, the config does not). */
  function startBoth(args: string[], edit?: (c: OciConfig) => void, wrapper: readonly string[] = []): Record<Runtime, string> {
    const ids = {} as Record<Runtime, string>;
    for (const runtime of Object.keys(RUNTIMES) as Runtime[]) {
      const id = suite.sb.newId();
      used.push(id);
      const config = runcSpec(suite.sb.rootfs, args);
      config.linux.cgroupsPath = `/${id}`;
      edit?.(config);
      const r = rt(runtime, ['run', '-d', '--bundle', suite.sb.bundle(id, config), id], wrapper);
      expect(r.status, `${runtime}: ${r.stderr}`).toBe(0);
      ids[runtime] = id;
    }
    return ids;
  }

  const removeBoth = (ids: Record<Runtime, string>, wrapper: readonly string[] = []) => {
    for (const runtime of Object.keys(RUNTIMES) as Runtime[]) rt(runtime, ['delete', '--force', ids[runtime]], wrapper);
  };

  /** `events --stats` of both runtimes, parsed. */
  function statsOfBoth(ids: Record<Runtime, string>, wrapper: readonly string[] = []): Record<Runtime, any> {
    return Object.fromEntries(
      (Object.keys(RUNTIMES) as Runtime[]).map((runtime) => {
        const r = rt(runtime, ['events', '--stats', ids[runtime]], wrapper);
        expect(r.status, `${runtime}: ${r.stderr}`).toBe(0);
        expect(r.stdout.endsWith('}\n') && r.stdout.split('\n').length, 'one JSON line').toBe(2);
        return [runtime, JSON.parse(r.stdout)];
      }),
    ) as Record<Runtime, any>;
  }

  /** The stats' keys match runc's: the same ones runc always prints, and the others only where runc
   *  prints them when not zero. */
  function expectRuncKeys(stats: Record<Runtime, any>) {
    const always = (runtime: Runtime) => keyPaths(stats[runtime]).filter((k) => !OMITTED_WHEN_ZERO.test(k)).sort();
    expect(always('ctrun')).toEqual(always('runc'));
    expect(keyPaths(stats.ctrun).filter((k) => !always('runc').includes(k)).every((k) => OMITTED_WHEN_ZERO.test(k))).toBe(true);
  }

  it('create: memory, cpu, cpuset and pids resources in the files runc writes', () => {
    const ids = startBoth(['sleep', '300'], (c) => {
      const v1Swap = fs.existsSync('/sys/fs/cgroup/memory/memory.memsw.limit_in_bytes') ? { swap: 150 * 2 ** 20 } : {};
      c.linux.resources.memory = { limit: 100 * 2 ** 20, reservation: 50 * 2 ** 20, ...(cgroupV2() ? {} : { swappiness: 30, disableOOMKiller: true, ...v1Swap }) };
      c.linux.resources.cpu = { shares: 512, quota: 20000, period: 50000, cpus: '0', mems: '0', ...(cgroupV2() ? {} : { realtimeRuntime: 1000, realtimePeriod: 100000 }) };
      c.linux.resources.pids = { limit: 33 };
    });
    try {
      const extra: [string, string][] = cgroupV2() ? [] : [['memory', 'memory.swappiness'], ['memory', 'memory.oom_control']];
      const read = (id: string) => ({ ...snapshot(id), ...Object.fromEntries(extra.map(([c, f]) => [f, cgroupValue(id, c, f).split('\n')[0]])) });
      const ctrun = read(ids.ctrun);
      expect(ctrun).toEqual(read(ids.runc));
      expect(ctrun['pids.max']).toBe('33');
      if (!cgroupV2()) expect([ctrun['memory.swappiness'], ctrun['memory.oom_control'], ctrun['cpu.rt_runtime_us']]).toEqual(['30', 'oom_kill_disable 1', '1000']);
    } finally {
      removeBoth(ids);
    }
  });

  it('a nested cgroupsPath: the new parents get cpus and mems from theirs (v1 cpuset), and go with the container', () => {
    const r = suite.sb.run(['sh', '-c', 'grep -E "cpuset|^0::" /proc/self/cgroup | head -1'], (c) => {
      c.linux.cgroupsPath = `/ctrun-nested-${process.pid}/inner`;
      c.linux.namespaces = c.linux.namespaces.filter((n: { type: string }) => n.type !== 'cgroup');
    });
    used.push(r.id, `ctrun-nested-${process.pid}`);
    expect(r.stderr).toBe('');
    expect(r.stdout).toMatch(new RegExp(`:/ctrun-nested-${process.pid}/inner\n$`));
  });

  it("update with runc's options, then with -r FILE and -r - (as containerd's shim pipes it), leaves the files runc leaves", () => {
    const ids = startBoth(['sleep', '300'], (c) => {
      c.linux.resources.memory = { limit: 200 * 2 ** 20 };
    });
    try {
      const swapFile = cgroupV2() ? 'memory.swap.max' : 'memory.memsw.limit_in_bytes';
      const swap = fs.existsSync(path.join(leafOf(ids.ctrun, 'memory'), swapFile)) ? ['--memory-swap', '150M'] : [];
      const realtime = cgroupV2() ? [] : ['--cpu-rt-period', '100000', '--cpu-rt-runtime', '1000'];
      const options = ['--memory', '100M', ...swap, '--memory-reservation', '50m', '--cpu-share', '512', '--cpu-quota', '30000', '--cpu-period', '60000', '--pids-limit', '42', '--cpuset-cpus', '0', '--cpuset-mems', '0', ...realtime];
      for (const runtime of Object.keys(RUNTIMES) as Runtime[]) {
        const r = rt(runtime, ['update', ...options, ids[runtime]]);
        expect(r.status, `${runtime}: ${r.stderr}`).toBe(0);
      }
      const after = snapshot(ids.ctrun);
      expect(after).toEqual(snapshot(ids.runc));
      expect(after[cgroupV2() ? 'memory.max' : 'memory.limit_in_bytes']).toBe(String(100 * 2 ** 20));
      expect(after['pids.max']).toBe('42');
      expect(after['cpuset.cpus']).toBe('0');
      if (cgroupV2()) expect(after['cpu.max']).toBe('30000 60000');
      else expect([after['cpu.cfs_quota_us'], after['cpu.cfs_period_us'], after['cpu.shares']]).toEqual(['30000', '60000', '512']);

      // A memory limit above the current memory+swap: memory+swap must be written first.
      const resources = { memory: { limit: 300 * 2 ** 20, ...(swap.length ? { swap: 400 * 2 ** 20 } : {}) }, cpu: { shares: 1024, quota: 0, period: 0, cpus: '', mems: '' }, pids: { limit: 0 } };
      const file = path.join(suite.sb.dir, 'resources.json');
      fs.writeFileSync(file, JSON.stringify(resources));
      expect(rt('ctrun', ['update', '-r', file, ids.ctrun]).stderr).toBe('');
      expect(withInput('runc', ['update', '-r', '-', ids.runc], JSON.stringify(resources)).status).toBe(0);
      expect(snapshot(ids.ctrun)).toEqual(snapshot(ids.runc));
      expect(snapshot(ids.ctrun)[cgroupV2() ? 'memory.max' : 'memory.limit_in_bytes']).toBe(String(300 * 2 ** 20));
      expect(snapshot(ids.ctrun)['pids.max'], 'a 0 in -r leaves the file alone').toBe('42');

      if (!cgroupV2()) {
        // a realtime period below the runtime in force: written again after the new runtime, as
        // runc does since 1.2 (1.1 fails with EINVAL and leaves the period unchanged)
        for (const step of [['--cpu-rt-runtime', '20000'], ['--cpu-rt-period', '10000', '--cpu-rt-runtime', '2000']])
          expect(rt('ctrun', ['update', ...step, ids.ctrun]).stderr, step.join(' ')).toBe('');
        expect([snapshot(ids.ctrun)['cpu.rt_period_us'], snapshot(ids.ctrun)['cpu.rt_runtime_us']]).toEqual(['10000', '2000']);
        expect(rt('ctrun', ['update', '--cpu-rt-period', '100000', '--cpu-rt-runtime', '1000', ids.ctrun]).stderr).toBe('');
      }

      // From stdin, and a new period alone keeps the quota in force.
      expect(withInput('ctrun', ['update', '-r', '-', ids.ctrun], '{"cpu":{"period":80000}}').stderr).toBe('');
      expect(rt('runc', ['update', '--cpu-period', '80000', ids.runc]).status).toBe(0);
      expect(snapshot(ids.ctrun)).toEqual(snapshot(ids.runc));
    } finally {
      removeBoth(ids);
    }
  });

  // crun refuses a hybrid host: it runs where the cgroup2 mount is hidden (v1 alone), as cttrace runs it
  const crunView = () => (isHybridCgroupHost() ? ['unshare', '-m', 'sh', '-c', 'umount /sys/fs/cgroup/unified && exec "$@"', 'sh'] : []);
  it.runIf(spawnSync('crun', ['--version']).status === 0)('update with the same options leaves the files crun 1.8 leaves (sizes in bytes: crun takes no units)', () => {
    const ids = { ctrun: suite.sb.newId(), crun: suite.sb.newId() };
    used.push(ids.ctrun, ids.crun);
    const realtime = cgroupV2() ? [] : ['--cpu-rt-period', '100000', '--cpu-rt-runtime', '1000'];
    const binaries = { ctrun: ctrunPath, crun: 'crun' };
    const wrapper = (runtime: 'ctrun' | 'crun') => (runtime === 'crun' ? crunView() : []);
    try {
      for (const runtime of ['ctrun', 'crun'] as const) {
        const config = runcSpec(suite.sb.rootfs, ['sleep', '300']);
        config.linux.cgroupsPath = `/${ids[runtime]}`;
        config.linux.resources.memory = { limit: 200 * 2 ** 20 };
        const started = suite.sb.runtime(binaries[runtime], ['run', '-d', '--bundle', suite.sb.bundle(ids[runtime], config), ids[runtime]], 20_000, wrapper(runtime));
        expect(started.status, `${runtime}: ${started.stderr}`).toBe(0);
      }
      const swapFile = cgroupV2() ? 'memory.swap.max' : 'memory.memsw.limit_in_bytes';
      const swap = fs.existsSync(path.join(leafOf(ids.ctrun, 'memory'), swapFile)) ? ['--memory-swap', String(150 * 2 ** 20)] : [];
      const options = ['--memory', String(100 * 2 ** 20), ...swap, '--memory-reservation', String(50 * 2 ** 20), '--cpu-share', '512', '--cpu-quota', '30000', '--cpu-period', '60000', '--pids-limit', '42', '--cpuset-cpus', '0', '--cpuset-mems', '0', ...realtime];
      for (const runtime of ['ctrun', 'crun'] as const) {
        const r = suite.sb.runtime(binaries[runtime], ['update', ...options, ids[runtime]], 20_000, wrapper(runtime));
        expect(r.status, `${runtime}: ${r.stderr}`).toBe(0);
      }
      expect(snapshot(ids.ctrun)).toEqual(snapshot(ids.crun));
      expect(snapshot(ids.ctrun)['pids.max']).toBe('42');
    } finally {
      rt('ctrun', ['delete', '--force', ids.ctrun]);
      suite.sb.runtime('crun', ['delete', '--force', ids.crun], 20_000, crunView());
    }
  });

  it('update: bad values, Intel RDT, a stopped container and kernel memory, each in one line', () => {
    const ids = startBoth(['sleep', '300']);
    try {
      const bad = rt('ctrun', ['update', '--memory', '12X', ids.ctrun]);
      expect(bad.status).toBe(1);
      expect(bad.stderr).toBe('ctrun: update --memory `12X`: not a size (bytes, or a number with k, m, g, t or p; -1 for no limit)\n');
      expect(rt('runc', ['update', '--memory', '12X', ids.runc]).status).not.toBe(0);
      // docker's units (binary multiples, any case, an optional i and b); nothing strtod alone would take
      for (const [size, bytes] of [['1.5g', 1610612736], ['96MiB', 100663296], ['200 mb', 209715200], ['300000000', 300000000]] as const) {
        expect(rt('ctrun', ['update', '--memory', size, ids.ctrun]).stderr, size).toBe('');
        expect(cgroupValue(ids.ctrun, 'memory', cgroupV2() ? 'memory.max' : 'memory.limit_in_bytes'), size).toBe(String(Math.floor(bytes / 4096) * 4096)); // kept in pages
      }
      for (const size of ['0x10', '1e6', '-5', '', '5 k b']) expect(rt('ctrun', ['update', '--memory', size, ids.ctrun]).status, size).toBe(1);
      expect(rt('ctrun', ['update', '--cpu-quota', 'lots', ids.ctrun]).stderr).toBe('ctrun: update --cpu-quota `lots`: not an integer\n');
      expect(rt('ctrun', ['update', '--l3-cache-schema', 'L3:0=f', ids.ctrun]).stderr).toBe(
        'ctrun: update --l3-cache-schema: Intel RDT is not supported by ctrun (use runc on a host with resctrl)\n',
      );
      const typed = withInput('ctrun', ['update', '-r', '-', ids.ctrun], '{"memory":{"limit":"lots"}}');
      expect(typed.stderr).toBe(`ctrun: update \`${ids.ctrun}\`: update --resources: linux.resources.memory.limit must be an integer\n`);
      const notJson = withInput('ctrun', ['update', '-r', '-', ids.ctrun], 'memory=1');
      expect(notJson.stderr).toMatch(/^ctrun: update --resources `-`: .+\n$/);
      // runc 1.1 accepts kernel memory and warns that it is ignored: so does ctrun
      const kernel = rt('ctrun', ['update', '--kernel-memory', '10M', ids.ctrun]);
      expect(kernel.status).toBe(0);
      expect(kernel.stderr).toMatch(/kernel memory settings are ignored/);
      expect(rt('ctrun', ['update', '--memory', '1M', 'no-such-container']).stderr).toBe('ctrun: container `no-such-container` does not exist\n');
      // a limit below what the container uses: v1's kernel refuses it; on v2 checkBeforeUpdate does
      if (cgroupV2()) {
        const below = withInput('ctrun', ['update', '-r', '-', ids.ctrun], JSON.stringify({ memory: { limit: 4096, checkBeforeUpdate: true } }));
        expect(below.stderr).toMatch(/^ctrun: update `[^`]+`: memory limit 4096 is below the container's usage \d+ \(linux.resources.memory.checkBeforeUpdate\)\n$/);
      } else {
        expect(rt('ctrun', ['update', '--memory', '4096', ids.ctrun]).stderr).toMatch(/^ctrun: update `[^`]+`: memory limit 4096 is below the container's usage \d+: .+: Device or resource busy\n$/);
        expect(rt('runc', ['update', '--memory', '4096', ids.runc]).status).not.toBe(0);
      }
      for (const runtime of Object.keys(RUNTIMES) as Runtime[]) {
        rt(runtime, ['kill', ids[runtime], 'KILL']);
        for (let i = 0; i < 200 && JSON.parse(rt(runtime, ['state', ids[runtime]]).stdout).status !== 'stopped'; i++) spawnSync('sleep', ['0.01']);
      }
      expect(rt('ctrun', ['update', '--pids-limit', '5', ids.ctrun]).stderr).toBe(`ctrun: container \`${ids.ctrun}\` is stopped: there is nothing to update\n`);
      expect(rt('runc', ['update', '--pids-limit', '5', ids.runc]).status, 'runc: container not running').not.toBe(0);
    } finally {
      removeBoth(ids);
    }
  });

  it("events --stats prints runc's JSON: the same keys, the memory.stat of the container", async () => {
    const ids = startBoth(['sh', '-c', 'i=0; while [ $i -lt 2000 ]; do i=$((i+1)); done; sleep 300'], (c) => {
      c.linux.resources.memory = { limit: 100 * 2 ** 20 };
      c.linux.resources.pids = { limit: 64 };
    });
    try {
      await sleep(300);
      const stats = statsOfBoth(ids);
      expect(stats.ctrun.type).toBe('stats');
      expect(stats.ctrun.id).toBe(ids.ctrun);
      expectRuncKeys(stats);
      expect(stats.ctrun.data.memory.usage.limit).toBe(100 * 2 ** 20);
      expect(stats.ctrun.data.pids).toEqual({ current: 1, limit: 64 }); // sh execs its last command
      expect(stats.ctrun.data.cpu.usage.total).toBeGreaterThan(0);
      const stopped = rt('ctrun', ['events', '--stats', 'no-such-container']);
      expect(stopped.stderr).toBe('ctrun: container `no-such-container` does not exist\n');
      expect(rt('ctrun', ['events', '--interval', '0s', ids.ctrun]).stderr).toBe(
        'ctrun: invalid --interval `0s`: a duration greater than 0, such as 5s or 250ms (see ctrun --help)\n',
      );
    } finally {
      removeBoth(ids);
    }
  });

  it('events streams stats every --interval and an oom event when the OOM killer strikes, as runc; it ends with the container', async () => {
    const swapless = cgroupV2() ? { limit: 32 * 2 ** 20, swap: 32 * 2 ** 20 } : { limit: 32 * 2 ** 20 };
    // dd's 64 MiB buffer cannot fit: the kernel kills dd, the shell lives on
    const ids = startBoth(['sh', '-c', 'sleep 1; dd if=/dev/zero of=/dev/null bs=64M count=1; sleep 300'], (c) => {
      c.linux.resources.memory = swapless;
    });
    try {
      const streams = (Object.keys(RUNTIMES) as Runtime[]).map((runtime) => {
        const child = spawn(RUNTIMES[runtime], ['--root', suite.sb.stateRoot, 'events', '--interval', '250ms', ids[runtime]], { stdio: ['ignore', 'pipe', 'pipe'] });
        let out = '';
        child.stdout!.on('data', (chunk: Buffer) => (out += chunk.toString()));
        const exited = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)));
        return { runtime, child, exited, lines: () => out.split('\n').filter(Boolean).map((l) => JSON.parse(l)) };
      });
      const seen = (s: (typeof streams)[number]) => s.lines().some((e) => e.type === 'oom') && s.lines().filter((e) => e.type === 'stats').length >= 2;
      for (let i = 0; i < 200 && !streams.every(seen); i++) await sleep(50);
      for (const s of streams) {
        const events = s.lines();
        expect(events.find((e) => e.type === 'oom'), s.runtime).toEqual({ type: 'oom', id: ids[s.runtime] });
        expect(events.filter((e) => e.type === 'stats').length, s.runtime).toBeGreaterThanOrEqual(2);
      }
      rt('ctrun', ['kill', ids.ctrun, 'KILL']);
      const code = await Promise.race([streams[0]!.exited, sleep(5000).then(() => 'still running')]);
      expect(code, 'ctrun events ends when the container stops').toBe(0);
      streams[1]!.child.kill();
      await streams[1]!.exited;
    } finally {
      removeBoth(ids);
    }
  });

  it("blockIO throttles per device in the files runc writes (blkio.throttle.* on v1, io.max on v2); weights where the scheduler has them", () => {
    const disk = blockDevice();
    try {
      const { major, minor } = disk;
      const ids = startBoth(['sleep', '300'], (c) => {
        c.linux.resources.blockIO = {
          throttleReadBpsDevice: [{ major, minor, rate: 1048576 }],
          throttleWriteBpsDevice: [{ major, minor, rate: 2097152 }],
          throttleReadIOPSDevice: [{ major, minor, rate: 100 }],
          throttleWriteIOPSDevice: [{ major, minor, rate: 200 }],
        };
      });
      try {
        const files = cgroupV2()
          ? [['cpu', 'io.max']]
          : ['read_bps_device', 'write_bps_device', 'read_iops_device', 'write_iops_device'].map((f) => ['blkio', `blkio.throttle.${f}`]);
        const values = (id: string) => files.map(([c, f]) => cgroupValue(id, c!, f!));
        expect(values(ids.ctrun)).toEqual(values(ids.runc));
        expect(values(ids.ctrun)).toEqual(
          cgroupV2() ? [`${major}:${minor} rbps=1048576 wbps=2097152 riops=100 wiops=200`] : [1048576, 2097152, 100, 200].map((r) => `${major}:${minor} ${r}`),
        );

        // weights: only with CFQ (blkio.weight) or BFQ (*.bfq.weight); without, both runtimes fail
        const weightFiles = cgroupV2() ? ['io.bfq.weight'] : ['blkio.weight', 'blkio.bfq.weight'];
        const hasWeights = weightFiles.some((f) => fs.existsSync(path.join(leafOf(ids.ctrun, 'blkio'), f)));
        const ctrun = rt('ctrun', ['update', '--blkio-weight', '300', ids.ctrun]);
        const runc = rt('runc', ['update', '--blkio-weight', '300', ids.runc]);
        if (hasWeights) {
          expect(ctrun.stderr).toBe('');
          expect(weightFiles.map((f) => cgroupValue(ids.ctrun, 'blkio', f))).toEqual(weightFiles.map((f) => cgroupValue(ids.runc, 'blkio', f)));
        } else {
          expect(runc.status).not.toBe(0);
          expect(ctrun.status).toBe(1);
          expect(ctrun.stderr).toMatch(/^ctrun: update `[^`]+`: linux.resources.blockIO weights need the CFQ or BFQ I\/O scheduler: .+\n$/);
        }
      } finally {
        removeBoth(ids);
      }
      const bad = suite.sb.run(['true'], (c) => {
        c.linux.resources.blockIO = { throttleReadBpsDevice: [{ major, rate: 1 }] };
      });
      used.push(bad.id);
      expect(bad.stderr).toBe('ctrun: config.json: linux.resources.blockIO.throttleReadBpsDevice[0] needs major and minor\n');
    } finally {
      disk.release();
    }
  });

  it.runIf(isHybridCgroupHost())('as on a v2 host (the unified hierarchy alone): hugepage limits, the unified map and events --stats as runc; a controller v2 lacks is named', () => {
    const available = fs.readFileSync('/sys/fs/cgroup/unified/cgroup.controllers', 'utf8').trim().split(' ');
    const hugetlb = available.includes('hugetlb') && fs.existsSync('/sys/kernel/mm/hugepages/hugepages-2048kB');
    const ids = startBoth(['sleep', '300'], (c) => {
      if (!hugetlb) return;
      c.linux.resources.hugepageLimits = [{ pageSize: '2MB', limit: 4 * 2 ** 20 }];
      c.linux.resources.unified = { 'hugetlb.2MB.rsvd.max': String(6 * 2 ** 20) }; // the unified map: any v2 file
    }, V2_VIEW);
    try {
      if (hugetlb) {
        const limits = (id: string) => ['max', 'rsvd.max'].map((f) => fs.readFileSync(`/sys/fs/cgroup/unified/${id}/hugetlb.2MB.${f}`, 'utf8').trim());
        expect(limits(ids.ctrun)).toEqual(limits(ids.runc));
        expect(limits(ids.ctrun)).toEqual([String(4 * 2 ** 20), String(6 * 2 ** 20)]);
        const update = JSON.stringify({ unified: { 'hugetlb.2MB.max': String(2 * 2 ** 20) } });
        for (const runtime of Object.keys(RUNTIMES) as Runtime[]) expect(withInput(runtime, ['update', '-r', '-', ids[runtime]], update, V2_VIEW).status).toBe(0);
        expect(limits(ids.ctrun)).toEqual(limits(ids.runc));
        expect(limits(ids.ctrun)[0]).toBe(String(2 * 2 ** 20));
      }
      const stats = statsOfBoth(ids, V2_VIEW);
      expectRuncKeys(stats);
      expect(stats.ctrun.data.pids).toEqual({ current: 1 }); // no pids controller: cgroup.procs counted, as runc
      if (!available.includes('memory')) {
        const r = rt('ctrun', ['update', '--memory', '10M', ids.ctrun], V2_VIEW);
        expect(r.stderr).toBe(`ctrun: update \`${ids.ctrun}\`: the cgroup v2 controller \`memory\` is not available in \`/sys/fs/cgroup\` (cgroup.controllers: \`${available.join(' ')}\`)\n`);
      }
    } finally {
      removeBoth(ids, V2_VIEW);
    }
  });
});
