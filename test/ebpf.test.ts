// Root: the eBPF backend beside ptrace. The oracle suite (test/oracle.test.ts) and the namespace
// test (test/namespace-lineage.test.ts) run under both backends; here is what only eBPF has to
// show: an attach that stops nobody, the count of every event under load, and a clear refusal
// where it cannot run.
import { spawn, spawnSync } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { readTraceFile } from '../tracer/trace/file-reader.js';
import type { EndRecord, LostRecord, SyscallRecord, TraceRecord } from '../tracer/trace/records.js';
import { cliPath, isRoot, repoRoot, runCli, waitFor, withTempDirAsync } from './helpers/cli.js';
import { killStarted, processState, track } from './helpers/processes.js';
import { withWorldReadableCli } from './helpers/unprivileged.js';

const hasGcc = spawnSync('gcc', ['--version']).status === 0;
const skipReason = !isRoot ? 'not root (loading BPF programs needs CAP_BPF and CAP_PERFMON)' : !hasGcc ? 'gcc is not installed' : null;
if (skipReason) console.warn(`ebpf: skipped, ${skipReason}`);

const state = processState;
afterEach(killStarted);

function syscallsOf(records: readonly TraceRecord[]): SyscallRecord[] {
  return records.filter((r): r is SyscallRecord => r.type === 'syscall');
}

/** Events the engine said it lost: its lost records, whose counts must add up (each to its CPUs'
 * counts, all to each running total and to the end record's), within their time windows. */
function lostOf(records: readonly TraceRecord[]): number {
  const lost = records.filter((r): r is LostRecord => r.type === 'lost');
  let sum = 0;
  let previousT = 0;
  for (const record of lost) {
    sum += record.count;
    expect(record.total).toBe(sum);
    expect(record.count).toBeGreaterThan(0);
    expect(record.cpus.reduce((n, cpu) => n + cpu.count, 0)).toBe(record.count);
    expect(record.since).toBeLessThanOrEqual(record.t);
    expect(record.since).toBeGreaterThanOrEqual(previousT); // windows do not overlap
    previousT = record.t;
  }
  const end = records.at(-1) as EndRecord;
  expect(end.type).toBe('end');
  expect(end.lost ?? 0).toBe(sum);
  expect(records.some((r) => r.type === 'error' && r.errno === 'ENOBUFS')).toBe(false); // said once, as lost records
  return sum;
}

describe.skipIf(skipReason !== null)('the eBPF backend (root)', () => {
  it('attaches to a shell and follows its children without ever stopping it', async () => {
    const daemon = spawn('sh', ['-c', 'while true; do /bin/sleep 0.05; done'], { stdio: 'ignore' });
    track(daemon);
    await new Promise((resolve) => setTimeout(resolve, 100));
    await withTempDirAsync(async (dir) => {
      const output = join(dir, 'a.cttrace');
      const attach = spawn(process.execPath, [cliPath, 'attach', '-q', '--backend', 'ebpf', '--duration', '0.8', '-o', output, String(daemon.pid)], {
        stdio: ['ignore', 'ignore', 'pipe'],
      });
      let stderr = '';
      attach.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
      // Under ptrace the shell would be in state t at every stop; under eBPF it never is.
      const states = new Set<string>();
      const sampler = setInterval(() => states.add(state(daemon.pid!) ?? '?'), 2);
      const code = await new Promise<number | null>((resolve) => attach.on('close', resolve));
      clearInterval(sampler);
      expect(code, stderr).toBe(0);
      expect([...states].filter((s) => /[tT]/.test(s))).toEqual([]);
      const { header, records } = await readTraceFile(output);
      expect(header.backend).toBe('ebpf');
      expect(header.filter.mode).toBe('attach');
      const syscalls = syscallsOf(records);
      expect(syscalls.some((r) => r.name === 'execve' && r.args.filename === '/bin/sleep' && r.ret === 0)).toBe(true);
      const forks = syscalls.filter((r) => r.pid === daemon.pid && (r.name === 'vfork' || r.name === 'clone' || r.name === 'fork') && r.retPid);
      expect(forks.length).toBeGreaterThan(2);
      // each child is announced with its ids before its parent's fork returns
      for (const fork of forks) {
        const child = records.find((r) => r.type === 'process' && r.pid === fork.retPid!.host);
        expect(child, `a process record for ${fork.retPid!.host}`).toMatchObject({ ppid: daemon.pid });
      }
      expect(records.at(-1)).toMatchObject({ type: 'end', reason: 'stopped' });
    });
    expect(state(daemon.pid!)).toMatch(/[SRD]/); // still running (D: waiting on a vfork child), not stopped
  }, 20_000);

  it('under load (200 forks, about 2,000 calls a second for 10 s) loses no event, or counts every one lost', async () => {
    await withTempDirAsync(async (dir) => {
      const program = join(dir, 'stress');
      const built = spawnSync('gcc', ['-O1', '-Wall', '-Werror', '-o', program, join(repoRoot, 'test', 'programs', 'stress.c')], { encoding: 'utf8' });
      expect(built.status, built.stderr).toBe(0);
      const output = join(dir, 'stress.cttrace');
      const result = runCli(['trace', '-q', '--backend', 'ebpf', '-e', 'trace=fork,clone,clone3,getppid,wait4,exit_group', '-o', output, '--', program, '200', '10']);
      expect(result.status, result.stderr).toBe(0);
      const { records } = await readTraceFile(output);
      const syscalls = syscallsOf(records);
      const count = (name: string) => syscalls.filter((r) => r.name === name).length;
      const expected = { getppid: 200 * 100, clone: 200, wait4: 200, exit_group: 201 };
      const missing = Object.entries(expected).reduce((sum, [name, n]) => sum + Math.max(0, n - count(name)), 0);
      const lost = lostOf(records);
      if (lost === 0) {
        expect(Object.fromEntries(Object.keys(expected).map((name) => [name, count(name)]))).toEqual(expected);
        expect(records.filter((r) => r.type === 'exit')).toHaveLength(201);
      } else {
        expect(missing).toBeLessThanOrEqual(lost);
        expect(result.stderr).toContain(`${lost} events were lost`);
      }
    });
  }, 40_000);

  it('with a ring too small for the load, counts every loss, and still ends with the command', async () => {
    await withTempDirAsync(async (dir) => {
      const program = join(dir, 'stress');
      const built = spawnSync('gcc', ['-O1', '-Wall', '-Werror', '-o', program, join(repoRoot, 'test', 'programs', 'stress.c')], { encoding: 'utf8' });
      expect(built.status, built.stderr).toBe(0);
      const output = join(dir, 'small-ring.cttrace');
      // one page of ring for 10,000 calls in 0.1 s: most cannot fit
      const result = spawnSync(process.execPath, [cliPath, 'trace', '-q', '--backend', 'ebpf', '-e', 'trace=fork,clone,getppid,wait4,exit_group', '-o', output, '--', program, '100', '0.1'], {
        encoding: 'utf8',
        timeout: 60_000,
        env: { ...process.env, CTTRACE_EBPF_RING_BYTES: '4096' },
      });
      expect(result.status, result.stderr).toBe(0);
      const { records } = await readTraceFile(output);
      const lost = lostOf(records);
      expect(lost).toBeGreaterThan(0);
      expect(result.stderr).toContain(`cttrace: ${lost} events were lost`);
      // each call missing from the trace is one or two lost events (its entry, its exit)
      const getppid = syscallsOf(records).filter((r) => r.name === 'getppid').length;
      expect(getppid).toBeLessThan(100 * 100);
      expect(100 * 100 - getppid).toBeLessThanOrEqual(lost);
      expect(records.at(-1)).toMatchObject({ type: 'end', reason: 'done', status: 0, lost });
      // every reader says it: show as strace's note lines, summary under its table, export as a gap
      const shown = runCli(['show', output]);
      expect(shown.status, shown.stderr).toBe(0);
      const notes = shown.stdout.split('\n').filter((line) => line.startsWith('cttrace: lost '));
      expect(notes.length).toBe(records.filter((r) => r.type === 'lost').length);
      expect(notes.at(-1)).toMatch(new RegExp(`^cttrace: lost \\d+ events between \\d+\\.\\d{6} and \\d+\\.\\d{6} s \\(the eBPF ring buffer was full; by CPU: (cpu\\d+:\\d+ ?)+; ${lost} in all\\)$`));
      const summary = runCli(['summary', output]);
      expect(summary.stdout).toContain(`${lost} events were lost (the eBPF ring buffer was full)`);
      const exported = runCli(['export', '--format', 'chrome', '-o', join(dir, 'small-ring.json'), output]);
      expect(exported.status, exported.stderr).toBe(0);
      const events = (JSON.parse(readFileSync(join(dir, 'small-ring.json'), 'utf8')) as { traceEvents: { cat?: string; args?: { count: number } }[] }).traceEvents;
      expect(events.filter((e) => e.cat === 'lost').reduce((n, e) => n + e.args!.count, 0)).toBe(lost);
    });
  }, 30_000);

  it('on Ctrl-C kills what it started and saves the trace', async () => {
    await withTempDirAsync(async (dir) => {
      const output = join(dir, 'c.cttrace');
      const tracer = spawn(process.execPath, [cliPath, 'trace', '-q', '--backend', 'ebpf', '-o', output, '--', 'sh', '-c', 'sleep 30 & sleep 30'], { stdio: 'ignore' });
      track(tracer);
      await waitFor(() => (existsSync(output) ? true : undefined), 'the trace to start');
      await new Promise((resolve) => setTimeout(resolve, 500));
      tracer.kill('SIGINT');
      await new Promise((resolve) => tracer.once('exit', resolve));
      const { records } = await readTraceFile(output);
      const tasks = new Set(records.filter((r) => r.type === 'process').map((r) => r.pid));
      expect(tasks.size).toBe(3); // sh and both sleeps
      // killed: gone, or a zombie its new parent (init) has yet to reap; none left running
      for (const pid of tasks) expect(state(pid) ?? 'gone', `task ${pid}`).toMatch(/^(gone|Z)$/);
      expect(records.filter((r) => r.type === 'exit')).toHaveLength(3);
      expect(records.at(-1)).toMatchObject({ type: 'end', reason: 'stopped' });
    });
  }, 20_000);

  it('refuses with one line naming --backend ptrace where it may not load programs', () => {
    // nobody, without CAP_BPF and CAP_PERFMON
    const result = withWorldReadableCli((cli) =>
      spawnSync('setpriv', ['--reuid=65534', '--regid=65534', '--clear-groups', '--', process.execPath, cli, 'trace', '--backend', 'ebpf', '-o', '/dev/null', '--', '/bin/true'], { encoding: 'utf8', cwd: '/' }),
    );
    expect(result.status).toBe(1);
    const lines = result.stderr.trim().split('\n');
    expect(lines).toHaveLength(1);
    expect(lines[0]).toMatch(/^cttrace: cannot trace \/bin\/true with eBPF: .*not permitted.*CAP_BPF and CAP_PERFMON.*; use --backend ptrace$/);
    expect(result.stderr).not.toMatch(/\n\s+at /); // no stack trace
  });

  it('refuses an unknown backend with one line before anything starts', () => {
    const result = runCli(['trace', '--backend', 'dtrace', '--', '/bin/true']);
    expect(result.status).toBe(2); // a usage error, as for any bad option
    expect(result.stderr.trim()).toBe('cttrace: unknown backend "dtrace": use --backend ptrace or --backend ebpf');
  });
});
