// The trace command as a user meets it: exit codes, bad input, Ctrl-C.
import { spawn, spawnSync } from 'node:child_process';
import { chmodSync, existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { readTraceFile } from '../tracer/trace/file-reader.js';
import type { SyscallRecord } from '../tracer/trace/records.js';
import { cliPath, isRoot, runCli, waitFor, withTempDir, withTempDirAsync } from './helpers/cli.js';
import { withWorldReadableCli } from './helpers/unprivileged.js';

function processState(pid: number): string | null {
  try {
    return readFileSync(`/proc/${pid}/stat`, 'utf8').replace(/^.*\) /, '')[0]!;
  } catch {
    return null;
  }
}

describe('cttrace trace', () => {
  it("exits with the traced command's exit code", () => {
    withTempDir((dir) => {
      expect(runCli(['trace', '-q', '-o', join(dir, 'a.cttrace'), '--', 'sh', '-c', 'exit 7']).status).toBe(7);
      expect(runCli(['trace', '-q', '-o', join(dir, 'b.cttrace'), '--', 'sh', '-c', 'kill -TERM $$']).status).toBe(128 + 15);
    });
  });

  it.skipIf(!isRoot)('works for an unprivileged user in the default (prefiltered) mode, and says what that costs', async () => {
    await withTempDirAsync(async (dir) => {
      chmodSync(dir, 0o777); // nobody writes the trace here
      const output = join(dir, 'nobody.cttrace');
      // as nobody: the prefilter needs no_new_privs first; the header's caveats say so
      const result = withWorldReadableCli((cli) =>
        spawnSync('setpriv', ['--reuid=65534', '--regid=65534', '--clear-groups', process.execPath, cli, 'trace', '-o', output, '--', '/bin/echo', 'hi'], { encoding: 'utf8', cwd: '/' }),
      );
      expect(result.status, result.stderr).toBe(0);
      expect(result.stderr).toMatch(/execve\("\/bin\/echo", \["\/bin\/echo", "hi"\], 0x[0-9a-f]+ \/\* \d+ vars \*\/\) += 0/);
      expect(result.stdout).toBe('hi\n');
      const { header } = await readTraceFile(output);
      expect(header.filter.caveats.join(' ')).toMatch(/no_new_privs/);
      expect(header.filter.caveats.join(' ')).toMatch(/PR_GET_SECCOMP\) returns 2/);
    });
  });

  it('writes a timestamped trace in the current folder by default', () => {
    withTempDir((dir) => {
      const result = runCli(['trace', '--', 'true'], { cwd: dir });
      expect(result.status).toBe(0);
      const saved = /records saved to (cttrace-\d{8}-\d{6}-true\.cttrace)/.exec(result.stderr);
      expect(saved, result.stderr).not.toBeNull();
      expect(existsSync(join(dir, saved![1]!))).toBe(true);
    });
  });

  it('--json prints the records as JSON lines on stdout', () => {
    withTempDir((dir) => {
      const result = runCli(['trace', '-q', '--json', '-o', join(dir, 'j.cttrace'), '--', 'true']);
      const lines = result.stdout.trim().split('\n').map((line) => JSON.parse(line) as { type: string; name?: string });
      expect(lines.some((r) => r.type === 'syscall' && r.name === 'execve')).toBe(true);
      expect(lines.at(-1)!.type).toBe('end');
    });
  });

  it('-q (decoded after the command) and live lines save the same trace', async () => {
    await withTempDirAsync(async (dir) => {
      // deterministic: each shell runs its commands one after the other
      const command = ['sh', '-c', 'for i in 1 2 3; do sh -c "exit $i"; done; /bin/true'];
      const sequence = async (options: string[], file: string) => {
        const result = runCli(['trace', ...options, '-o', join(dir, file), '--', ...command]);
        expect(result.status, result.stderr).toBe(0);
        const { records } = await readTraceFile(join(dir, file));
        // per process, in order: what a record is, not when it came
        const byPid = new Map<number, string[]>();
        const order: number[] = [];
        for (const record of records) {
          if (!('pid' in record)) continue;
          const pid = record.pid as number;
          if (!byPid.has(pid)) {
            byPid.set(pid, []);
            order.push(pid);
          }
          const what = record.type === 'syscall' ? `${record.name}=${record.ret}` : record.type === 'exit' ? `exit ${record.code ?? record.signal}` : record.type;
          byPid.get(pid)!.push(what);
        }
        return order.map((pid) => byPid.get(pid)!.join(' '));
      };
      const quiet = await sequence(['-q'], 'q.cttrace');
      const live = await sequence([], 'live.cttrace');
      expect(quiet.length).toBe(5); // sh, three sh -c, true
      expect(quiet.map((line) => line.replace(/=\d{3,}/g, '=PID'))).toEqual(live.map((line) => line.replace(/=\d{3,}/g, '=PID')));
    });
  });

  const badInput: readonly [string, string[], RegExp][] = [
    ['an unknown syscall in -e', ['-e', 'trace=unshar', '--', 'true'], /unknown syscall "unshar".*did you mean "unshare"/],
    ['a command that does not exist', ['--', 'no-such-command-xyz'], /command not found: no-such-command-xyz/],
    ['a path that is not executable', ['--', '/etc/passwd'], /cannot run \/etc\/passwd/],
    ['an output that cannot be written', ['-o', '/nonexistent-dir/x.cttrace', '--', 'true'], /cannot write the trace to \/nonexistent-dir\/x.cttrace/],
    ['no command', [], /missing required argument|no command given/],
  ];
  for (const [what, args, message] of badInput) {
    it(`refuses ${what} with one line and a non-zero exit`, () => {
      withTempDir((dir) => {
        const result = runCli(['trace', ...args], { cwd: dir });
        expect(result.status).not.toBe(0);
        expect(result.stderr).toMatch(message);
        expect(result.stderr.trim().split('\n')).toHaveLength(1);
      });
    });
  }

  it('records file calls of the default set only for cgroup files, all of them when named', async () => {
    await withTempDirAsync(async (dir) => {
      const command = ['sh', '-c', 'cat /etc/hostname > /dev/null'];
      const byDefault = join(dir, 'd.cttrace');
      const named = join(dir, 'n.cttrace');
      expect(runCli(['trace', '-q', '-o', byDefault, '--', ...command]).status).toBe(0);
      expect(runCli(['trace', '-q', '-o', named, '-e', 'trace=default,openat', '--', ...command]).status).toBe(0);
      const opened = async (path: string) =>
        (await readTraceFile(path)).records.filter((r) => r.type === 'syscall' && r.name === 'openat').map((r) => (r.type === 'syscall' ? r.args.pathname : null));
      expect(await opened(byDefault)).toEqual([]);
      expect(await opened(named)).toContain('/etc/hostname');
      expect((await readTraceFile(byDefault)).header.filter.caveats.join(' ')).toMatch(/only for files under \/sys\/fs\/cgroup/);
    });
  });

  it.skipIf(!isRoot)('follows a cgroup fd through dup2, and not once its number names another file', async () => {
    const procs = ['/sys/fs/cgroup/cgroup.procs', '/sys/fs/cgroup/unified/cgroup.procs', '/sys/fs/cgroup/pids/cgroup.procs'].find((path) =>
      existsSync(path),
    );
    expect(procs, 'a cgroup.procs file (cgroupfs is mounted on every machine this runs on)').toBeDefined();
    await withTempDirAsync(async (dir) => {
      const output = join(dir, 'fd.cttrace');
      // "bogus" is refused (EINVAL): nothing moves. The shell writes through fd 1 after a dup2;
      // then fd 3 names the cgroup file, is closed (no stop: close is not in the default set),
      // and names /dev/null when written.
      const script = `echo bogus > ${procs}; exec 3> ${procs}; exec 3>&-; exec 3> /dev/null; echo quiet >&3; true`;
      const result = runCli(['trace', '-q', '-o', output, '--', 'sh', '-c', script]);
      expect(result.status, result.stderr).toBe(0);
      const writes = (await readTraceFile(output)).records.filter((r): r is SyscallRecord => r.type === 'syscall' && r.name === 'write');
      expect(writes.map((r) => [r.args.path, r.err])).toEqual([[procs, 'EINVAL']]);
      expect(writes[0]!.args.fd).toBe(1);
    });
  });

  it('lets a stopped process be continued (group-stop listened to, not swallowed)', async () => {
    await withTempDirAsync(async (dir) => {
      const output = join(dir, 'g.cttrace');
      const result = runCli(['trace', '-q', '-o', output, '-e', 'trace=%process,kill', '--', 'sh', '-c', '(sleep 0.2; kill -CONT $$) & kill -STOP $$; echo resumed']);
      expect(result.status).toBe(0);
      expect(result.stdout).toBe('resumed\n');
      const { records } = await readTraceFile(output);
      const signals = records.filter((r) => r.type === 'signal');
      expect(signals.map((r) => `${r.signal}${r.stop ? ' stop' : ''}`)).toEqual(expect.arrayContaining(['SIGSTOP', 'SIGSTOP stop', 'SIGCONT']));
    });
  });

  it.skipIf(!isRoot)('on Ctrl-C kills what it started, leaves nothing stopped, and saves the trace', async () => {
    await withTempDirAsync(async (dir) => {
      const output = join(dir, 'c.cttrace');
      const child = spawn(process.execPath, [cliPath, 'trace', '-o', output, '--', 'sh', '-c', 'sleep 30 & sleep 30; wait'], {
        stdio: ['ignore', 'pipe', 'pipe'],
      });
      let stderr = '';
      child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
      const sleepers = await waitFor(() => {
        const pids = [...stderr.matchAll(/^(\d+)\s+sleep\s+execve/gm)].map((m) => Number(m[1]));
        return pids.length === 2 ? pids : undefined;
      }, 'two sleeps started').catch((error: unknown) => {
        child.kill('SIGKILL');
        throw new Error(`${String(error)}; its stderr: ${stderr}`);
      });
      child.kill('SIGINT');
      const [code, signal] = await new Promise<[number | null, NodeJS.Signals | null]>((resolve) => child.on('exit', (...end) => resolve(end)));
      expect({ code, signal }, stderr).toEqual({ code: 128 + 9, signal: null });
      // Killed and never left stopped; the orphans' zombies are reaped by init, give it a moment.
      for (const pid of sleepers) expect(['Z', 'X', null]).toContain(processState(pid));
      const deadline = Date.now() + 3000;
      while (sleepers.some((pid) => processState(pid) !== null) && Date.now() < deadline) await new Promise((r) => setTimeout(r, 20));
      for (const pid of sleepers) expect(processState(pid)).toBeNull();
      const { records } = await readTraceFile(output);
      expect(records.at(-1)).toMatchObject({ type: 'end', reason: 'stopped' });
      expect(records.filter((r) => r.type === 'exit' && r.signal === 'SIGKILL').length).toBeGreaterThanOrEqual(3);
    });
  });

  it.skipIf(!isRoot)('on Ctrl-C with -q (records held until the end) still decodes and saves everything', async () => {
    await withTempDirAsync(async (dir) => {
      const output = join(dir, 'q.cttrace');
      // an argument no other process has, to find the sleeps in /proc without decoded lines
      const marker = `${37 + (process.pid % 1000) / 1000}`;
      const child = spawn(process.execPath, [cliPath, 'trace', '-q', '-o', output, '--', 'sh', '-c', `sleep ${marker} & sleep ${marker}; wait`], {
        stdio: ['ignore', 'pipe', 'pipe'],
      });
      const sleepers = await waitFor(() => {
        const pids = readdirSync('/proc')
          .filter((name) => /^\d+$/.test(name))
          .filter((pid) => {
            try {
              return readFileSync(`/proc/${pid}/cmdline`, 'utf8') === `sleep\0${marker}\0`;
            } catch {
              return false;
            }
          })
          .map(Number);
        // asleep (S), not stopped at their exec event (t): the engine has seen their execs
        return pids.length === 2 && pids.every((pid) => processState(pid) === 'S') ? pids : undefined;
      }, 'two sleeps started').catch((error: unknown) => {
        child.kill('SIGKILL');
        throw error;
      });
      let stderr = '';
      child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
      child.kill('SIGINT');
      const [code, signal] = await new Promise<[number | null, NodeJS.Signals | null]>((resolve) => child.on('exit', (...end) => resolve(end)));
      expect({ code, signal }, stderr).toEqual({ code: 128 + 9, signal: null });
      const { records } = await readTraceFile(output);
      expect(records.at(-1)).toMatchObject({ type: 'end', reason: 'stopped' });
      const execs = records.filter((r): r is SyscallRecord => r.type === 'syscall' && r.name === 'execve' && r.ret === 0);
      expect(execs.filter((r) => sleepers.includes(r.pid))).toHaveLength(2);
      expect(records.filter((r) => r.type === 'exit' && r.signal === 'SIGKILL').length).toBeGreaterThanOrEqual(3);
    });
  });
});
