// Synthetic traces holding several containers: records built in time order the way the engine
// writes them (a task's description before its calls), for the container split's unit tests and
// the viewer's browser test.
import type { ProcessRecord, SyscallRecord, TraceHeader, TraceRecord } from '../../tracer/trace/records.js';

export const HOST_PID_NS = 4026531836;

export const SYNTHETIC_HEADER: TraceHeader = {
  format: 'cttrace',
  version: 1,
  cttrace: '0.1.0',
  created: '2026-12-06T00:00:00.000Z',
  kernel: '6.1.0',
  arch: 'x86_64',
  command: ['attach', '50'],
  image: null,
  runtime: null,
  filter: { mode: 'attach', expression: 'default', caveats: [] },
  host: { pid: 1, ns: { pid: HOST_PID_NS } },
};

/** Builds a record list in time order. */
export class Records {
  readonly list: TraceRecord[] = [];
  t = 0;

  process(pid: number, ppid: number, comm: string, nspid: number[] = [pid], pidNs = HOST_PID_NS, tgid = pid): ProcessRecord {
    const record: ProcessRecord = { type: 'process', t: (this.t += 1000), pid, tgid, ppid, nspid, comm, ns: { pid: pidNs }, reason: 'new' };
    this.list.push(record);
    return record;
  }

  call(pid: number, name: string, args: SyscallRecord['args'] = {}, extra: Partial<SyscallRecord> = {}): void {
    this.list.push({ type: 'syscall', t: (this.t += 1000), pid, name, nr: 0, args, ret: 0, err: null, dur: 5, raw: [], family: 'other', ...extra });
  }

  exec(pid: number, argv: string[], filename = argv[0]!): void {
    this.call(pid, 'execve', { filename, argv, envp: '0x0' }, { family: 'exec' });
  }

  exit(pid: number): void {
    this.list.push({ type: 'exit', t: (this.t += 1000), pid, code: 0 });
  }

  /** A runtime (at `pid`, forked by `parent`) creating a container whose PID 1 is `pid + 1`. */
  runtime(pid: number, parent: number, argv: string[], filename = argv[0]!): void {
    const pidNs = 4026532000 + pid;
    this.process(pid, parent, 'sh');
    this.exec(pid, argv, filename);
    this.call(pid, 'mkdir', { pathname: `/sys/fs/cgroup/pids/${pid}` }, { family: 'cgroups' });
    this.call(pid, 'clone', { flags: ['CLONE_NEWPID', 'CLONE_NEWNS', 'CLONE_NEWUTS', 'SIGCHLD'] }, { ret: pid + 1, family: 'process' });
    this.process(pid + 1, pid, argv[0]!, [pid + 1, 1], pidNs);
    this.call(pid + 1, 'mount', { source: 'proc', target: 'proc' }, { family: 'mounts' });
    this.call(pid + 1, 'pivot_root', { new_root: '.', put_old: '.' }, { family: 'mounts' });
    this.call(pid + 1, 'umount2', { target: '.' }, { family: 'mounts' });
    this.call(pid + 1, 'sethostname');
    this.exec(pid + 1, ['sh', '-c', `echo ${pid}`], '/bin/sh');
    this.process(pid + 2, pid + 1, 'sh', [pid + 2, 2], pidNs); // a child of PID 1
    this.exit(pid + 2);
    this.exit(pid + 1);
    this.exit(pid);
  }
}


/** containerd (with a thread) starting the containers `ids` one after the other, each through
 *  its shim (pid 100, 200, ...): runc create, the container's PID 1 and its child, runc delete. */
export function containerdWithShims(ids: readonly string[]): Records {
  const r = new Records();
  r.process(50, 1, 'containerd');
  r.process(51, 1, 'containerd', [51], HOST_PID_NS, 50); // a thread of containerd
  ids.forEach((id, index) => {
    const shim = 100 * (index + 1);
    r.process(shim, 50, 'containerd');
    r.exec(shim, ['/usr/bin/containerd-shim-runc-v2', '-namespace', 'moby', '-id', id, '-address', '/run/containerd.sock']);
    r.runtime(shim + 1, shim, ['runc', '--root', '/run/runc', '--log', '/x/log.json', '--log-format', 'json', 'create', '--bundle', `/b/${id}`, '--pid-file', '/x/pid', id], '/usr/sbin/runc');
    r.process(shim + 10, shim, 'containerd-shim');
    r.exec(shim + 10, ['runc', '--root', '/run/runc', 'delete', '--force', id], '/usr/sbin/runc');
    r.exit(shim + 10);
    r.exit(shim);
  });
  r.list.push({ type: 'end', t: (r.t += 1000), reason: 'stopped', status: 0 });
  return r;
}
