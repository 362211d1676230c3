// The oracle: real commands traced twice, once by `strace -f` and once by `cttrace trace`, with
// the same syscall set; per task (named by its place in the process tree, since tids differ
// between runs), the sequence of (syscall, return value), signal deliveries and the exit must be
// the same. Pid-valued returns become the name of the task they point at (see
// test/oracle-sequences.ts); addresses (mmap, brk) become ADDR.
//
// The test programs (test/programs/*.c) are written to be deterministic: each says how. What
// cannot be made so is left out, on both sides alike:
// - SIGCHLD deliveries everywhere (with the rt_sigreturn of a handler that made no traced call):
//   when a child exits before its parent reaches wait4 (a vfork parent resumes while its child
//   runs), SIGCHLD arrives at a different point of the parent's calls from run to run;
// - in --all mode, a few syscalls named at their case (futex of threads, /proc polling).
// The two tracers run at the same time; both write into a temporary directory removed at the end.
import { execFile, spawn } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { readTraceFile } from '../tracer/trace/file-reader.js';
import type { TraceRecord } from '../tracer/trace/records.js';
import { compareTokens, cttraceRun, parseStraceLines, readStraceRun, tokenize, type TokenOptions } from './helpers/oracle-sequences.js';

const run = promisify(execFile);
const here = dirname(fileURLToPath(import.meta.url));
const repo = resolve(here, '..');
const cli = join(repo, 'bin', 'cttrace.js');

function which(program: string): string | null {
  for (const dir of (process.env.PATH ?? '').split(':')) {
    const candidate = join(dir, program);
    if (dir && existsSync(candidate)) return candidate;
  }
  return null;
}

const skipReason =
  process.getuid?.() !== 0
    ? 'not root (ptrace of namespaced commands, unshare and strace need it)'
    : !which('strace')
      ? 'strace is not installed'
      : !which('gcc')
        ? 'gcc is not installed (the test programs are C)'
        : !which('unshare')
          ? 'unshare (util-linux) is not installed'
          : !existsSync(join(repo, 'dist', 'tracer', 'cli', 'main.js'))
            ? 'cttrace is not built (npm run build)'
            : null;
if (skipReason) console.warn(`oracle test skipped: ${skipReason}`);

/** The syscalls every filtered case traces: what builds the process tree and ends tasks. */
const PROCESS = 'clone,clone3,fork,vfork,execve,execveat,exit,exit_group,wait4';

interface OracleCase {
  readonly name: string;
  /** argv; "@program" is a test program compiled from test/programs/program.c */
  readonly command: readonly string[];
  /** a trace= list for both tracers; null: every syscall (strace without -e, cttrace --all) */
  readonly syscalls: string | null;
  readonly ignoreSyscalls?: readonly string[];
  /** more syscalls to leave out under one backend only (each says why at its case) */
  readonly ignoreUnder?: Partial<Record<Backend, readonly string[]>>;
}

type Backend = 'ptrace' | 'ebpf';
/** Each case runs under both engines: the eBPF backend must see what ptrace and strace see. */
const BACKENDS: readonly Backend[] = ['ptrace', 'ebpf'];

const UNSHARE = ['unshare', '--fork', '--pid', '--mount', '--uts', '--ipc', '--net', '--mount-proc', 'sh', '-c', 'sh -c "echo \\$\\$"; hostname'];

const SH_SCRIPT = ['sh', '-c', '/bin/true; echo built-in; /nonexistent/oracle-cmd 2>/dev/null; exit 3'];

const CASES: readonly OracleCase[] = [
  {
    name: 'unshare --fork --pid --mount-proc … sh -c (namespaces, vfork, pids inside a PID namespace)',
    command: UNSHARE,
    syscalls: `${PROCESS},unshare,mount,openat,close,write,getpid,getppid,set_tid_address,uname,rt_sigreturn`,
  },
  {
    name: 'threads: four threads open, write, close, getpid, gettid, exit; joined',
    command: ['@threads'],
    syscalls: `${PROCESS},openat,close,write,getpid,gettid,set_tid_address`,
  },
  {
    name: 'a non-leader thread calls execve while the leader sits in pause() and a thread in read()',
    command: ['@thread-exec'],
    syscalls: `${PROCESS},openat,write,read,getpid,gettid,pause,pipe2,set_tid_address`,
    // the execing thread polls the others' state with getpid among its calls: a tracer that stops
    // it at each getpid lets the others fall asleep within one round; nobody stops under eBPF
    ignoreUnder: { ebpf: ['getpid'] },
  },
  {
    name: 'the leader thread exits first, the others go on',
    command: ['@leader-exit'],
    syscalls: `${PROCESS},openat,close,getpid`,
  },
  {
    name: 'posix_spawn of /bin/true and of a missing path (clone3 CLONE_VM|CLONE_VFORK)',
    command: ['@spawn'],
    syscalls: `${PROCESS},openat,close,rt_sigprocmask,set_tid_address`,
  },
  {
    name: 'sh -c: vfork + execve, a builtin, a failing command',
    command: SH_SCRIPT,
    syscalls: `${PROCESS},openat,close,write,dup2,fcntl,getpid,getppid,rt_sigreturn`,
  },
  {
    name: 'thirty forks back to back, some with grandchildren',
    command: ['@fork-burst'],
    syscalls: `${PROCESS},getpid`,
  },
  {
    name: 'execve of a missing path, of a non-executable file, then of /bin/true',
    command: ['@exec-fail'],
    syscalls: `${PROCESS},openat,close,access`,
  },
  {
    name: 'signals: a handler (kill, raise, from a child, in rt_sigsuspend); children killed by SIGKILL, SIGTERM, abort; a SIGSEGV handler',
    command: ['@signals'],
    syscalls: `${PROCESS},kill,tgkill,getpid,getppid,gettid,rt_sigaction,rt_sigprocmask,rt_sigsuspend,rt_sigreturn,write,read,pipe2,prlimit64`,
  },
  {
    name: 'group-stop of a multi-threaded process: SIGSTOP, waitpid(WUNTRACED), SIGCONT',
    command: ['@group-stop'],
    syscalls: `${PROCESS},kill,tgkill,gettid,read,write,pipe2`,
  },
  // Every syscall: strace -f without -e against cttrace --all.
  { name: '--all: unshare --fork --pid --mount-proc … sh -c', command: UNSHARE, syscalls: null },
  { name: '--all: execve failures then /bin/true', command: ['@exec-fail'], syscalls: null },
  { name: '--all: posix_spawn', command: ['@spawn'], syscalls: null },
  { name: '--all: signals', command: ['@signals'], syscalls: null },
  { name: '--all: sh -c with vfork children', command: SH_SCRIPT, syscalls: null },
  { name: '--all: thirty forks', command: ['@fork-burst'], syscalls: null },
  // futex is left out: whether pthread_join or a contended mutex sleeps depends on scheduling.
  { name: '--all: threads', command: ['@threads'], syscalls: null, ignoreSyscalls: ['futex'] },
  // futex as above; getpid, open, pread64 and close are the execing thread's polling of /proc,
  // as often as it takes the others to fall asleep.
  { name: '--all: non-leader execve', command: ['@thread-exec'], syscalls: null, ignoreSyscalls: ['futex', 'getpid', 'open', 'pread64', 'close'] },
];

let work = '';
let binaries = '';

function argvOf(command: readonly string[]): string[] {
  return command.map((word) => (word.startsWith('@') ? join(binaries, word.slice(1)) : word));
}

interface Finished {
  readonly code: number | null;
  readonly signal: NodeJS.Signals | null;
  readonly stderr: string;
  readonly pid: number;
}

function runProcess(argv: readonly string[], cwd: string): Promise<Finished> {
  return new Promise((done, fail) => {
    const child = spawn(argv[0]!, argv.slice(1), { cwd, stdio: ['ignore', 'ignore', 'pipe'] });
    let stderr = '';
    child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
    child.on('error', fail);
    child.on('close', (code, signal) => done({ code, signal, stderr, pid: child.pid! }));
  });
}

async function traceBoth(oracle: OracleCase, index: number, backend: Backend) {
  const dir = join(work, `case-${backend}-${index}`);
  mkdirSync(dir);
  const argv = argvOf(oracle.command);
  const filter = oracle.syscalls === null ? [] : ['-e', `trace=${oracle.syscalls}`];
  const traceFile = join(dir, 'trace.cttrace');
  const [strace, cttrace] = await Promise.all([
    runProcess(['strace', '-f', '-ff', '-q', '--pidns-translation', '-o', join(dir, 's'), ...filter, '--', ...argv], dir),
    runProcess(
      [process.execPath, cli, 'trace', '-q', '--backend', backend, '-o', traceFile, ...(oracle.syscalls === null ? ['--all'] : filter), '--', ...argv],
      dir,
    ),
  ]);
  if (strace.code === null || readdirSync(dir).filter((f) => f.startsWith('s.')).length === 0) {
    throw new Error(`strace failed (${strace.code ?? strace.signal}): ${strace.stderr}`);
  }
  if (!existsSync(traceFile)) throw new Error(`cttrace wrote no trace (exit ${cttrace.code ?? cttrace.signal}): ${cttrace.stderr}`);
  const { records } = await readTraceFile(traceFile);
  return { strace, cttrace, straceRun: readStraceRun(dir, 's', strace.pid), cttraceRun: cttraceRun(records) };
}

describe.skipIf(skipReason !== null)('oracle: cttrace and strace -f see the same calls', () => {
  beforeAll(async () => {
    work = mkdtempSync(join(tmpdir(), 'cttrace-oracle-'));
    binaries = join(work, 'bin');
    mkdirSync(binaries);
    const programs = join(here, 'programs');
    await Promise.all(
      readdirSync(programs)
        .filter((file) => file.endsWith('.c'))
        .map((file) => run('gcc', ['-O1', '-Wall', '-Werror', '-pthread', '-o', join(binaries, file.slice(0, -2)), join(programs, file)])),
    );
  }, 30_000);

  afterAll(() => {
    if (work) rmSync(work, { recursive: true, force: true });
  });

  for (const backend of BACKENDS) CASES.forEach((oracle, index) => {
    it(`${backend}: ${oracle.name}`, { timeout: 20_000 }, async () => {
      const { strace, cttrace, straceRun, cttraceRun: traced } = await traceBoth(oracle, index, backend);
      const options: TokenOptions = {
        ignoreSignals: new Set(['SIGCHLD']),
        ignoreSyscalls: new Set([...(oracle.ignoreSyscalls ?? []), ...(oracle.ignoreUnder?.[backend] ?? [])]),
      };
      const expected = tokenize(straceRun, options);
      const actual = tokenize(traced, options);
      const problems = compareTokens(expected, actual);
      expect(problems.join('\n\n'), `${oracle.command.join(' ')}: cttrace's trace differs from strace's`).toBe('');
      // Both tracers exit with the command's status.
      expect(cttrace.code, cttrace.stderr).toBe(strace.code);
    });
  });
});

// The oracle's own parts, on recorded text: these run without root.
describe('oracle helpers', () => {
  const leader = [
    'execve("./t", ["./t"], 0x7ffc5e978be0 /* 35 vars */) = 0',
    'clone3({flags=CLONE_VM|CLONE_THREAD, exit_signal=0} => {parent_tid=[15616]}, 88) = 15616',
    'pause()                                 = ?',
    '+++ superseded by execve in pid 15616 +++',
    '<... execve resumed>)                   = 0',
    'openat(AT_FDCWD, "/x) = 1", O_RDONLY)   = -1 ENOENT (No such file or directory)',
    'rt_sigsuspend([], 8)                    = ? ERESTARTNOHAND (To be restarted if no handler)',
    '--- SIGUSR1 {si_signo=SIGUSR1, si_code=SI_USER, si_pid=15608, si_uid=0} ---',
    'rt_sigreturn({mask=[]})                 = -1 EINTR (Interrupted system call)',
    'mmap(NULL, 8192, PROT_READ|PROT_WRITE, MAP_PRIVATE|MAP_ANONYMOUS, -1, 0) = 0x7f2354f2a000',
    'vfork()                                 = 2 /* 16506 in strace\'s PID NS */',
    'wait4(-1, [{WIFEXITED(s) && WEXITSTATUS(s) == 0}], 0, NULL) = 2',
    'getppid()                               = 999',
    'read(5,  <unfinished ...>)              = ?',
    'exit_group(0)                           = ?',
    '+++ killed by SIGABRT (core dumped) +++',
  ].join('\n');
  const thread = ['write(3, "x", 1)                        = 1', 'execve("/bin/true", ["true"], 0x7f2354f29eb8 /* 0 vars */ <pid changed to 15615 ...>'].join('\n');

  it('reads strace -ff lines into events and tokens', () => {
    const tasks = new Map([
      [15615, parseStraceLines(leader)],
      [15616, parseStraceLines(thread)],
      [16506, parseStraceLines('exit_group(0) = ?\n+++ exited with 0 +++')],
    ]);
    const tokens = tokenize({ root: 15615, tracerPid: 999, tasks });
    expect(tokens.get('1')).toEqual([
      'execve = 0',
      'clone3 = <1.1>',
      'pause = ?',
      '+++ superseded by execve +++',
      'execve = 0',
      'openat = -ENOENT',
      'rt_sigsuspend = -ERESTARTNOHAND',
      '--- SIGUSR1 SI_USER ---',
      'rt_sigreturn = -EINTR',
      'mmap = ADDR',
      'vfork = 2',
      'wait4 = 2',
      'getppid = <TRACER>',
      'read = ?',
      'exit_group = ?',
      '+++ killed by SIGABRT (core dumped) +++',
    ]);
    expect(tokens.get('1.1')).toEqual(['write = 1', "execve <pid changed to the leader's>"]);
    // vfork's child is named through strace's host pid (--pidns-translation)
    expect(tokens.get('1.2')).toEqual(['exit_group = ?', '+++ exited with 0 +++']);
  });

  it('refuses strace lines it does not understand', () => {
    expect(() => parseStraceLines('something else entirely', 'x.1')).toThrow(/x\.1: line not understood/);
  });

  it('reads a .cttrace run the same way', () => {
    const base = { t: 0, nr: 0, args: {}, dur: 0, raw: [], family: 'other' } as const;
    const records = [
      { type: 'process', t: 0, pid: 10, tgid: 10, ppid: 5, nspid: [10], comm: 't', ns: {}, reason: 'new' },
      { ...base, type: 'syscall', pid: 10, name: 'clone3', ret: 11, err: null, retPid: { host: 11, ns: 11 } },
      { ...base, type: 'syscall', pid: 10, name: 'pause', ret: null, err: null, unfinished: true },
      { type: 'exec', t: 0, pid: 10, formerPid: 11, comm: 'true' },
      { ...base, type: 'syscall', pid: 10, name: 'execve', ret: 0, err: null },
      { ...base, type: 'syscall', pid: 10, name: 'getppid', ret: 5, err: null },
      { ...base, type: 'syscall', pid: 10, name: 'rt_sigsuspend', ret: -514, err: 'ERESTARTNOHAND' },
      { type: 'signal', t: 0, pid: 10, signal: 'SIGCHLD', signo: 17, code: 1, codeName: 'CLD_EXITED', sender: null, stop: false },
      { ...base, type: 'syscall', pid: 10, name: 'rt_sigreturn', ret: 11, err: null },
      { type: 'exit', t: 0, pid: 10, signal: 'SIGKILL' },
    ] as unknown as TraceRecord[];
    const tokens = tokenize(cttraceRun(records), { ignoreSignals: new Set(['SIGCHLD']) });
    expect(tokens.get('1')).toEqual([
      'clone3 = <1.1>',
      'pause = ?',
      '+++ superseded by execve +++',
      'execve = 0',
      'getppid = <TRACER>',
      'rt_sigsuspend = -ERESTARTNOHAND',
      // the rt_sigreturn of a left-out signal's handler goes with it
      '+++ killed by SIGKILL +++',
    ]);
    expect(tokens.get('1.1')).toEqual(["execve <pid changed to the leader's>"]);
  });

  it('shows the first difference of each task', () => {
    const strace = new Map([
      ['1', ['execve = 0', 'clone = <1.1>', 'wait4 = <1.1>', 'exit_group = ?']],
      ['1.1', ['exit_group = ?']],
    ]);
    const cttrace = new Map([
      ['1', ['execve = 0', 'clone = <1.1>', 'exit_group = ?']],
      ['1.1', ['exit_group = ?']],
      ['1.2', ['exit_group = ?']],
    ]);
    const problems = compareTokens(strace, cttrace);
    expect(problems).toHaveLength(2);
    expect(problems[0]).toContain('task 1: first difference at event 2 (strace 4 events, cttrace 3)');
    expect(problems[0]).toMatch(/strace:[\s\S]*>\s+2  wait4 = <1\.1>[\s\S]*cttrace:[\s\S]*>\s+2  exit_group = \?/);
    expect(problems[1]).toContain("task 1.2: only in cttrace's trace");
    expect(compareTokens(strace, new Map(strace))).toEqual([]);
  });
});
