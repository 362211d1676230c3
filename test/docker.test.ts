// Root + docker.io: attach to a real containerd (the private one test/helpers/dockerd.ts starts) while `docker run` makes a container, and find
// the chain containerd → shim → runc → runc:[1:CHILD] → PID 1 in the trace; detach cleanly.
import { spawn } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { readTraceFile } from '../tracer/trace/file-reader.js';
import type { SyscallRecord } from '../tracer/trace/records.js';
import { cliPath } from './helpers/cli.js';
import { dockerdSkipReason, startDockerd, waitFor, type PrivateDockerd } from './helpers/dockerd.js';

const reason = dockerdSkipReason();
if (reason) console.warn(`docker: skipped, ${reason}`);

const IMAGE = 'cttrace-busybox:test';
let d: PrivateDockerd;

describe.skipIf(reason !== null)('attach to containerd during docker run (root, docker.io)', () => {
  beforeAll(async () => {
    d = await startDockerd();
    d.importBusybox(IMAGE);
  }, 60_000);

  afterAll(async () => {
    await d?.stop();
  }, 60_000);

  // Both backends must show the same chain; eBPF without stopping containerd.
  it.each(['ptrace', 'ebpf'])('%s: shows shim, runc, the unshare, PID 1, pivot_root and the execve of sh; docker works after detach', async (backend) => {
    const containerd = d.containerdPid(); // the one this dockerd started, not a system one
    expect(containerd).not.toBeNull();
    const output = join(d.work, `containerd-${backend}.cttrace`);
    const tracer = spawn(process.execPath, [cliPath, 'attach', '-q', '--json', '--backend', backend, '-o', output, String(containerd)], { stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    tracer.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
    tracer.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
    await waitFor(() => stdout.includes(`"type":"process","t":`) && stdout.includes(`"pid":${containerd}`), 'the attach');

    const run = d.docker('run', '--rm', '--network', 'none', IMAGE, 'sh', '-c', 'echo hi');
    expect(run.stdout, run.stderr).toBe('hi\n');
    tracer.kill('SIGINT');
    const code = await new Promise<number | null>((resolve) => tracer.on('exit', resolve));
    expect(code, stderr).toBe(0);

    const { records } = await readTraceFile(output);
    const calls = records.filter((r): r is SyscallRecord => r.type === 'syscall');
    const execs = calls.filter((r) => r.name === 'execve' && r.ret === 0);
    expect(execs.some((r) => String(r.args.filename).endsWith('containerd-shim-runc-v2'))).toBe(true);
    expect(execs.some((r) => String(r.args.filename).endsWith('/runc') && (r.args.argv as string[]).includes('create'))).toBe(true);
    expect(calls.some((r) => r.name === 'unshare' && (r.args.flags as string[]).includes('CLONE_NEWPID') && (r.args.flags as string[]).includes('CLONE_NEWNS'))).toBe(true);
    const makesInit = calls.find((r) => ['clone', 'clone3'].includes(r.name) && r.childNspid?.at(-1) === 1 && r.retPid?.host !== 1);
    expect(makesInit, 'the clone whose child is PID 1 inside').toBeDefined();
    const init = makesInit!.retPid!.host!;
    expect(init).not.toBe(1);
    expect(calls.some((r) => r.pid === init && r.name === 'pivot_root' && r.err === null)).toBe(true);
    const shExec = execs.find((r) => r.pid === init && r.args.filename === '/bin/sh');
    expect(shExec?.args.argv).toEqual(['sh', '-c', 'echo hi']);
    const stageNames = calls.filter((r) => r.name === 'prctl' && r.args.option === 'PR_SET_NAME').map((r) => r.args.arg2);
    expect(stageNames).toEqual(expect.arrayContaining(['runc:[0:PARENT]', 'runc:[1:CHILD]', 'runc:[2:INIT]']));

    // Detached cleanly: containerd serves again, nothing stopped.
    expect(d.docker('run', '--rm', '--network', 'none', IMAGE, 'sh', '-c', 'echo again').stdout).toBe('again\n');
    const stopped = readFileSync(`/proc/${containerd}/stat`, 'utf8').replace(/^.*\) /, '')[0];
    expect(stopped).not.toMatch(/[tT]/);
  }, 90_000);
});

