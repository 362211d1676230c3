// Line parity with strace 6.1: test/programs/decode-edges.c makes every decoded call with edge
// cases (NULL and unreadable pointers, unknown flag bits and values, garbage above 32-bit
// arguments, strings over 32 bytes, errnos, structs), run under `strace` and under `cttrace
// trace` with the same display options; the calls of the program's own task must read the same,
// character for character after cttrace's pid/comm columns, padding included.
//
// strace runs without -f, so its lines carry no pid prefix and are aligned from the call's first
// character, as cttrace's are after its columns (the program's children are checked apart).
// What cannot be the same between two runs is made so on both sides: the addresses of the
// stack (ASLR), the children's pids. cttrace's own notes after a result (the path a write went
// to, where a child sits in its pid namespace) are taken off; strace has no such notes.
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { signatures as decodedSyscalls } from '../tracer/decode/signatures.js';
import { cliPath, isRoot, repoRoot } from './helpers/cli.js';

const signatures = decodedSyscalls();
const DECODED = [...signatures.keys()].join(',');
/** A fixed environment: execve's envp is shown (with -v) or counted. */
const ENVIRONMENT = { PATH: '/usr/bin:/bin', LANG: 'C', CTTRACE_EDGE: 'yes' };

let work = '';
let program = '';

beforeAll(() => {
  work = mkdtempSync(join(tmpdir(), 'cttrace-parity-'));
  program = join(work, 'decode-edges');
  const built = spawnSync('gcc', ['-static', '-O1', '-Wall', '-Werror', '-o', program, join(repoRoot, 'test', 'programs', 'decode-edges.c')], { encoding: 'utf8' });
  if (built.status !== 0) throw new Error(`gcc failed: ${built.stderr}`);
});

afterAll(() => {
  if (work) rmSync(work, { recursive: true, force: true });
});

/** Child pids in order of appearance become CHILD1, CHILD2...; stack and mmap addresses ADDR. */
function normalise(lines: readonly string[]): string[] {
  const children = new Map<string, string>();
  for (const line of lines) {
    const made = /^(?:clone3?|fork|vfork)\(.*\) += (\d+)/.exec(line);
    if (made && !children.has(made[1]!)) children.set(made[1]!, `CHILD${children.size + 1}`);
  }
  return lines.map((line) => {
    let text = line.replace(/0x7[0-9a-f]{11}\b/g, 'ADDR').replace(/\b((?:ru|tv)_\w+)=\d+/g, '$1=N');
    // A pid in the arguments has as many digits as that run gave it, so the padding before
    // " = " differs between runs there: such lines are compared unpadded.
    const call = text.slice(0, text.search(/ += /));
    if ([...children.keys()].some((pid) => new RegExp(`\\b${pid}\\b`).test(call))) text = text.replace(/ += /, ' = ');
    for (const [pid, name] of children) text = text.replace(new RegExp(`\\b${pid}\\b`, 'g'), name);
    return text;
  });
}

function straceLines(flags: readonly string[]): string[] {
  const output = join(work, 'strace.txt');
  const run = spawnSync('strace', ['-qq', '-e', 'signal=none', ...flags, '-e', `trace=${DECODED}`, '-o', output, program], { env: ENVIRONMENT, encoding: 'utf8' });
  expect(run.status, run.stderr).toBe(0);
  return readFileSync(output, 'utf8').split('\n').filter(Boolean);
}

interface CttraceRun {
  /** the program's own task: its calls, columns taken off */
  readonly main: string[];
  /** every other task's calls */
  readonly others: string[];
}

function cttraceLines(flags: readonly string[], extra: readonly string[] = []): CttraceRun {
  const run = spawnSync(process.execPath, [cliPath, 'trace', ...flags, ...extra, '-e', `trace=${DECODED}`, '-o', join(work, 'run.cttrace'), '--', program], {
    env: ENVIRONMENT,
    encoding: 'utf8',
  });
  expect(run.status, run.stderr).toBe(0);
  const lines = run.stderr.split('\n').filter((line) => /^\d/.test(line));
  const mainPid = lines[0]!.split(/\s+/)[0]!;
  const calls = (pid: (id: string) => boolean) =>
    lines
      .filter((line) => pid(line.split(/\s+/)[0]!.split('/')[0]!))
      .map((line) => line.slice(29))
      .filter((line) => !/^(---|\+\+\+) /.test(line))
      .map((line) => line.replace(/ \[child is pid \d+ in its namespace\]$/, '').replace(/ <\/[^>]*>$/, ''));
  return { main: calls((id) => id === mainPid), others: calls((id) => id !== mainPid) };
}

// strace's display options, each run on both tracers.
const VARIANTS: readonly (readonly string[])[] = [[], ['-s', '5'], ['-s', '100'], ['-v'], ['-v', '-X', 'raw'], ['-v', '-X', 'verbose'], ['-a', '20'], ['-a', '60'], ['-X', 'raw'], ['-X', 'verbose'], ['-y'], ['-y', '-X', 'raw']];

describe.skipIf(!isRoot)('every decoded call reads as strace 6.1 prints it (root: the program unshares)', () => {
  for (const flags of VARIANTS) {
    it(`same lines with ${flags.length ? flags.join(' ') : 'the defaults'}`, () => {
      expect(normalise(cttraceLines(flags).main)).toEqual(normalise(straceLines(flags)));
    });
  }

  it('the same from `cttrace show` of the saved trace: -y and -v read what the trace kept (working directories, programs)', () => {
    const flags = ['-y', '-v'];
    cttraceLines(flags);
    const shown = spawnSync(process.execPath, [cliPath, 'show', ...flags, join(work, 'run.cttrace')], { encoding: 'utf8' });
    expect(shown.status, shown.stderr).toBe(0);
    const lines = shown.stdout.split('\n').filter((line) => /^\d/.test(line));
    const mainPid = lines[0]!.split(/\s+/)[0]!;
    const main = lines
      .filter((line) => line.split(/\s+/)[0] === mainPid)
      .map((line) => line.slice(29))
      .filter((line) => !/^(---|\+\+\+) /.test(line))
      .map((line) => line.replace(/ \[child is pid \d+ in its namespace\]$/, ''));
    expect(normalise(main)).toEqual(normalise(straceLines(flags)));
  });

  it('the same under --all, for the decoded calls', () => {
    const expected = normalise(straceLines([]));
    const names = new Set(signatures.keys());
    const actual = normalise(cttraceLines([], ['--all']).main.filter((line) => names.has(line.slice(0, line.indexOf('(')))));
    expect(actual).toEqual(expected);
  });

  it('the same from the eBPF backend, which reads the same values in the kernel (-v: seccomp programs too; -y: working directories)', () => {
    for (const flags of [['-v'], ['-y']]) {
      const expected = normalise(straceLines(flags));
      expect(normalise(cttraceLines(flags, ['--backend', 'ebpf']).main)).toEqual(expected);
    }
  });

  it("the children's calls too", () => {
    const { others } = cttraceLines([]);
    expect(others).toEqual([`exit_group(42)${' '.repeat(25)} = ?`, `exit_group(3)${' '.repeat(26)} = ?`, `exit_group(5)${' '.repeat(26)} = ?`, `exit_group(7)${' '.repeat(26)} = ?`]);
  });
});
