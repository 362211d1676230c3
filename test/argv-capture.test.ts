// The engine copies execve's argv out of the tracee in batches (native/capture.c): page
// boundaries, long and empty strings, a string at the end of the mapped memory, and a bad
// pointer must come out exactly as the program passed them.
import { spawnSync } from 'node:child_process';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { readTraceFile } from '../tracer/trace/file-reader.js';
import type { SyscallRecord } from '../tracer/trace/records.js';
import { repoRoot, runCli, withTempDirAsync } from './helpers/cli.js';

const hasGcc = spawnSync('gcc', ['--version']).status === 0;
if (!hasGcc) console.warn('argv capture test skipped: gcc is not installed (the test program is C)');

const EXPECTED_ARGV = ['first', 'L'.repeat(300), '', 'edge', ...Array.from({ length: 90 }, (_, i) => `n${i}`)];

describe.skipIf(!hasGcc)('execve argv as the engine copies it', () => {
  it('matches what the program passed, across pages and up to a bad pointer', async () => {
    await withTempDirAsync(async (dir) => {
      const program = join(dir, 'exec-argv');
      const built = spawnSync('gcc', ['-O1', '-Wall', '-Werror', '-o', program, join(repoRoot, 'test', 'programs', 'exec-argv.c')], { encoding: 'utf8' });
      expect(built.status, built.stderr).toBe(0);
      const traceFile = join(dir, 'argv.cttrace');
      const result = runCli(['trace', '-q', '-e', 'trace=execve', '-o', traceFile, '--', program]);
      expect(result.status, result.stderr).toBe(0);
      const { records } = await readTraceFile(traceFile);
      const execs = records.filter((r): r is SyscallRecord => r.type === 'syscall' && r.name === 'execve');
      expect(execs.map((r) => r.err)).toEqual([null, 'ENOENT', 'EFAULT']);
      expect(execs[1]!.args['argv']).toEqual(EXPECTED_ARGV);
      // the kernel stops at the bad pointer, and so does the copy
      expect(execs[2]!.args['argv']).toEqual(['before']);
    });
  });
});
