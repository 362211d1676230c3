// `cttrace import`: strace logs of real commands (threads, vfork, signals, calls cut in two by
// <unfinished ...>/<... resumed>, a PID namespace) become traces whose per-task (syscall,
// return) sequences are those `cttrace trace --all` records for the same command: strace -f into
// one file with -tt -T -y --pidns-translation, strace -ff files without times, and lines as
// strace writes them read one by one.
import { execFile, spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { importStrace } from '../tracer/import/strace-import.js';
import { parseStraceLine } from '../tracer/import/strace-lines.js';
import { readTraceFile } from '../tracer/trace/file-reader.js';
import type { SyscallRecord } from '../tracer/trace/records.js';
import { cliPath, isRoot, repoRoot, runCli } from './helpers/cli.js';
import { compareTokens, cttraceRun, tokenize } from './helpers/oracle-sequences.js';

const run = promisify(execFile);

interface ImportCase {
  readonly name: string;
  /** "@program": compiled from test/programs/program.c */
  readonly command: readonly string[];
  readonly strace: readonly string[];
  /** strace writes to its stderr, as on a terminal ([pid N] prefixes, none before the first fork), not with -o */
  readonly toStderr?: boolean;
  /** left out of both sides: depends on scheduling (say why at the case) */
  readonly ignoreSyscalls?: readonly string[];
}

const CASES: readonly ImportCase[] = [
  { name: 'sh -c: vfork children, a failing exec, an exit status (-f -tt -T -y)', command: ['sh', '-c', '/bin/true; /nonexistent/x 2>/dev/null; sh -c "exit 3"; exit 0'], strace: ['-f', '-tt', '-T', '-y'] },
  // futex: whether pthread_join sleeps depends on scheduling
  { name: 'threads, their calls cut by others (-f -ttt)', command: ['@threads'], strace: ['-f', '-ttt'], ignoreSyscalls: ['futex'] },
  { name: 'signals: handlers, kills, children killed (-ff, no times)', command: ['@signals'], strace: ['-ff'] },
  { name: 'strace -f on its stderr: [pid N] prefixes, none before the first fork', command: ['sh', '-c', '/bin/true; sh -c "exit 3"; exit 0'], strace: ['-f'], toStderr: true },
  { name: 'strace without -f: one process, no pids at all', command: ['/bin/true'], strace: [] },
  {
    name: 'a PID namespace: unshare --fork --pid, pids inside and out (-f -tt --pidns-translation)',
    command: ['unshare', '--fork', '--pid', '--mount-proc', 'sh', '-c', 'sh -c "echo \\$\\$"; true'],
    strace: ['-f', '-tt', '--pidns-translation'],
  },
];

describe.skipIf(!isRoot)('cttrace import: the same calls as cttrace trace', () => {
  let work: string;
  let binaries: string;

  beforeAll(async () => {
    work = mkdtempSync(join(tmpdir(), 'cttrace-import-'));
    binaries = join(work, 'bin');
    mkdirSync(binaries);
    for (const program of ['threads', 'signals']) {
      await run('gcc', ['-O1', '-Wall', '-Werror', '-pthread', '-o', join(binaries, program), join(repoRoot, 'test', 'programs', `${program}.c`)]);
    }
  }, 30_000);

  afterAll(() => rmSync(work, { recursive: true, force: true }));

  CASES.forEach((testCase, index) => {
    it(testCase.name, { timeout: 30_000 }, async () => {
      const dir = join(work, `case-${index}`);
      mkdirSync(dir);
      const argv = testCase.command.map((word) => (word.startsWith('@') ? join(binaries, word.slice(1)) : word));
      const log = join(dir, 'log');
      const strace = spawnSync('strace', ['-q', ...testCase.strace, ...(testCase.toStderr ? [] : ['-o', log]), '--', ...argv], { cwd: dir, encoding: 'utf8' });
      expect(strace.error).toBeUndefined();
      if (testCase.toStderr) {
        expect(strace.stderr).toMatch(/^\[pid +\d+\] /m);
        writeFileSync(log, strace.stderr);
      }
      const traced = join(dir, 'traced.cttrace');
      const trace = spawnSync(process.execPath, [cliPath, 'trace', '-q', '--all', '-o', traced, '--', ...argv], { cwd: dir, encoding: 'utf8' });
      expect(trace.status, trace.stderr).toBe(strace.status);

      const imported = join(dir, 'imported.cttrace');
      // -ff: log.PID files, imported by their prefix
      if (testCase.strace.includes('-ff')) expect(readdirSync(dir).filter((file) => file.startsWith('log.')).length).toBeGreaterThan(1);
      const result = runCli(['import', log, '-o', imported]);
      expect(result.stderr).toMatch(/^cttrace: \d+ records of \d+ tasks imported into /);
      expect(result.status).toBe(0);

      const options = { ignoreSignals: new Set(['SIGCHLD']), ...(testCase.ignoreSyscalls ? { ignoreSyscalls: new Set(testCase.ignoreSyscalls) } : {}) };
      const fromTrace = tokenize(cttraceRun((await readTraceFile(traced)).records), options);
      const fromImport = tokenize(cttraceRun((await readTraceFile(imported)).records), options);
      expect(fromImport.size).toBeGreaterThan(0);
      expect(compareTokens(fromTrace, fromImport).join('\n\n')).toBe('');
    });
  });
});

describe('strace lines', () => {
  it('reads the prefixes, times, the two halves of a cut call, returns and -T', () => {
    expect(parseStraceLine('[pid  4242] 12:00:01.500000 write(1</dev/pts/0>, "a) = 1", 6 <unfinished ...>')).toEqual({
      pid: 4242,
      seconds: 43201.5,
      event: { kind: 'unfinished', name: 'write', args: '1</dev/pts/0>, "a) = 1", 6', pidChangedTo: null },
    });
    expect(parseStraceLine('4242  1701234567.000250 <... write resumed>) = 6 <0.000123>')).toEqual({
      pid: 4242,
      seconds: 1701234567.00025,
      event: { kind: 'resumed', name: 'write', args: '', ret: '6', spent: 0.000123 },
    });
    expect(parseStraceLine('--- SIGCHLD {si_signo=SIGCHLD, si_code=CLD_EXITED, si_pid=7, si_uid=0, si_status=0} ---').event).toEqual({
      kind: 'signal',
      signal: 'SIGCHLD',
      info: '{si_signo=SIGCHLD, si_code=CLD_EXITED, si_pid=7, si_uid=0, si_status=0}',
    });
  });

  it('makes records: a call cut in two is one, at its start, recorded when it returns; clone in a PID namespace has both pids; a thread joins its group', () => {
    const log = [
      '100 execve("/bin/app", ["app", "--x"], 0x7ffd /* 3 vars */) = 0',
      '100 clone(child_stack=NULL, flags=CLONE_NEWPID|SIGCHLD) = 1 /* 101 in strace\'s PID NS */',
      '101 getpid() = 1',
      '100 wait4(-1,  <unfinished ...>',
      '101 clone3({flags=CLONE_VM|CLONE_THREAD, exit_signal=0} => {parent_tid=[2]}, 88) = 2 /* 102 in strace\'s PID NS */',
      '102 exit(0) = ?',
      '102 +++ exited with 0 +++',
      '101 exit_group(7) = ?',
      '101 +++ exited with 7 +++',
      '100 <... wait4 resumed>[{WIFEXITED(s) && WEXITSTATUS(s) == 7}], 0, NULL) = 1 /* 101 in strace\'s PID NS */',
      '100 +++ exited with 0 +++',
    ].join('\n');
    const { header, records } = importStrace([{ name: 'log', text: log, pid: null }]);
    expect(header.command).toEqual(['app', '--x']);
    expect(header.filter.mode).toBe('import');
    const processes = records.filter((record) => record.type === 'process' && record.reason === 'new');
    expect(processes.map((record) => record.type === 'process' && [record.pid, record.tgid, record.ppid, record.nspid])).toEqual([
      [100, 100, 0, [100]],
      [101, 101, 100, [101, 1]],
      [102, 101, 101, [102, 2]],
    ]);
    const calls = records.filter((record): record is SyscallRecord => record.type === 'syscall');
    const clone = calls.find((call) => call.name === 'clone')!;
    expect(clone.args.flags).toEqual(['CLONE_NEWPID', 'SIGCHLD']);
    expect(clone.retPid).toEqual({ host: 101, ns: 1 });
    const wait = calls.find((call) => call.name === 'wait4')!;
    // as cttrace records a call: when it returns (after the clone3 made meanwhile), at the time it began
    const clone3 = calls.find((call) => call.name === 'clone3')!;
    expect(calls.indexOf(wait)).toBeGreaterThan(calls.indexOf(clone3));
    expect(wait.t).toBeLessThan(clone3.t);
    expect(wait.ret).toBe(1);
    expect(wait.retPid).toEqual({ host: 101, ns: 1 });
    expect(records.at(-1)).toEqual({ type: 'end', t: expect.any(Number), reason: 'done', status: 0 });
  });

  it('refuses a file that is not an strace log in one line, naming the line', () => {
    const dir = mkdtempSync(join(tmpdir(), 'cttrace-import-bad-'));
    try {
      const notes = join(dir, 'notes.txt');
      writeFileSync(notes, 'hello world\n');
      const result = runCli(['import', notes, '-o', join(dir, 'x.cttrace')]);
      expect(result.status).toBe(1);
      expect(result.stderr).toBe(`cttrace: cannot import: ${notes} line 1: not a line strace writes: hello world\n`);
      expect(existsSync(join(dir, 'x.cttrace'))).toBe(false);
      const missing = runCli(['import', join(dir, 'nothing')]);
      expect(missing.stderr).toBe(`cttrace: ${join(dir, 'nothing')}: no such file, nor strace -ff files ${join(dir, 'nothing')}.PID\n`);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
