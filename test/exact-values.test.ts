// Integers beyond 2^53 stay exact from the engine to every reader: a program passes 2^64 - 1 and
// 2^63 + 1 through u64 arguments (write's count, prctl's), clone3's fields, and the trace file,
// `cttrace show --json`, the terminal line and the viewer's model all say those digits.
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { gunzipSync } from 'node:zlib';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { SyscallRecord, TraceHeader } from '../tracer/trace/records.js';
import { TraceReader } from '../web/src/load/trace-reader.js';
import { describeSyscall } from '../web/src/model/describe-event.js';
import { modelFromRecords } from '../web/src/model/model-builder.js';
import { cliPath, isRoot, repoRoot, runCli } from './helpers/cli.js';

const MAX = '18446744073709551615'; // 2^64 - 1
const OVER = '9223372036854775809'; // 2^63 + 1

let work = '';
let trace = '';
let terminal = '';

beforeAll(() => {
  work = mkdtempSync(join(tmpdir(), 'cttrace-exact-'));
  const program = join(work, 'exact-values');
  const built = spawnSync('gcc', ['-O1', '-Wall', '-Werror', '-o', program, join(repoRoot, 'test', 'programs', 'exact-values.c')], { encoding: 'utf8' });
  if (built.status !== 0) throw new Error(`gcc failed: ${built.stderr}`);
  trace = join(work, 'exact.cttrace');
  const run = spawnSync(process.execPath, [cliPath, 'trace', '-e', 'trace=write,clone3,prctl', '-o', trace, '--', program], { encoding: 'utf8' });
  if (run.status !== 0) throw new Error(`cttrace trace failed: ${run.stderr}`);
  terminal = run.stderr;
});

afterAll(() => {
  if (work) rmSync(work, { recursive: true, force: true });
});

describe.skipIf(!isRoot)('values beyond 2^53 (root: ptrace)', () => {
  const calls = () =>
    runCli(['show', '--json', trace])
      .stdout.split('\n')
      .filter(Boolean)
      .map((line) => JSON.parse(line) as SyscallRecord)
      .filter((record) => record.type === 'syscall');

  it('are written as decimal strings that show --json gives back to the digit', () => {
    const [writeMax, writeOver, clone3, prctl] = calls().filter((call) => call.name !== 'execve');
    expect(writeMax!.args.count).toBe(MAX);
    expect(writeOver!.args.count).toBe(OVER);
    expect(writeMax!.raw[2]).toBe('0xffffffffffffffff');
    const fields = clone3!.args.args as Record<string, unknown>;
    expect(fields.exit_signal).toBe(MAX);
    expect(fields.stack_size).toBe(OVER);
    expect(fields.cgroup).toBe(MAX);
    expect(prctl!.args.arg2).toBe(MAX);
    // the file itself holds the digits, not a number JSON.parse would round
    const text = gunzipSync(readFileSync(trace)).toString('utf8');
    expect(text).toContain(`"count":"${MAX}"`);
    expect(text).toContain(`"stack_size":"${OVER}"`);
  });

  it('read the same on the terminal as strace prints them', () => {
    // (the buffer runs on past "x": the count says so, and the bytes after it are shown as strace does)
    expect(terminal).toMatch(new RegExp(`write\\(-1, "x.*"\\.\\.\\., ${MAX}\\) += -1 EBADF \\(Bad file descriptor\\)`));
    expect(terminal).toContain(`clone3({flags=0, exit_signal=${MAX}, stack=NULL, stack_size=0x8000000000000001, cgroup=${MAX}}, 88)`);
    expect(terminal).toContain(`prctl(0x12345 /* PR_??? */, 0xffffffffffffffff, 0x8000000000000001, 0, 0)`);
  });

  it("are shown to the digit by the viewer's model", () => {
    let header: TraceHeader | null = null;
    const session = new TraceReader('exact.cttrace', { header: (h) => (header = h), batch: () => undefined });
    session.acceptText(gunzipSync(readFileSync(trace)).toString('utf8'));
    session.finish();
    const records = Array.from({ length: session.recordCount }, (_, seq) => session.recordAt(seq)!);
    const model = modelFromRecords(header!, records);
    const clone3 = records.find((record): record is SyscallRecord => record.type === 'syscall' && record.name === 'clone3')!;
    const details = describeSyscall(model, clone3, model.lanes.findIndex((lane) => lane.tid === clone3.pid));
    expect(JSON.stringify(details)).toContain(MAX);
    expect(JSON.stringify(details)).toContain(OVER);
  });
});
