// Root: trace the README's unshare command for real and check what the trace says against the
// kernel's own view (/proc of the tracer).
import { statSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { readTraceFile } from '../tracer/trace/file-reader.js';
import type { ProcessRecord, SyscallRecord } from '../tracer/trace/records.js';
import { isRoot, runCli, withTempDirAsync } from './helpers/cli.js';

const UNSHARE = ['unshare', '--fork', '--pid', '--mount', '--uts', '--ipc', '--net', '--mount-proc', 'sh', '-c', 'sh -c "echo \\$\\$"; hostname'];
const ownNamespace = (kind: string) => statSync(`/proc/self/ns/${kind}`).ino;

if (!isRoot) console.warn('trace-unshare: skipped, needs root (unshare of pid/mnt/net namespaces)');

describe.skipIf(!isRoot)('cttrace trace of unshare (root)', () => {
  it('shows both pids, CLONE_NEW* flags and the new namespaces', async () => {
    await withTempDirAsync(async (dir) => {
      const output = join(dir, 'u.cttrace');
      const result = runCli(['trace', '-o', output, '--', ...UNSHARE], { cwd: dir });
      expect(result.status, result.stderr).toBe(0);
      expect(result.stdout.split('\n')[0]).toBe('2'); // the inner sh sees itself as pid 2

      const { header, records } = await readTraceFile(output);
      expect(header.command).toEqual(UNSHARE);
      const syscalls = records.filter((r): r is SyscallRecord => r.type === 'syscall');
      const processes = records.filter((r): r is ProcessRecord => r.type === 'process');

      const unshare = syscalls.find((r) => r.name === 'unshare')!;
      expect(unshare.args.flags).toEqual(expect.arrayContaining(['CLONE_NEWPID', 'CLONE_NEWNS', 'CLONE_NEWUTS', 'CLONE_NEWIPC', 'CLONE_NEWNET']));

      const init = processes.find((p) => p.nspid.length === 2 && p.nspid[1] === 1)!;
      expect(init.nspid[0]).toBeGreaterThan(1);
      const clone = syscalls.find((r) => r.name === 'clone' && r.ret === init.pid)!;
      expect(clone.retPid).toEqual({ host: init.pid, ns: init.pid });
      expect(clone.childNspid).toEqual([init.pid, 1]);

      const second = processes.find((p) => p.nspid.length === 2 && p.nspid[1] === 2)!;
      expect(second.nspid[0]).not.toBe(2);
      const vfork = syscalls.find((r) => r.pid === init.pid && r.ret === 2)!;
      expect(vfork.retPid).toEqual({ host: second.pid, ns: 2 });
      // a vfork lasts until its child execs: its duration covers the child's execve call
      const childExecve = syscalls.find((r) => r.pid === second.pid && r.name === 'execve')!;
      expect(vfork.t + vfork.dur).toBeGreaterThan(childExecve.t);

      const inner = processes.filter((p) => p.pid === second.pid).at(-1)!;
      for (const kind of ['pid', 'mnt', 'uts', 'ipc', 'net'] as const) {
        expect(inner.ns[kind], kind).not.toBe(ownNamespace(kind));
        expect(inner.ns[kind], kind).not.toBe(header.host.ns[kind]);
      }
      expect(inner.ns.user).toBe(ownNamespace('user'));

      const execs = syscalls.filter((r) => r.name === 'execve' && r.ret === 0);
      expect(execs.map((r) => r.args.filename)).toEqual(expect.arrayContaining(['/usr/bin/unshare', '/usr/bin/hostname']));
      expect(records.filter((r) => r.type === 'exit').every((r) => r.type === 'exit' && r.code === 0)).toBe(true);
      expect(records.at(-1)).toMatchObject({ type: 'end', status: 0 });

      // The terminal shows the same story, prefixed host/ns pid and comm.
      expect(result.stderr).toMatch(new RegExp(`^${init.pid}/1 +\\S+ +mount\\("proc", "/proc", "proc"`, 'm'));
      expect(result.stderr).toMatch(/unshare\(CLONE_NEWNS\|CLONE_NEWUTS\|CLONE_NEWIPC\|CLONE_NEWPID\|CLONE_NEWNET\) = 0/);
      expect(result.stderr).toMatch(new RegExp(`^${second.pid}/2 +sh +execve\\("/usr/bin/sh", \\["sh", "-c", "echo \\$\\$"\\]`, 'm'));

      // show prints it again the same way.
      const shown = runCli(['show', output]);
      expect(shown.status).toBe(0);
      expect(shown.stdout).toContain(`${second.pid}/2`);
      const summary = runCli(['summary', output]);
      expect(summary.stdout).toMatch(/^\s+[\d.]+\s+[\d.]+\s+\d+\s+1\s+unshare$/m);
    });
  });
});
