// A synthetic container-start trace of any size for the viewer benchmark: a runtime makes
// cgroups, clone3's an init into new namespaces, which pivots, execs and forks workers that
// make a steady stream of file syscalls (a few failing).
import { createWriteStream } from 'node:fs';
import { once } from 'node:events';
import { createGzip, constants } from 'node:zlib';
import type { TraceHeader, TraceRecord } from '../trace/records.js';

const HOST_NS = { cgroup: 4026531835, ipc: 4026531839, mnt: 4026531832, net: 4026531833, pid: 4026531836, pid_for_children: 4026531836, time: 4026531834, time_for_children: 4026531834, user: 4026531837, uts: 4026531838 };
const CONTAINER_NS = { ...HOST_NS, ipc: 4026532201, mnt: 4026532202, net: 4026532203, pid: 4026532204, pid_for_children: 4026532204, uts: 4026532205 };

export function syntheticHeader(events: number): TraceHeader {
  return {
    format: 'cttrace', version: 1, cttrace: 'bench', created: new Date(0).toISOString(), kernel: 'synthetic', arch: 'x86_64',
    command: ['ctrun', 'run', `synthetic-${events}`], image: null, runtime: 'ctrun',
    filter: { mode: 'all', expression: 'all', caveats: [] },
    host: { pid: 1, ns: HOST_NS },
  };
}

/** Writes a gzip'd trace with `events` syscall records (plus process records); resolves with its size. */
export async function writeSyntheticTrace(path: string, events: number, workers = 48): Promise<number> {
  const gzip = createGzip({ level: 1, strategy: constants.Z_DEFAULT_STRATEGY });
  const out = createWriteStream(path);
  gzip.pipe(out);
  let buffer: string[] = [];
  const write = async (record: TraceRecord | TraceHeader) => {
    buffer.push(JSON.stringify(record));
    if (buffer.length >= 4096) {
      if (!gzip.write(`${buffer.join('\n')}\n`)) await once(gzip, 'drain');
      buffer = [];
    }
  };
  const syscall = (t: number, pid: number, name: string, family: string, args: Record<string, unknown>, ret: number, dur: number): TraceRecord =>
    ({ type: 'syscall', t, pid, name, nr: 0, args, ret, err: ret < 0 ? 'ENOENT' : null, dur, raw: ['0x3'], family } as TraceRecord);

  await write(syntheticHeader(events));
  const runtime = 1000;
  const init = 1001;
  let t = 1000;
  await write({ type: 'process', t, pid: runtime, tgid: runtime, ppid: 1, nspid: [runtime], comm: 'ctrun', ns: HOST_NS, uid: 0, gid: 0, reason: 'new' });
  await write(syscall((t += 5000), runtime, 'mkdir', 'cgroups', { pathname: '/sys/fs/cgroup/bench', mode: '0755' }, 0, 3000));
  await write(syscall((t += 5000), runtime, 'clone3', 'namespaces', { args: { flags: ['CLONE_NEWNS', 'CLONE_NEWPID', 'CLONE_NEWNET', 'CLONE_NEWUTS', 'CLONE_NEWIPC'] } }, init, 40_000));
  await write({ type: 'process', t: t + 20_000, pid: init, tgid: init, ppid: runtime, nspid: [init, 1], comm: 'ctrun', ns: CONTAINER_NS, uid: 0, gid: 0, reason: 'new' });
  t += 50_000;
  await write(syscall((t += 2000), init, 'mount', 'mounts', { source: '/rootfs', target: '/rootfs', mountflags: ['MS_BIND', 'MS_REC'] }, 0, 5000));
  await write(syscall((t += 8000), init, 'pivot_root', 'mounts', { new_root: '.', put_old: '.' }, 0, 4000));
  await write(syscall((t += 6000), init, 'execve', 'exec', { filename: '/bin/sh', argv: ['sh', '-c', 'work'] }, 0, 200_000));
  await write({ type: 'exec', t: t + 150_000, pid: init, formerPid: init, comm: 'sh' });
  t += 250_000;
  const clocks: number[] = [];
  for (let w = 0; w < workers; w++) {
    const pid = 2000 + w;
    await write(syscall(t, init, 'clone', 'process', { flags: ['CLONE_CHILD_SETTID', 'SIGCHLD'] }, w + 2, 30_000));
    await write({ type: 'process', t: t + 20_000, pid, tgid: pid, ppid: init, nspid: [pid, w + 2], comm: `worker-${w}`, ns: CONTAINER_NS, uid: 0, gid: 0, reason: 'new' });
    clocks.push(t + 40_000);
    t += 40_000;
  }
  const names: Array<[string, string]> = [['openat', 'files'], ['read', 'other'], ['close', 'files'], ['fstat', 'files'], ['mmap', 'other'], ['write', 'files']];
  let seed = 12345;
  const random = () => ((seed = (seed * 1103515245 + 12345) & 0x7fffffff) / 0x7fffffff);
  for (let i = 0; i < events - workers - 5; i++) {
    const w = i % workers;
    const [name, family] = names[i % names.length]!;
    const dur = 1500 + Math.floor(random() * 6000);
    const failed = i % 97 === 0;
    await write(syscall(clocks[w]!, 2000 + w, name, family, name === 'openat' ? { dirfd: 'AT_FDCWD', pathname: `/data/file-${i % 1000}`, flags: ['O_RDONLY', 'O_CLOEXEC'] } : { fd: 3 + (i % 7) }, failed ? -2 : 3, dur));
    clocks[w]! += dur + 500 + Math.floor(random() * 3000);
  }
  const last = Math.max(...clocks);
  for (let w = 0; w < workers; w++) await write({ type: 'exit', t: clocks[w]! + 1000, pid: 2000 + w, code: 0 });
  await write({ type: 'exit', t: last + 50_000, pid: init, code: 0 });
  await write({ type: 'exit', t: last + 80_000, pid: runtime, code: 0 });
  await write({ type: 'end', t: last + 90_000, reason: 'done', status: 0 });
  gzip.end(`${buffer.join('\n')}\n`);
  await once(out, 'finish');
  return out.bytesWritten;
}
