// Root: the engine follows namespaces from clone flags, exec and unshare instead of reading
// /proc at every fork, whenever the traced set lets it see every such call. Checked against the
// kernel: test/programs/ns-lineage.c makes tasks in new namespaces every way (fork, a thread that
// unshares alone and forks, clone and clone3 with CLONE_NEW*, unshare, pid 1 of a new pid
// namespace, exec) and each prints what its /proc/thread-self/ns says; the last process record
// of each task must say the same, kind by kind, under every kind of selection; and its name, also
// where the task renamed itself just before it unshared.
import { spawnSync } from 'node:child_process';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { NAMESPACE_KINDS } from '../tracer/protocol/layout.js';
import { readTraceFile } from '../tracer/trace/file-reader.js';
import type { ProcessRecord } from '../tracer/trace/records.js';
import { isRoot, repoRoot, runCli, withTempDirAsync } from './helpers/cli.js';

const hasGcc = spawnSync('gcc', ['--version']).status === 0;
const skipReason = !isRoot ? 'not root (unshare of pid, mount and net namespaces)' : !hasGcc ? 'gcc is not installed' : null;
if (skipReason) console.warn(`namespace-lineage: skipped, ${skipReason}`);

/** "tid kind" → inode, as the tasks printed them. */
function printed(stdout: string): Map<string, number> {
  const seen = new Map<string, number>();
  for (const line of stdout.split('\n')) {
    const [tag, tid, kind, inode] = line.split(' ');
    if (tag === 'ns') seen.set(`${tid} ${kind}`, Number(inode));
  }
  return seen;
}

/** tid → comm, as the tasks printed them. */
function printedNames(stdout: string): Map<number, string> {
  const names = new Map<number, string>();
  for (const line of stdout.split('\n')) {
    const [tag, tid, ...name] = line.split(' ');
    if (tag === 'comm') names.set(Number(tid), name.join(' '));
  }
  return names;
}

const SELECTIONS: readonly (readonly string[])[] = [
  [], // the default set: every namespace change is seen, namespaces are followed
  ['--all'],
  ['-e', 'trace=execve,openat'], // forks unseen: everything read from /proc
  ['-e', 'trace=clone,clone3,fork,vfork'], // unshare unseen: the same
];

// The eBPF backend reads the same facts from task_struct: they must match /proc just the same.
const CASES = ['ptrace', 'ebpf'].flatMap((backend) =>
  SELECTIONS.map((options) => [`${backend}, ${options.join(' ') || 'default set'}`, ['--backend', backend, ...options]] as const),
);

describe.skipIf(skipReason !== null)('namespaces followed by the engine (root)', () => {
  it.each(CASES)(
    'match /proc for every task: %s',
    { timeout: 30_000 },
    async (_name, options) => {
      await withTempDirAsync(async (dir) => {
        const program = join(dir, 'ns-lineage');
        const built = spawnSync('gcc', ['-O1', '-Wall', '-Werror', '-pthread', '-o', program, join(repoRoot, 'test', 'programs', 'ns-lineage.c')], { encoding: 'utf8' });
        expect(built.status, built.stderr).toBe(0);
        const output = join(dir, 'lineage.cttrace');
        const result = runCli(['trace', '-o', output, ...options, '--', program], { cwd: dir });
        expect(result.status, result.stderr).toBe(0);
        const expected = printed(result.stdout);
        const tids = new Set([...expected.keys()].map((key) => Number(key.split(' ')[0])));
        expect(tids.size).toBe(9);

        const { records } = await readTraceFile(output);
        const last = new Map<number, ProcessRecord>();
        for (const record of records) if (record.type === 'process') last.set(record.pid, record);
        for (const tid of tids) {
          const record = last.get(tid);
          expect(record, `a process record for ${tid}`).toBeDefined();
          for (const kind of NAMESPACE_KINDS) {
            expect(record!.ns[kind] ?? 0, `${tid} ${kind}`).toBe(expected.get(`${tid} ${kind}`));
          }
        }
        const names = printedNames(result.stdout);
        expect([...names.values()]).toEqual(expect.arrayContaining(['lineage-t', 'lineage-p0']));
        for (const [tid, name] of names) expect(last.get(tid)?.comm, `comm of ${tid}`).toBe(name);
      });
    },
  );
});
