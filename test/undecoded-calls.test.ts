// Calls cttrace has no signature for: strace prints them with as many raw arguments as the call
// takes (its syscall table's nargs), and so must cttrace (tracer/tables/syscall-args.in), not six.
// test/programs/every-syscall.c makes every x86_64 syscall refused with ENOSYS; `strace -e
// raw=all` shows each with its argument count; cttrace's line for each call it does not decode
// must equal strace's raw line.
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { signatures } from '../tracer/decode/signatures.js';
import { argumentCount } from '../tracer/tables/syscalls.js';
import { cliPath, repoRoot } from './helpers/cli.js';

/** cttrace's pid and comm columns */
const COLUMNS = 29;
const REFUSED = / = -1 ENOSYS \(Function not implemented\)$/;

let work = '';
let program = '';
let straceRaw: string[] = [];

beforeAll(() => {
  work = mkdtempSync(join(tmpdir(), 'cttrace-undecoded-'));
  program = join(work, 'every-syscall');
  const built = spawnSync('gcc', ['-static', '-O1', '-Wall', '-Werror', '-o', program, join(repoRoot, 'test', 'programs', 'every-syscall.c')], { encoding: 'utf8' });
  if (built.status !== 0) throw new Error(`gcc failed: ${built.stderr}`);
  const output = join(work, 'strace.txt');
  const run = spawnSync('strace', ['-qq', '-e', 'signal=none', '-e', 'raw=all', '-o', output, program], { encoding: 'utf8' });
  if (run.status !== 0) throw new Error(`strace failed: ${run.stderr}`);
  straceRaw = readFileSync(output, 'utf8').split('\n').filter((line) => REFUSED.test(line));
});

afterAll(() => {
  if (work) rmSync(work, { recursive: true, force: true });
});

const nameOf = (line: string) => line.slice(0, line.indexOf('('));

describe('calls without a signature', () => {
  it('take as many arguments as strace 6.1 gives each syscall it knows', () => {
    const known = straceRaw.filter((line) => !nameOf(line).startsWith('syscall_'));
    expect(known.length).toBeGreaterThan(350);
    const wrong = known
      .map((line) => {
        const inside = line.slice(line.indexOf('(') + 1, line.indexOf(')'));
        return { name: nameOf(line), strace: inside === '' ? 0 : inside.split(', ').length };
      })
      .filter(({ name, strace }) => argumentCount(name) !== strace)
      .map(({ name, strace }) => `${name}: table ${argumentCount(name)}, strace ${strace}`);
    expect(wrong).toEqual([]);
  });

  it('read as strace prints them raw, under --all', () => {
    const run = spawnSync(process.execPath, [cliPath, 'trace', '--all', '-o', join(work, 'run.cttrace'), '--', program], { encoding: 'utf8' });
    expect(run.status, run.stderr).toBe(0);
    const undecoded = (line: string) => !signatures().has(nameOf(line));
    const actual = run.stderr
      .split('\n')
      .filter((line) => /^\d/.test(line))
      .map((line) => line.slice(COLUMNS))
      .filter((line) => REFUSED.test(line) && undecoded(line));
    // strace knows no name for the numbers after its table (451 on): cttrace's table names them
    const expected = straceRaw.filter((line) => undecoded(line) && !nameOf(line).startsWith('syscall_'));
    expect(actual.slice(0, expected.length)).toEqual(expected);
    expect(actual.length - expected.length).toBe(straceRaw.filter((line) => nameOf(line).startsWith('syscall_')).length);
  });
});
