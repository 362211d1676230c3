// Root: the container lab, run by `cttrace run` under the bundled ctrun and the real runc and
// crun: isolation, limits, masking, rootless mapping, the traced story, and a clean host after.
import { spawn, spawnSync } from 'node:child_process';
import { existsSync, readdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { readTraceFile } from '../tracer/trace/file-reader.js';
import type { ProcessRecord, SyscallRecord, TraceRecord } from '../tracer/trace/records.js';
import { cliPath, isRoot, runCli, waitFor, withTempDir, withTempDirAsync } from './helpers/cli.js';
import { withWorldReadableCli } from './helpers/unprivileged.js';

const RUNTIMES = ['ctrun', 'runc', 'crun'] as const;
const have = (runtime: string) => runtime === 'ctrun' || ['/usr/bin', '/usr/sbin'].some((dir) => existsSync(join(dir, runtime)));
for (const runtime of RUNTIMES) if (isRoot && !have(runtime)) console.warn(`run-lab: ${runtime} is not installed; its lab is skipped`);
if (!isRoot) console.warn('run-lab: skipped, needs root (namespaces, cgroups, overlay mounts)');

const NAMESPACES = ['pid', 'mnt', 'uts', 'ipc', 'net', 'cgroup'] as const;

/** The container id and the runtime's state folder (`--root`) of a run, from its trace's header. */
function madeBy(command: readonly string[]): { id: string; stateRoot: string | null } {
  const root = command.indexOf('--root');
  return { id: command.at(-1) ?? '', stateRoot: root >= 0 ? (command[root + 1] ?? null) : null };
}

/** What a container could leave on the host: its overlay, cgroups, bundle folder, runtime state.
 *  Only what this run made: other runs on the machine (and their crashes) are not its business. */
function leftovers({ id, stateRoot }: { id: string; stateRoot: string | null }): string[] {
  const found: string[] = [];
  if (!id) return ['no container id in the trace header'];
  if (readFileSync('/proc/self/mounts', 'utf8').includes(id)) found.push('a mount');
  for (const hierarchy of readdirSync('/sys/fs/cgroup')) {
    const dir = join('/sys/fs/cgroup', hierarchy, 'cttrace', id);
    if (existsSync(dir)) found.push(dir);
  }
  if (existsSync(join('/var/lib/cttrace/containers', id))) found.push('the bundle folder');
  if (stateRoot === null) found.push('no --root in the trace header');
  else if (existsSync(stateRoot)) found.push(`the runtime state ${stateRoot}`);
  return found;
}

/** What runs that made no trace (refused) left: their state folders and containers (which hold
 *  any mount), found by the cttrace pids they were made by. */
function leftoversOfRuns(pids: readonly number[]): string[] {
  const found: string[] = [];
  for (const name of existsSync('/run/cttrace') ? readdirSync('/run/cttrace') : []) {
    if (pids.some((pid) => name.includes(`-${pid}.`))) found.push(`the runtime state /run/cttrace/${name}`);
  }
  const containers = '/var/lib/cttrace/containers';
  for (const id of existsSync(containers) ? readdirSync(containers) : []) {
    let owner: { pid?: number } = {};
    try {
      owner = JSON.parse(readFileSync(join(containers, id, 'owner.json'), 'utf8')) as { pid?: number };
    } catch {
      continue;
    }
    if (pids.includes(owner.pid ?? -1)) found.push(`the container ${id}`);
  }
  return found;
}

async function runInContainer(runtime: string, args: string[], dir: string) {
  const output = join(dir, `${runtime.replaceAll("/", "_")}-${Math.random().toString(36).slice(2)}.cttrace`);
  const result = runCli(['run', '-q', '--runtime', runtime, '-o', output, ...args]);
  const trace = existsSync(output) ? await readTraceFile(output) : null;
  const made = madeBy(trace?.header.command ?? []);
  return { result, trace, id: made.id, leftovers: leftovers(made) };
}

const syscalls = (records: readonly TraceRecord[]) => records.filter((r): r is SyscallRecord => r.type === 'syscall');

for (const runtime of RUNTIMES) {
  describe.skipIf(!isRoot || !have(runtime))(`cttrace run --runtime ${runtime} (root)`, () => {
    it('isolates: PID 1, its own processes, hostname, only lo, new namespaces', async () => {
      await withTempDirAsync(async (dir) => {
        const script = [
          'echo pid=$$',
          'echo $(ps -o pid | tail -n +2)',
          'hostname',
          "tail -n +3 /proc/net/dev | cut -d: -f1 | tr -d ' '",
          ...NAMESPACES.map((kind) => `readlink /proc/1/ns/${kind}`),
        ].join('; ');
        const { result, trace, id, leftovers: left } = await runInContainer(runtime, ['--hostname', 'labhost', '--', 'busybox', 'sh', '-c', script], dir);
        expect(result.status, result.stderr).toBe(0);
        const lines = result.stdout.trim().split('\n');
        expect(lines[0]).toBe('pid=1');
        const pids = lines[1]!.split(' ').map(Number);
        expect(pids[0]).toBe(1);
        expect(Math.max(...pids), 'only the container\'s own few processes').toBeLessThan(10);
        expect(lines[2]).toBe('labhost');
        expect(lines[3]).toBe('lo');
        NAMESPACES.forEach((kind, index) => {
          const inode = Number(/\[(\d+)\]/.exec(lines[4 + index]!)![1]);
          expect(inode, kind).not.toBe(statSync(`/proc/self/ns/${kind}`).ino);
        });
        expect(left, `left behind by ${id}`).toEqual([]);
        expect(trace!.header.runtime).toBe(runtime);
      });
    });

    it('traces the story in order: new namespaces, pivot_root, sethostname, execve by PID 1', async () => {
      await withTempDirAsync(async (dir) => {
        const { result, trace } = await runInContainer(runtime, ['--hostname', 'storyhost', '--', 'busybox', 'true'], dir);
        expect(result.status, result.stderr).toBe(0);
        const records = trace!.records;
        const calls = syscalls(records);
        const namespaceCall = calls.findIndex((r) => {
          const flags = (r.name === 'clone3' ? (r.args.args as { flags?: string[] } | null)?.flags : r.args.flags) as string[] | undefined;
          return (
            ['clone', 'clone3', 'unshare'].includes(r.name) &&
            r.err === null &&
            ['CLONE_NEWPID', 'CLONE_NEWNS', 'CLONE_NEWUTS', 'CLONE_NEWIPC', 'CLONE_NEWNET'].every((flag) => flags?.includes(flag))
          );
        });
        expect(namespaceCall, 'a clone/unshare with the five CLONE_NEW* flags').toBeGreaterThanOrEqual(0);
        const pivot = calls.findIndex((r, index) => index > namespaceCall && r.name === 'pivot_root' && r.err === null);
        expect(pivot, 'pivot_root after it').toBeGreaterThan(namespaceCall);
        const hostname = calls.findIndex((r, index) => index > namespaceCall && r.name === 'sethostname' && r.args.name === 'storyhost');
        expect(hostname, 'sethostname').toBeGreaterThan(namespaceCall);
        const lastProcess = new Map<number, ProcessRecord>();
        let execByInit = -1;
        let callIndex = -1;
        for (const record of records) {
          if (record.type === 'process') lastProcess.set(record.pid, record);
          if (record.type !== 'syscall') continue;
          callIndex++;
          const proc = lastProcess.get(record.pid);
          if (execByInit < 0 && record.name === 'execve' && record.ret === 0 && proc && proc.nspid.length > 1 && proc.nspid.at(-1) === 1 && record.args.filename !== '/proc/self/exe') {
            if (callIndex > pivot) execByInit = callIndex;
          }
        }
        expect(execByInit, 'the execve of the command by in-namespace PID 1, after pivot_root').toBeGreaterThan(pivot);
        expect(hostname).toBeLessThan(execByInit);

        // The default set keeps file calls only for cgroup files: the container joins its cgroup
        // by a write to cgroup.procs (or tasks), and no other open or write is recorded.
        const fileCalls = calls.filter((r) => ['open', 'openat', 'openat2', 'write', 'mkdir', 'mkdirat'].includes(r.name));
        expect(fileCalls.length).toBeGreaterThan(0);
        for (const call of fileCalls) {
          const path = String(call.args.path ?? call.args.pathname ?? '');
          const relativeToCgroupDir = call.args.dirfd !== undefined && call.args.dirfd !== 'AT_FDCWD' && !path.startsWith('/');
          expect(path.startsWith('/sys/fs/cgroup') || relativeToCgroupDir || (call.name === 'write' && call.args.path === undefined), `${call.name} ${path}`).toBe(true);
        }
        const joins = calls.filter((r) => r.name === 'write' && /\/(cgroup\.procs|tasks)$/.test(String(r.args.path)) && r.family === 'cgroups');
        if (runtime !== 'crun') expect(joins.length, 'a write to cgroup.procs').toBeGreaterThan(0);
      });
    });

    it('holds the pids and memory limits, masks and protects /proc', async () => {
      await withTempDirAsync(async (dir) => {
        // busybox sh gives up at the first fork the pids controller refuses
        const forks = await runInContainer(runtime, ['--pids-limit', '8', '--', 'busybox', 'sh', '-c', 'for i in $(seq 1 20); do sleep 2 & done'], dir);
        expect(forks.result.stderr).toMatch(/can't fork/);
        // At the refused fork, the shell and its living children fill the limit.
        const records = forks.trace!.records;
        const shell = records.find((r): r is ProcessRecord => r.type === 'process' && r.comm === 'sh' && r.nspid.at(-1) === 1)!.pid;
        const alive = new Set<number>();
        let tasksAtRefusal = -1;
        for (const record of records) {
          if (record.type === 'exit') alive.delete(record.pid);
          if (record.type !== 'syscall' || record.pid !== shell || !['clone', 'clone3', 'fork', 'vfork'].includes(record.name)) continue;
          if (record.err === 'EAGAIN') {
            tasksAtRefusal = 1 + alive.size;
            break;
          }
          if (record.retPid?.host) alive.add(record.retPid.host);
        }
        // (one more when a child's exit reached the pids controller before it reached the tracer)
        expect(tasksAtRefusal).toBeGreaterThanOrEqual(8);
        expect(tasksAtRefusal).toBeLessThanOrEqual(9);
        expect(forks.leftovers).toEqual([]);

        // tmpfs pages are charged to the writer's memory cgroup: dd meets the OOM killer at 32 MiB
        const memory = await runInContainer(runtime, ['--memory', '32m', '--', 'busybox', 'sh', '-c', 'dd if=/dev/zero of=/dev/shm/fill bs=1M count=60 2>/dev/null; echo dd=$?; du -m /dev/shm/fill'], dir);
        const [ddStatus, written] = memory.result.stdout.trim().split('\n');
        expect(ddStatus).toBe('dd=137'); // SIGKILL
        expect(Number(written!.split(/\s/)[0])).toBeLessThanOrEqual(32);
        expect(memory.leftovers).toEqual([]);

        const masked = await runInContainer(runtime, ['--', 'busybox', 'sh', '-c', 'wc -c < /proc/timer_list; touch /proc/sys/kernel/x 2>/dev/null && echo writable || echo readonly'], dir);
        expect(masked.result.stdout.trim().split('\n')).toEqual(['0', 'readonly']);
      });
    });

    it("gives docker's default seccomp profile: unshare is refused with EPERM, and shows in the trace; --seccomp unconfined lifts it", async () => {
      await withTempDirAsync(async (dir) => {
        const script = 'unshare -U true; echo unshare=$?';
        const confined = await runInContainer(runtime, ['--all', '--', 'busybox', 'sh', '-c', script], dir);
        expect(confined.result.stdout).toBe('unshare=1\n');
        expect(confined.result.stderr).toContain('unshare(0x10000000): Operation not permitted');
        const refused = syscalls(confined.trace!.records).find((r) => r.name === 'unshare' && r.err === 'EPERM');
        expect(refused, 'the refused unshare in the trace').toBeDefined();
        expect(confined.leftovers).toEqual([]);
        const unconfined = await runInContainer(runtime, ['--seccomp', 'unconfined', '--', 'busybox', 'sh', '-c', script], dir);
        expect(unconfined.result.stdout).toBe('unshare=0\n');
      });
    });

    it('--rootless: root inside, an unprivileged uid on the host', async () => {
      await withTempDirAsync(async (dir) => {
        const { result, trace, leftovers: left } = await runInContainer(runtime, ['--rootless', '--', 'busybox', 'sh', '-c', 'id -u; cat /proc/self/uid_map'], dir);
        expect(result.status, result.stderr).toBe(0);
        const [uid, map] = result.stdout.trim().split('\n');
        expect(uid).toBe('0');
        const [inside, outside] = map!.trim().split(/\s+/).map(Number);
        expect(inside).toBe(0);
        expect(outside).toBeGreaterThan(0);
        const container = trace!.records.filter((r): r is ProcessRecord => r.type === 'process' && r.reason === 'exec' && r.nspid.at(-1) === 1 && r.comm !== 'exe');
        expect(container.at(-1)!.uid).toBe(outside); // the host sees the mapped uid
        expect(left).toEqual([]);
      });
    });

    it('--rootless from a caller with umask 077: the runtime still makes cgroups its container can enter', () => {
      withTempDir((dir) => {
        // the shared /cttrace cgroup is made by this run (none is left between runs): under 077
        // it was 0700, and the container's root, an unprivileged uid outside, could not bind it
        const result = spawnSync('sh', ['-c', 'umask 077; exec "$0" "$@"', process.execPath, cliPath, 'run', '-q', '--runtime', runtime, '--rootless', '-o', join(dir, 'u.cttrace'), '--', 'busybox', 'id', '-u'], { encoding: 'utf8', timeout: 60_000 });
        expect(result.status, result.stderr).toBe(0);
        expect(result.stdout).toBe('0\n');
      });
    });
  });
}

describe.skipIf(!isRoot)('cttrace run refuses bad input and leaves nothing (root)', () => {
  it('gives one line and a non-zero exit', () => {
    withTempDir((dir) => {
      const corrupt = join(dir, 'corrupt.tar');
      writeFileSync(corrupt, Buffer.from('this is not a tar archive at all'.repeat(40)));
      const cases: readonly [string[], RegExp][] = [
        [['--', 'no-such-image-xyz'], /no-such-image-xyz|registry/i], // no network here: the registry is not reached
        [['--', './no-such-image-xyz'], /unknown image/i],
        [['--', 'No-Such-Image'], /invalid image reference/i],
        [['--', corrupt], /corrupt|not a|tar/i],
        [['--', 'busybox', 'no-such-command'], /no-such-command/],
        [['--runtime', 'dockerd', '--', 'busybox', 'true'], /unknown runtime "dockerd"/],
        [['--runtime', '/nonexistent/youki', '--', 'busybox', 'true'], /runtime \/nonexistent\/youki is not an executable file/],
        [['--runtime', '/bin/false', '--', 'busybox', 'true'], /runtime \/bin\/false is not usable/],
        [['--seccomp', '/nonexistent.json', '--', 'busybox', 'true'], /seccomp profile \/nonexistent.json does not exist/],
        [['-t', '--', 'busybox', 'true'], /-t needs a terminal on stdin/],
        [['-e', 'trace=clonee', '--', 'busybox', 'true'], /unknown syscall "clonee"/],
        [['--pids-limit', '0', '--', 'busybox', 'true'], /--pids-limit/],
        [['--'], /no image given|missing required argument/],
      ];
      const pids: number[] = [];
      for (const [args, message] of cases) {
        const result = runCli(['run', '-q', '-o', join(dir, 'x.cttrace'), ...args]);
        pids.push(result.pid);
        expect(result.status, args.join(' ')).not.toBe(0);
        expect(result.stderr, args.join(' ')).toMatch(message);
        expect(result.stderr.trim().split('\n'), args.join(' ')).toHaveLength(1);
      }
      // nobody runs a copy of the CLI it can read: the clone may be in a folder nobody cannot enter
      const asNobody = withWorldReadableCli((cli) =>
        spawnSync('setpriv', ['--reuid=65534', '--regid=65534', '--clear-groups', process.execPath, cli, 'run', '-o', '/dev/null', '--', 'busybox', 'true'], { encoding: 'utf8', cwd: '/' }),
      );
      expect(asNobody.status).not.toBe(0);
      expect(asNobody.stderr.trim()).toMatch(/^cttrace: cttrace run needs root/);
      expect(asNobody.stderr.trim().split('\n')).toHaveLength(1);
      pids.push(asNobody.pid); // setpriv execs node: the same pid
      expect(leftoversOfRuns(pids)).toEqual([]);
    });
  });
});

describe.skipIf(!isRoot || !have('runc'))('cttrace run --runtime PATH (root)', () => {
  it('runs any runtime with runc\'s command line given by its path', async () => {
    const runc = ['/usr/sbin/runc', '/usr/bin/runc'].find((p) => existsSync(p))!;
    await withTempDirAsync(async (dir) => {
      const { result, trace, id, leftovers: left } = await runInContainer(runc, ['--', 'busybox', 'sh', '-c', 'echo by-path'], dir);
      expect(result.status, result.stderr).toBe(0);
      expect(result.stdout).toBe('by-path\n');
      expect(trace!.header.runtime).toBe(runc);
      expect(left, `left behind by ${id}`).toEqual([]);
    });
  });
});

describe.skipIf(!isRoot)('cttrace run on Ctrl-C (root)', () => {
  it('kills the container and removes its mounts, cgroups and folders', async () => {
    await withTempDirAsync(async (dir) => {
      const output = join(dir, 'c.cttrace');
      const child = spawn(process.execPath, [cliPath, 'run', '-o', output, '--', 'busybox', 'sh', '-c', 'sleep 30 & sleep 30'], { stdio: ['ignore', 'pipe', 'pipe'] });
      let stderr = '';
      child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
      await waitFor(() => ((stderr.match(/PR_SET_NAME, "sleep"/g) ?? []).length >= 2 ? true : undefined), 'two sleeps named').catch((error: unknown) => {
        child.kill('SIGKILL');
        throw new Error(`${String(error)}; its stderr: ${stderr}`);
      });
      child.kill('SIGINT');
      const code = await new Promise<number | null>((resolve) => child.on('exit', resolve));
      expect(code).not.toBe(0);
      const { header, records } = await readTraceFile(output);
      expect(records.at(-1)).toMatchObject({ type: 'end', reason: 'stopped' });
      expect(leftovers(madeBy(header.command))).toEqual([]);
    });
  });
});
