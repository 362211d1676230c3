import { describe, expect, it } from 'vitest';
import { containerPhases } from '../../tracer/analysis/phases.js';
import { readTraceFile } from '../../tracer/trace/file-reader.js';
import type { SyscallRecord, TraceRecord } from '../../tracer/trace/records.js';

let clock = 0;
function call(pid: number, name: string, args: SyscallRecord['args'] = {}, extra: Partial<SyscallRecord> = {}): SyscallRecord {
  clock += 100;
  return { type: 'syscall', t: clock, pid, name, nr: 0, args, ret: 0, err: null, dur: 10, raw: [], family: 'other', ...extra };
}

describe('containerPhases', () => {
  it('finds the phases of a runtime-like sequence in time order', () => {
    clock = 0;
    const records: TraceRecord[] = [
      { type: 'process', t: 0, pid: 10, tgid: 10, ppid: 1, nspid: [10], comm: 'ctrun', ns: { pid: 1 }, reason: 'new' },
      call(10, 'execve'),
      call(10, 'mkdir', { pathname: '/sys/fs/cgroup/pids/x' }, { family: 'cgroups' }),
      call(10, 'clone', { flags: ['CLONE_NEWPID', 'CLONE_NEWNS', 'SIGCHLD'] }, { ret: 11 }),
      { type: 'process', t: clock + 1, pid: 11, tgid: 11, ppid: 10, nspid: [11, 1], comm: 'ctrun', ns: { pid: 2 }, reason: 'new' },
      call(11, 'mount', { source: 'proc' }),
      call(11, 'pivot_root', { new_root: '.', put_old: '.' }),
      call(11, 'umount2', { target: '.' }),
      call(11, 'sethostname'),
      call(11, 'execve', { filename: '/bin/true' }),
      { type: 'exit', t: clock + 500, pid: 11, code: 0 },
      { type: 'end', t: clock + 800, reason: 'done', status: 0 },
    ];
    const phases = containerPhases(records, { host: { pid: 1, ns: { pid: 1 } } });
    expect(phases.map((p) => p.name)).toEqual(['runtime start', 'cgroup', 'namespaces', 'rootfs', 'pivot_root', 'exec', 'running', 'teardown']);
    for (let i = 1; i < phases.length; i++) expect(phases[i]!.start).toBe(phases[i - 1]!.end);
    expect(phases.find((p) => p.name === 'exec')!.start).toBe(700); // sethostname, after the old root is gone
  });

  it('finds namespaces, rootfs and running in the recorded unshare trace', async () => {
    const { header, records } = await readTraceFile('traces/unshare-namespaces.cttrace');
    const names = containerPhases(records, header).map((p) => p.name);
    expect(names).toEqual(expect.arrayContaining(['namespaces', 'rootfs', 'running', 'teardown']));
    expect(names).not.toContain('pivot_root');
  });
});
