// Root + docker.io: a private dockerd with ctrun registered (`--add-runtime ctrun=...`) drives it
// through containerd-shim-runc-v2 with runc's command line: run, exit codes, a tty, exec, stop,
// kill, pause, docker's default seccomp profile (checked against the data cttrace run uses) and
// unconfined; nothing left mounted or in cgroups.
import { spawn } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { hostSeccompTarget, resolveSeccompProfile, DOCKER_DEFAULT_PROFILE_PATH, type OciSeccomp } from '../runtime/bundle/seccomp.js';
import { readTraceFile } from '../tracer/trace/file-reader.js';
import type { SyscallRecord } from '../tracer/trace/records.js';
import { buildCtrun, cgroupDirsNamed, cgroupV2, cgroupValue, ctrunPath, sleep } from './helpers/ctrun-bundle.js';
import { cliPath } from './helpers/cli.js';
import { dockerdSkipReason, startDockerd, type PrivateDockerd } from './helpers/dockerd.js';

const reason = dockerdSkipReason();
if (reason) console.warn(`docker-ctrun: skipped, ${reason}`);

const IMAGE = 'cttrace-busybox:ctrun';

/** The config.json containerd keeps for a task: the one the runtime was given. */
function taskConfig(d: PrivateDockerd, id: string): { process: { capabilities: { bounding: string[] } }; linux: { seccomp?: OciSeccomp } } {
  const dir = join(d.execRoot, 'containerd', 'daemon', 'io.containerd.runtime.v2.task', 'moby', id);
  return JSON.parse(readFileSync(join(dir, 'config.json'), 'utf8'));
}

/** ctrun's state directory of a container (under the --root the shim gives it), seen through
 *  dockerd's mount namespace, where containerd's /run/containerd is. */
function runtimeStateDir(d: PrivateDockerd, id: string): string | undefined {
  const roots = [join(`/proc/${d.pid}/root/run/containerd/runc/moby`), join(d.execRoot, 'runtime-runc', 'moby'), join(d.execRoot, 'runtime-ctrun', 'moby')];
  return roots.map((root) => join(root, id)).find((dir) => existsSync(join(dir, 'state.json')));
}

/** A rule set as comparable data: names sorted within a rule, rules sorted. */
const ruleSet = (s: OciSeccomp) => s.syscalls!.map((r) => JSON.stringify({ ...r, names: [...r.names].sort() })).sort();

describe.skipIf(reason !== null)('docker run --runtime ctrun (root, a private dockerd)', () => {
  let d: PrivateDockerd;

  beforeAll(async () => {
    buildCtrun();
    d = await startDockerd([`--add-runtime=ctrun=${ctrunPath}`]);
    d.importBusybox(IMAGE);
  }, 90_000);

  afterAll(async () => {
    await d?.stop();
  }, 60_000);

  const run = (...args: string[]) => d.docker('run', '--runtime', 'ctrun', '--network', 'none', ...args);

  it('prints the output and relays the exit code, with no leftovers', () => {
    const r = run('--name', 'exit-code', IMAGE, 'sh', '-c', 'echo hello from ctrun; exit 3');
    expect(r.stderr).toBe('');
    expect(r.stdout).toBe('hello from ctrun\n');
    expect(r.status).toBe(3);
    const id = d.docker('inspect', '-f', '{{.Id}}', 'exit-code').stdout.trim();
    expect(d.docker('rm', 'exit-code').status).toBe(0);
    expect(cgroupDirsNamed(id)).toEqual([]);
    expect(d.mountsContaining(id)).toEqual([]);
  });

  it("gives docker's default seccomp profile, the same rules as cttrace's data, and blocks unshare with EPERM", () => {
    const r = run('-d', '--name', 'seccomp', IMAGE, 'sleep', '60');
    expect(r.status, r.stderr).toBe(0);
    const config = taskConfig(d, r.stdout.trim()); // kept by containerd while the task lives
    const inside = d.docker('exec', 'seccomp', 'sh', '-c', 'grep Seccomp: /proc/self/status; unshare -U true; echo unshare=$?');
    expect(inside.stdout).toBe('Seccomp:\t2\nunshare=1\n');
    expect(inside.stderr).toContain('unshare(0x10000000): Operation not permitted');
    d.docker('rm', '-f', 'seccomp');
    const ours = resolveSeccompProfile(JSON.parse(readFileSync(DOCKER_DEFAULT_PROFILE_PATH, 'utf8')), hostSeccompTarget(config.process.capabilities.bounding));
    const docker = config.linux.seccomp!;
    expect(ours.defaultAction).toBe(docker.defaultAction);
    expect(ours.defaultErrnoRet ?? 1).toBe(docker.defaultErrnoRet ?? 1);
    expect(ours.architectures).toEqual(docker.architectures);
    expect(ruleSet(ours)).toEqual(ruleSet(docker));
  });

  it('--security-opt seccomp=unconfined runs without a filter', () => {
    const r = run('--rm', '--security-opt', 'seccomp=unconfined', IMAGE, 'sh', '-c', 'grep Seccomp: /proc/self/status; unshare -U true; echo unshare=$?');
    expect(r.stdout).toBe('Seccomp:\t0\nunshare=0\n');
  });

  it('-t gets a tty from the console socket', () => {
    const r = run('--rm', '-t', IMAGE, 'sh', '-c', 'tty; test -t 0 && echo stdin-is-a-tty');
    expect(r.stdout).toBe('/dev/pts/0\r\nstdin-is-a-tty\r\n');
  });

  it('exec runs a second process inside; pause, stop and kill work; nothing is left', async () => {
    const started = run('-d', '--name', 'long', IMAGE, 'sh', '-c', 'trap "exit 5" TERM; while true; do sleep 0.1; done');
    expect(started.status, started.stderr).toBe(0);
    const id = started.stdout.trim();
    const exec = d.docker('exec', 'long', 'sh', '-c', 'echo pid=$$; cat /proc/1/cmdline | tr "\\0" " "; exit 4');
    expect(exec.stdout).toMatch(/^pid=\d+\nsh -c trap "exit 5" TERM; while true; do sleep 0\.1; done $/);
    expect(exec.status).toBe(4);
    const state = runtimeStateDir(d, id);
    expect(state, "ctrun's state of the running container").toBeDefined();
    const tty = d.docker('exec', '-t', 'long', 'sh', '-c', 'test -t 1 && echo exec-tty');
    expect(tty.stdout).toBe('exec-tty\r\n');
    const top = d.docker('top', 'long');
    expect(top.stdout).toContain('while true');

    expect(d.docker('pause', 'long').status).toBe(0);
    expect(d.docker('inspect', '-f', '{{.State.Status}}', 'long').stdout.trim()).toBe('paused');
    expect(d.docker('unpause', 'long').status).toBe(0);

    expect(d.docker('stop', '-t', '10', 'long').status).toBe(0);
    expect(d.docker('inspect', '-f', '{{.State.ExitCode}}', 'long').stdout.trim()).toBe('5'); // its TERM trap ran
    d.docker('rm', 'long');

    const killed = run('-d', '--name', 'killed', IMAGE, 'sleep', '60');
    const killedId = killed.stdout.trim();
    expect(d.docker('kill', 'killed').status).toBe(0);
    expect(d.docker('wait', 'killed').stdout.trim()).toBe('137');
    d.docker('rm', 'killed');

    for (const gone of [id, killedId]) {
      expect(cgroupDirsNamed(gone)).toEqual([]);
      expect(d.mountsContaining(gone)).toEqual([]);
    }
    expect(existsSync(state!), "ctrun's state went with the container").toBe(false);
  }, 60_000);

  it("cttrace attach to containerd shows ctrun's stages under the shim, pivot_root and then the seccomp load before the command", async () => {
    const containerd = d.containerdPid();
    expect(containerd).not.toBeNull();
    const output = join(d.work, 'attach.cttrace');
    const tracer = spawn(process.execPath, [cliPath, 'attach', '-q', '--json', '-o', output, String(containerd)], { stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    tracer.stdout!.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
    tracer.stderr!.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
    for (let i = 0; i < 1000 && !(stdout.includes('"type":"process","t":') && stdout.includes(`"pid":${containerd}`)); i++) await sleep(20);
    const r = run('--rm', IMAGE, 'sh', '-c', 'echo traced');
    expect(r.stdout, r.stderr).toBe('traced\n');
    tracer.kill('SIGINT');
    expect(await new Promise<number | null>((resolve) => tracer.on('exit', resolve)), stderr).toBe(0);

    const { records } = await readTraceFile(output);
    const calls = records.filter((rec): rec is SyscallRecord => rec.type === 'syscall');
    const execs = calls.filter((c) => c.name === 'execve' && c.ret === 0);
    expect(execs.some((c) => String(c.args.filename).endsWith('containerd-shim-runc-v2'))).toBe(true);
    expect(execs.some((c) => c.args.filename === ctrunPath && (c.args.argv as string[]).includes('create'))).toBe(true);
    const stages = calls.filter((c) => c.name === 'prctl' && c.args.option === 'PR_SET_NAME').map((c) => c.args.arg2);
    expect(stages).toEqual(expect.arrayContaining(['ctrun:[0:MAIN]', 'ctrun:[1:INIT]']));
    const sh = execs.find((c) => c.args.filename === '/bin/sh');
    expect(sh?.args.argv).toEqual(['sh', '-c', 'echo traced']);
    const init = calls.filter((c) => c.pid === sh!.pid);
    const beforeExec = init.slice(0, init.indexOf(sh!));
    const pivot = beforeExec.findIndex((c) => c.name === 'pivot_root' && c.err === null);
    expect(pivot).toBeGreaterThanOrEqual(0);
    const filter = beforeExec.findIndex((c) => c.name === 'seccomp' && c.args.operation === 'SECCOMP_SET_MODE_FILTER' && c.err === null);
    expect(filter, "docker's profile loaded by the init").toBeGreaterThan(pivot);
    // docker leaves no_new_privs off and drops CAP_SYS_ADMIN: so, as runc, the filter goes in
    // before the capabilities and the uid change, which follow it
    expect(beforeExec.slice(filter + 1).some((c) => c.name === 'capset')).toBe(true);
  }, 60_000);

  it('docker update changes the limits through `ctrun update -r -` (what the shim pipes), in the cgroup files', () => {
    const started = run('-d', '--name', 'updated', '--memory', '64m', '--memory-swap', '128m', IMAGE, 'sleep', '60');
    expect(started.status, started.stderr).toBe(0);
    const id = started.stdout.trim();
    const update = d.docker('update', '--memory', '128m', '--memory-swap', '256m', '--cpus', '1.5', '--cpu-shares', '512', '--pids-limit', '50', 'updated');
    expect(update.stderr).toBe('');
    expect(update.status).toBe(0);
    const files = cgroupV2()
      ? [['memory', 'memory.max'], ['memory', 'memory.swap.max'], ['cpu', 'cpu.max'], ['cpu', 'cpu.weight'], ['pids', 'pids.max']]
      : [['memory', 'memory.limit_in_bytes'], ['memory', 'memory.memsw.limit_in_bytes'], ['cpu', 'cpu.cfs_quota_us'], ['cpu', 'cpu.cfs_period_us'], ['cpu', 'cpu.shares'], ['pids', 'pids.max']];
    const values = files.map(([controller, file]) => cgroupValue(id, controller!, file!));
    // 128 MiB of memory, 256 MiB of memory+swap (v2: 128 MiB of swap), 1.5 cpus = 150000us every 100000us
    expect(values).toEqual(cgroupV2() ? ['134217728', '134217728', '150000 100000', '20', '50'] : ['134217728', '268435456', '150000', '100000', '512', '50']);
    // the shim reads the stats from the cgroups ctrun put the container in (every controller, as runc)
    const stats = d.docker('stats', '--no-stream', '--format', '{{.MemUsage}} {{.PIDs}}', 'updated');
    expect(stats.stdout).toMatch(/^[\d.]+[KMG]?i?B \/ 128MiB 1\n$/);
    expect(d.docker('rm', '-f', 'updated').status).toBe(0);
    expect(cgroupDirsNamed(id)).toEqual([]);
  });

  it('reports a runtime error through the log the shim reads', () => {
    const r = run('--rm', IMAGE, 'no-such-command');
    expect(r.status).not.toBe(0);
    expect(r.stderr).toContain('exec "no-such-command": No such file or directory');
  });
});
