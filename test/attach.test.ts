// Root: attach to a running process tree, follow what it spawns, and detach leaving it running.
import { spawnSync } from 'node:child_process';
import { copyFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { readTraceFile } from '../tracer/trace/file-reader.js';
import type { SyscallRecord } from '../tracer/trace/records.js';
import { cliPath, isRoot, runCli, withTempDir, withTempDirAsync } from './helpers/cli.js';
import { killStarted, processState, startDaemon } from './helpers/processes.js';
import { withWorldReadableCli } from './helpers/unprivileged.js';

const state = processState;
afterEach(killStarted);

/** Processes on the machine in a stopped or traced state. */
function stoppedProcesses(): number[] {
  return readdirSync('/proc')
    .filter((name) => /^\d+$/.test(name))
    .map(Number)
    .filter((pid) => /[tT]/.test(state(pid) ?? ''));
}

describe.skipIf(!isRoot)('cttrace attach (root)', () => {
  // attach defaults to eBPF where it can run (README, "Backends"): both are checked by name
  it.each(['ptrace', 'ebpf'])('%s: follows what a running shell spawns, then detaches and leaves it running', async (backend) => {
    const daemon = startDaemon('sh', ['-c', 'while true; do /bin/sleep 0.05; done']);
    await new Promise((resolve) => setTimeout(resolve, 100));
    await withTempDirAsync(async (dir) => {
      const output = join(dir, 'a.cttrace');
      const result = runCli(['attach', '-q', '--backend', backend, '--duration', '0.6', '-o', output, String(daemon.pid)]);
      expect(result.status, result.stderr).toBe(0);
      const { header, records } = await readTraceFile(output);
      expect(header.filter.mode).toBe('attach');
      const syscalls = records.filter((r): r is SyscallRecord => r.type === 'syscall');
      expect(syscalls.some((r) => r.name === 'execve' && r.args.filename === '/bin/sleep' && r.ret === 0)).toBe(true);
      expect(syscalls.some((r) => r.pid === daemon.pid && (r.name === 'vfork' || r.name === 'clone') && r.retPid)).toBe(true);
      expect(records.at(-1)).toMatchObject({ type: 'end', reason: 'stopped' });
    });
    await new Promise((resolve) => setTimeout(resolve, 200));
    expect(state(daemon.pid!)).toMatch(/[SRD]/); // still running (or in a disk wait under load), not stopped (t/T), not killed
    expect(stoppedProcesses()).toEqual([]);
  });

  it('attaches by --name, and to existing children with --children', async () => {
    await withTempDirAsync(async (dir) => {
      const named = join(dir, 'ctt-named-loop');
      copyFileSync('/bin/sh', named);
      const daemon = startDaemon(named, ['-c', 'sleep 5 & while true; do /bin/true; sleep 0.05; done']);
      await new Promise((resolve) => setTimeout(resolve, 150));
      const output = join(dir, 'n.cttrace');
      const result = runCli(['attach', '-q', '--children', '--duration', '0.5', '--name', 'ctt-named-loop', '-o', output]);
      expect(result.status, result.stderr).toBe(0);
      const { header, records } = await readTraceFile(output);
      expect(header.command.length).toBeGreaterThanOrEqual(3); // attach, the loop, its sleep 5 child
      expect(records.some((r) => r.type === 'syscall' && r.name === 'execve' && r.args.filename === '/bin/true')).toBe(true);
      expect(state(daemon.pid!)).toMatch(/[SRD]/);
    });
  });

  it('refuses bad targets with one line and a non-zero exit', () => {
    withTempDir((dir) => {
      const twin = join(dir, 'ctt-twin');
      copyFileSync('/bin/sleep', twin);
      startDaemon(twin, ['5']);
      startDaemon(twin, ['5']);
      spawnSync('sleep', ['0.1']);
      const cases: readonly [string[], RegExp][] = [
        [['999999999'], /no process with pid 999999999/],
        [['abc'], /"abc" is not a process id/],
        [['--name', 'no-such-process-xyz'], /no process is named "no-such-process-xyz"/],
        [[], /nothing to attach to/],
        [['--name', 'ctt-twin'], /2 processes are named "ctt-twin"/],
      ];
      for (const [args, message] of cases) {
        const result = runCli(['attach', '-o', join(dir, 'x.cttrace'), ...args]);
        expect(result.status, args.join(' ')).not.toBe(0);
        expect(result.stderr).toMatch(message);
        expect(result.stderr.trim().split('\n')).toHaveLength(1);
      }
    });
  });

  it('says so when ptrace is not permitted', () => {
    // As an unprivileged user, attaching to init is refused by the kernel. (nobody runs a copy
    // of the CLI it can read: the clone may be in a folder nobody cannot enter.)
    const result = withWorldReadableCli((cli) =>
      spawnSync('setpriv', ['--reuid=65534', '--regid=65534', '--clear-groups', process.execPath, cli, 'attach', '-q', '-o', '/dev/null', '1'], { encoding: 'utf8', cwd: '/' }),
    );
    expect(result.status).not.toBe(0);
    expect(result.stderr.trim()).toMatch(/^cttrace: cannot trace process 1: ptrace is not permitted \(EPERM\)/);
    expect(result.stderr.trim().split('\n')).toHaveLength(1);
  });
});
