// The decoder on a recorded engine stream (test/fixtures/unshare-pid-ns.raw: the unshare command
// of the README, traced with the default set).
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { Decoder } from '../../tracer/decode/decoder.js';
import { RawRecordSplitter } from '../../tracer/protocol/raw-reader.js';
import type { RawRecord } from '../../tracer/protocol/raw-records.js';
import type { ProcessRecord, SyscallRecord, TraceRecord } from '../../tracer/trace/records.js';

const stream = readFileSync(new URL('../fixtures/unshare-pid-ns.raw', import.meta.url));

function decodeAll(chunkSize: number): TraceRecord[] {
  const decoder = new Decoder();
  const splitter = new RawRecordSplitter();
  const records: TraceRecord[] = [];
  const onRaw = (raw: RawRecord) => {
    const record = decoder.decode(raw);
    if (record) records.push(record);
  };
  for (let at = 0; at < stream.length; at += chunkSize) splitter.push(stream.subarray(at, at + chunkSize), onRaw);
  expect(splitter.hasPartialRecord).toBe(false);
  return records;
}

const records = decodeAll(65536);
const syscalls = records.filter((r): r is SyscallRecord => r.type === 'syscall');
const processes = records.filter((r): r is ProcessRecord => r.type === 'process');

describe('decoder on a recorded stream', () => {
  it('gives the same records whatever the chunking', () => {
    expect(decodeAll(7)).toEqual(records);
    expect(decodeAll(1)).toEqual(records);
  });

  it('decodes unshare with symbolic CLONE_NEW* flags', () => {
    const unshare = syscalls.find((r) => r.name === 'unshare')!;
    expect(unshare.args.flags).toEqual(['CLONE_NEWNS', 'CLONE_NEWUTS', 'CLONE_NEWIPC', 'CLONE_NEWPID', 'CLONE_NEWNET']);
    expect(unshare.ret).toBe(0);
    expect(unshare.family).toBe('namespaces');
  });

  it('gives the clone child both pids: host from the kernel, 1 inside', () => {
    const clone = syscalls.find((r) => r.name === 'clone')!;
    expect(clone.retPid!.host).toBe(clone.ret); // the caller is in the host namespace
    expect(clone.childNspid).toEqual([clone.ret, 1]);
    expect(clone.args.flags).toContain('SIGCHLD');
  });

  it('translates a pid returned inside the namespace to the host pid', () => {
    const inner = processes.find((p) => p.nspid.length === 2 && p.nspid[1] === 1)!;
    const vfork = syscalls.find((r) => r.pid === inner.pid && r.name === 'vfork')!;
    expect(vfork.ret).toBe(2);
    const child = processes.find((p) => p.pid === vfork.retPid!.host)!;
    expect(child.nspid).toEqual([vfork.retPid!.host, 2]);
    const wait = syscalls.find((r) => r.pid === inner.pid && r.name === 'wait4' && r.ret === 2)!;
    expect(wait.retPid).toEqual({ host: child.pid, ns: 2 });
    expect(wait.args.wstatus).toBe('exited 0');
  });

  it('decodes execve filename and argv, and errors as errno names', () => {
    const execs = syscalls.filter((r) => r.name === 'execve');
    expect(execs[0]!.args.argv).toEqual(['unshare', '--fork', '--pid', '--mount', '--uts', '--ipc', '--net', '--mount-proc', 'sh', '-c', 'sh -c "echo \\$\\$"; hostname']);
    const failed = execs.find((r) => r.err !== null)!;
    expect(failed.err).toBe('ENOENT');
    expect(failed.ret).toBe(-2);
  });

  it('decodes mount flags and the new namespaces of the unsharing process', () => {
    const proc = syscalls.find((r) => r.name === 'mount' && r.args.filesystemtype === 'proc')!;
    expect(proc.args.mountflags).toEqual(['MS_NOSUID', 'MS_NODEV', 'MS_NOEXEC']);
    const nsChange = processes.find((p) => p.reason === 'ns')!;
    const before = processes.find((p) => p.pid === nsChange.pid && p.reason !== 'ns')!;
    for (const kind of ['mnt', 'uts', 'ipc', 'net'] as const) expect(nsChange.ns[kind]).not.toBe(before.ns[kind]);
    expect(nsChange.ns.pid).toBe(before.ns.pid); // unshare(CLONE_NEWPID) moves only the children
    expect(nsChange.ns.pid_for_children).not.toBe(before.ns.pid_for_children);
  });

  it('marks calls that never return as unfinished with a null ret', () => {
    const exits = syscalls.filter((r) => r.name === 'exit_group');
    expect(exits.length).toBeGreaterThan(0);
    for (const exit of exits) expect(exit.ret).toBeNull();
  });

  it('ends with the end record carrying the exit status', () => {
    expect(records.at(-1)).toMatchObject({ type: 'end', reason: 'done', status: 0 });
  });
});
