// Root: the viewer's explanation of a call the container's seccomp filter refused. A real
// `cttrace run --all` trace of `unshare -U` under docker's default profile: the model knows the
// task runs under the filter ctrun's init loaded (inherited across fork and execve), and the
// details of the EPERM say so; a run with --seccomp unconfined says nothing of a filter.
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { readTraceFile } from '../tracer/trace/file-reader.js';
import type { SyscallRecord } from '../tracer/trace/records.js';
import { describeSyscall } from '../web/src/model/describe-event.js';
import { modelFromRecords } from '../web/src/model/model-builder.js';
import { isRoot, runCli, withTempDirAsync } from './helpers/cli.js';

async function traceOf(dir: string, seccomp: string) {
  const output = join(dir, `${seccomp}.cttrace`);
  const result = runCli(['run', '-q', '--all', '--seccomp', seccomp, '-o', output, '--', 'busybox', 'sh', '-c', 'unshare -n true; echo $?']);
  expect(existsSync(output), result.stderr).toBe(true);
  const { header, records } = await readTraceFile(output);
  const model = modelFromRecords(header, records);
  const unshare = records.find((r): r is SyscallRecord => r.type === 'syscall' && r.name === 'unshare' && (r.args.flags as string[]).includes('CLONE_NEWNET') && r.err !== null)!;
  const lane = model.lanes.findLast((l) => l.tid === unshare.pid && l.start <= unshare.t)!;
  return { result, model, unshare, lane };
}

describe.skipIf(!isRoot)('the explanation of a call a seccomp filter refused (root)', () => {
  it("names the filter ctrun's init loaded, inherited by the shell's child", async () => {
    await withTempDirAsync(async (dir) => {
      const { result, model, unshare, lane } = await traceOf(dir, 'default');
      expect(result.stdout).toBe('1\n');
      expect(unshare.err).toBe('EPERM');
      expect(lane.seccomp).not.toBeNull();
      const loader = model.lanes[lane.seccomp!.lane]!;
      expect(loader.ordinal).not.toBe(lane.ordinal); // the init (then sh), not unshare itself
      const details = describeSyscall(model, unshare, lane.ordinal);
      const filter = details.explanations.find((e) => e.term === 'seccomp filter');
      expect(filter?.text).toMatch(new RegExp(`^This task runs under the seccomp filter ${loader.label.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')} loaded at `));
    });
  }, 60_000);

  it('says nothing of a filter when there is none', async () => {
    await withTempDirAsync(async (dir) => {
      const { model, unshare, lane } = await traceOf(dir, 'unconfined');
      // without a filter the container's root lacks CAP_SYS_ADMIN: the kernel refuses it
      expect(unshare.err).toBe('EPERM');
      expect(lane.seccomp).toBeNull();
      expect(describeSyscall(model, unshare, lane.ordinal).explanations.map((e) => e.term)).not.toContain('seccomp filter');
    });
  }, 60_000);
});
