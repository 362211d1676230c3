// Root: `cttrace run` killed with SIGKILL at seeded points - during an image unpack, while the
// runtime creates the container, while the container runs - under ctrun, runc and crun; then
// `cttrace cleanup` leaves no mount, cgroup, folder, runtime state or process of those runs;
// and the next `cttrace run` works. Each run has its own CTTRACE_HOME, so the test checks only
// what it made (other runs on this machine are not its business).
import { spawn, spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, readdirSync, readFileSync, rmSync, utimesSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { cliPath, isRoot, waitFor, withTempDirAsync } from './helpers/cli.js';
import { craftTar } from './helpers/image-fixtures.js';

const RUNTIMES = ['ctrun', 'runc', 'crun'] as const;
const PHASES = ['unpack', 'create', 'running'] as const;
type Phase = (typeof PHASES)[number];

/** A docker save archive: busybox with enough files that unpacking it takes a while to catch. */
function crashImage(path: string): void {
  const busybox = readFileSync('/bin/busybox');
  const filler = Buffer.alloc(24 * 1024 * 1024, 7);
  const layer = craftTar([
    { path: 'bin/', type: 'Directory' },
    { path: 'bin/busybox', data: busybox, mode: 0o755 },
    ...['sh', 'sleep', 'echo', 'true'].map((name) => ({ path: `bin/${name}`, type: 'SymbolicLink' as const, linkpath: 'busybox' })),
    { path: 'data/', type: 'Directory' },
    { path: 'data/filler', data: filler },
    ...Array.from({ length: 1500 }, (_, i) => ({ path: `data/f${i}`, data: `file ${i}\n` })),
  ]);
  const diffId = `sha256:${createHash('sha256').update(layer).digest('hex')}`;
  const config = JSON.stringify({ architecture: 'amd64', os: 'linux', config: { Cmd: ['sh'], Env: ['PATH=/bin'] }, rootfs: { type: 'layers', diff_ids: [diffId] } });
  const manifest = JSON.stringify([{ Config: 'config.json', RepoTags: ['crash:latest'], Layers: ['layer.tar'] }]);
  writeFileSync(path, craftTar([{ path: 'manifest.json', data: manifest }, { path: 'config.json', data: config }, { path: 'layer.tar', data: layer }]));
}

/** A small seeded generator (mulberry32): the same kill points every run. */
function seeded(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = Math.imul(state ^ (state >>> 15), 1 | state);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** Everything of the runs under `home` (their container ids, the killed cttrace pids) still on the host. */
function leftovers(home: string, ids: readonly string[], pids: readonly number[]): string[] {
  const found: string[] = [];
  const mountinfo = readFileSync('/proc/self/mountinfo', 'utf8');
  for (const line of mountinfo.split('\n')) if (line.includes(home) || ids.some((id) => line.includes(id))) found.push(`mount ${line.split(' ')[4]}`);
  for (const hierarchy of readdirSync('/sys/fs/cgroup')) {
    for (const id of ids) if (existsSync(join('/sys/fs/cgroup', hierarchy, 'cttrace', id))) found.push(`cgroup ${hierarchy}/cttrace/${id}`);
  }
  for (const sub of ['containers', 'tmp']) {
    const dir = join(home, sub);
    if (existsSync(dir) && readdirSync(dir).length) found.push(`${dir}: ${readdirSync(dir).join(' ')}`);
  }
  const states = existsSync('/run/cttrace') ? readdirSync('/run/cttrace') : [];
  for (const pid of pids) for (const state of states) if (state.includes(`-${pid}.`)) found.push(`state /run/cttrace/${state}`);
  for (const proc of readdirSync('/proc').filter((name) => /^\d+$/.test(name))) {
    let argv = '';
    try {
      argv = readFileSync(`/proc/${proc}/cmdline`, 'utf8');
    } catch {
      continue;
    }
    if (Number(proc) !== process.pid && (argv.includes(home) || ids.some((id) => argv.includes(id)))) found.push(`process ${proc}: ${argv.split('\0').join(' ')}`);
  }
  return found;
}

describe.skipIf(!isRoot)('a cttrace run killed with SIGKILL (root)', () => {
  it('leaves nothing once `cttrace cleanup` ran, at ten seeded points, and the next run works', async () => {
    await withTempDirAsync(async (dir) => {
      const image = join(dir, 'crash.tar');
      crashImage(image);
      const home = join(dir, 'home');
      mkdirSync(home);
      const env = { ...process.env, CTTRACE_HOME: home };
      const random = seeded(14);
      const ids: string[] = [];
      const pids: number[] = [];
      const outcomes: string[] = [];
      for (let point = 0; point < 10; point++) {
        const phase: Phase = PHASES[point % PHASES.length]!;
        const runtime = RUNTIMES[Math.floor(point / PHASES.length) % RUNTIMES.length]!;
        if (phase === 'unpack') spawnSync('rm', ['-rf', join(home, 'layers')]);
        const child = spawn(process.execPath, [cliPath, 'run', '--runtime', runtime, '-o', join(dir, `${point}.cttrace`), '--', image, 'sh', '-c', 'sleep 30'], {
          env,
          stdio: ['ignore', 'ignore', 'pipe'],
        });
        let stderr = '';
        child.stderr!.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
        const exited = new Promise<void>((resolve) => child.on('exit', () => resolve()));
        // the moment of the phase, then a seeded delay within it
        const reached: Record<Phase, () => true | undefined> = {
          unpack: () => (existsSync(join(home, 'tmp')) && readdirSync(join(home, 'tmp')).some((name) => name.includes('-layer-')) ? true : undefined),
          create: () => (/clone3?\(|mkdir\("\/sys\/fs\/cgroup/.test(stderr) ? true : undefined),
          running: () => (/execve\("\/bin\/sleep"|PR_SET_NAME, "sleep"/.test(stderr) ? true : undefined),
        };
        try {
          await waitFor(reached[phase], `${runtime} to reach ${phase}`, 30_000);
        } catch (error) {
          child.kill('SIGKILL');
          await exited;
          throw new Error(`${String(error)}; its stderr: ${stderr}`);
        }
        await sleep(Math.floor(random() * (phase === 'running' ? 200 : 15)));
        child.kill('SIGKILL');
        await exited;
        pids.push(child.pid!);
        const made = existsSync(join(home, 'containers')) ? readdirSync(join(home, 'containers')) : [];
        ids.push(...made);
        outcomes.push(`${point}: ${runtime} killed in ${phase}, left ${made.length} container(s)`);
        const cleanup = spawnSync(process.execPath, [cliPath, 'cleanup'], { env, encoding: 'utf8', timeout: 60_000 });
        expect(cleanup.status, cleanup.stderr).toBe(0);
        expect(cleanup.stderr.trim().split('\n')).toHaveLength(1);
        if (made.length) expect(cleanup.stderr).toMatch(new RegExp(`^cttrace: removed what crashed runs left behind: 1 container \\(${made[0]}`));
        expect(leftovers(home, ids, pids), outcomes.join('\n')).toEqual([]);
      }
      // the kills hit what they aimed at: containers were left to remove (create, running)
      expect(ids.length, outcomes.join('\n')).toBeGreaterThanOrEqual(6);
      const next = spawnSync(process.execPath, [cliPath, 'run', '-q', '-o', join(dir, 'next.cttrace'), '--', image, 'sh', '-c', 'echo ok'], { env, encoding: 'utf8', timeout: 60_000 });
      expect(next.status, next.stderr).toBe(0);
      expect(next.stdout).toBe('ok\n');
      expect(leftovers(home, ids, pids)).toEqual([]);
    });
  }, 240_000);
});

describe.skipIf(!isRoot)('what older versions left without an owner (root)', () => {
  it('a state folder with no owner in its name goes only when old and named by no running process', async () => {
    const { sweepOrphans } = await import('../runtime/bundle/crash-sweep.js');
    await withTempDirAsync(async (dir) => {
      const home = join(dir, 'home');
      mkdirSync('/run/cttrace', { recursive: true, mode: 0o700 });
      const suffix = Math.random().toString(36).slice(2, 8).padEnd(6, 'x');
      const young = `/run/cttrace/ctrun-${suffix}`;
      const old = `/run/cttrace/runc-${suffix}`;
      const used = `/run/cttrace/crun-${suffix}`;
      for (const path of [young, old, used]) mkdirSync(path);
      // what runc 1.1 leaves when killed midway: a bind mount of its binary in its state folder
      const binary = join(old, 'deadbeef', 'runc.copy');
      mkdirSync(dirname(binary));
      writeFileSync(binary, '');
      expect(spawnSync('mount', ['--bind', '-o', 'ro', '/bin/true', binary]).status).toBe(0);
      const hourAgo = new Date(Date.now() - 3600_000);
      utimesSync(old, hourAgo, hourAgo);
      utimesSync(used, hourAgo, hourAgo);
      // a runtime still working on it: named as its --root
      const runtime = spawn(process.execPath, ['-e', 'setTimeout(() => {}, 30000)', '--', '--root', used], { stdio: 'ignore' });
      try {
        await waitFor(() => (readFileSync(`/proc/${runtime.pid}/cmdline`, 'utf8').includes(used) ? true : undefined), 'the stand-in runtime');
        const report = sweepOrphans(home);
        expect(report.states).toContain(old);
        expect(existsSync(old)).toBe(false);
        expect(readFileSync('/proc/self/mountinfo', 'utf8')).not.toContain(old);
        expect(existsSync(young)).toBe(true);
        expect(existsSync(used)).toBe(true);
      } finally {
        runtime.kill('SIGKILL');
        spawnSync('umount', ['-l', binary]);
        for (const path of [young, old, used]) rmSync(path, { recursive: true, force: true });
      }
    });
  });
});
