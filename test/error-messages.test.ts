// Errors a user can meet name their real cause in one line, with the fix; none is an internal
// error: cttrace run under strace -f, a full disk for the trace, the export or standard output,
// an unwritable --raw-output, a CTTRACE_HOME that is a file or cannot be made.
import { spawnSync } from 'node:child_process';
import { closeSync, openSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { cliPath, isRoot, repoRoot, withTempDir } from './helpers/cli.js';

const RUNC = join(repoRoot, 'traces', 'busybox-runc.cttrace');

function cttrace(args: readonly string[], options: { stdout?: number; env?: NodeJS.ProcessEnv; wrapper?: readonly string[] } = {}) {
  const [command, ...prefix] = options.wrapper ?? [process.execPath];
  return spawnSync(command!, [...prefix, ...(options.wrapper ? [process.execPath] : []), cliPath, ...args], {
    cwd: repoRoot,
    encoding: 'utf8',
    timeout: 60_000,
    env: options.env ?? process.env,
    stdio: ['ignore', options.stdout ?? 'pipe', 'pipe'],
  });
}

function expectOneLine(result: { status: number | null; stderr: string }, message: RegExp): void {
  expect(result.status, result.stderr).toBe(1);
  expect(result.stderr).toMatch(message);
  expect(result.stderr.trim().split('\n'), result.stderr).toHaveLength(1);
  expect(result.stderr).not.toMatch(/internal error|\n\s+at /);
}

describe('error messages that name the real cause', () => {
  it('cttrace under strace -f: says it is itself being traced, not "run as root"', () => {
    withTempDir((dir) => {
      // (trace=none: strace decodes nothing, so its own warnings on Node's threads stay out of stderr)
      const result = cttrace(['trace', '-q', '-o', join(dir, 't.cttrace'), '--', 'true'], { wrapper: ['strace', '-f', '-qq', '-e', 'trace=none', '-o', '/dev/null'] });
      expectOneLine(result, /^cttrace: cannot trace true: cttrace is itself being traced \(by strace, pid \d+\), and a process has one tracer at a time .*run cttrace outside strace\n$/);
    });
  });

  it('a full disk: for the trace, the export, and standard output', () => {
    withTempDir((dir) => {
      expectOneLine(cttrace(['trace', '-q', '-o', '/dev/full', '--', 'true']), /^cttrace: cannot write the trace to \/dev\/full: ENOSPC \(no space left on the device\); choose another path with -o\n$/);
      expectOneLine(cttrace(['export', RUNC, '-o', '/dev/full']), /^cttrace: cannot write \/dev\/full: ENOSPC \(no space left on the device\); choose another place with -o\n$/);
      const full = openSync('/dev/full', 'w');
      try {
        expectOneLine(cttrace(['show', RUNC], { stdout: full }), /^cttrace: cannot write to standard output: ENOSPC \(no space left on the device\)\n$/);
        expectOneLine(cttrace(['export', RUNC, '-o', '-'], { stdout: full }), /^cttrace: cannot write to standard output: ENOSPC .*; choose another place with -o\n$/);
      } finally {
        closeSync(full);
      }
      expectOneLine(cttrace(['trace', '-q', '-o', join(dir, 't.cttrace'), '--raw-output', join(dir, 'missing', 'raw'), '--', 'true']), /^cttrace: cannot write the raw stream to .*: ENOENT; choose another path with --raw-output\n$/);
    });
  });

  it.skipIf(!isRoot)('a CTTRACE_HOME that is a file, or that cannot be made (root)', () => {
    withTempDir((dir) => {
      const file = join(dir, 'a-file');
      writeFileSync(file, '');
      const run = (home: string) => cttrace(['run', '-q', '-o', join(dir, 'r.cttrace'), '--', 'busybox', 'true'], { env: { ...process.env, CTTRACE_HOME: home } });
      expectOneLine(run(file), /cannot make the folder .*a-file: a file of that name is in the way; set CTTRACE_HOME to a folder/);
      // Node's recursive mkdir loops for ever here (ENOENT for a parent that exists)
      expectOneLine(run('/proc/no-such-folder'), /cannot make the folder \/proc\/no-such-folder: ENOENT; set CTTRACE_HOME/);
    });
  });
});
