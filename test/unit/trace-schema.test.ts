// The trace format as data (tracer/trace/schema/cttrace-v1.schema.json): every recorded trace
// fits it; a record that breaks it is refused by every reader with the same line, `FILE line N:
// field "pid" must be an integer` (show, summary, export, the viewer's loader), or skipped and
// counted with --lenient; a header needs only format and version.
import { readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { gunzipSync, gzipSync } from 'node:zlib';
import { describe, expect, it } from 'vitest';
import { readTraceFile } from '../../tracer/trace/file-reader.js';
import { headerProblem, recordProblem } from '../../tracer/trace/schema/trace-schema.js';
import { TraceReader } from '../../web/src/load/trace-reader.js';
import { repoRoot, runCli, withTempDir } from '../helpers/cli.js';

const TRACES = join(repoRoot, 'traces');
const RUNC = join(TRACES, 'busybox-runc.cttrace');

function linesOf(path: string): string[] {
  return gunzipSync(readFileSync(path)).toString('utf8').split('\n').filter((line) => line !== '');
}

const runcLines = linesOf(RUNC);
const [runcHeader, ...runcRecords] = runcLines.map((line) => JSON.parse(line) as Record<string, unknown>);
const firstSyscall = runcRecords.findIndex((record) => record.type === 'syscall');

/** The runc trace with record `index` (0: the first after the header) changed. */
function withRecord(index: number, change: (record: Record<string, unknown>) => Record<string, unknown>): string {
  const lines = [...runcLines];
  lines[index + 1] = JSON.stringify(change({ ...runcRecords[index]! }));
  return `${lines.join('\n')}\n`;
}

const syscall = (fields: Record<string, unknown>) => ({
  type: 'syscall', t: 1, pid: 2, name: 'clone3', nr: 435, args: {}, ret: 0, err: null, dur: 3, raw: ['0x1'], family: 'process', ...fields,
});

describe('the trace schema', () => {
  it('takes every record of every recorded trace, and the decoder fixture', () => {
    const files = readdirSync(TRACES).filter((name) => name.endsWith('.cttrace'));
    expect(files.length).toBeGreaterThan(5);
    for (const name of files) {
      const [header, ...records] = linesOf(join(TRACES, name)).map((line) => JSON.parse(line) as unknown);
      expect(headerProblem(header), name).toBeNull();
      for (const record of records) expect(recordProblem(record), `${name}: ${JSON.stringify(record)}`).toBeNull();
    }
    // the fixture's last line describes the recording session; the rest are records
    for (const line of readFileSync(join(repoRoot, 'test', 'fixtures', 'unshare-pid-ns.decoded.jsonl'), 'utf8').split('\n').filter(Boolean).slice(0, -1)) {
      expect(recordProblem(JSON.parse(line)), line).toBeNull();
    }
  });

  it('names the field and what it must be', () => {
    expect(recordProblem(syscall({ pid: '12' }))).toBe('field "pid" must be an integer');
    expect(recordProblem(syscall({ args: null }))).toBe('field "args" must be an object');
    expect(recordProblem(syscall({ dur: -5 }))).toBe('field "dur" must not be negative');
    expect(recordProblem(syscall({ t: 2 ** 60 }))).toMatch(/^field "t" is beyond ±\(2\^53-1\)/);
    expect(recordProblem(syscall({ raw: ['0x1', {}] }))).toBe('field "raw[1]" must be a string or an integer');
    expect(recordProblem(syscall({ ret: 1.5 }))).toBe('field "ret" must be an integer, a string of its decimal digits, or null');
    expect(recordProblem(syscall({ args: { a: { b: [1, 0.5] } } }))).toBe('field "args.a.b[1]" must be an integer');
    expect(recordProblem(syscall({ args: { 'a\nb': 0.5 } }))).toBe('field "args.a\\nb" must be an integer');
    const { name: _name, ...nameless } = syscall({});
    expect(recordProblem(nameless)).toBe('field "name" is missing');
    expect(recordProblem({ type: 'exit', t: 1, pid: 2 })).toBe('the record must be an exit record with code or signal');
    expect(recordProblem({ type: 'process', t: 1, pid: 2, tgid: 2, ppid: 1, nspid: [2, -1], comm: 'x', ns: {}, reason: 'new' })).toBe('field "nspid[1]" must not be negative');
    expect(recordProblem([1, 2])).toBe('the line must be a JSON object');
    expect(recordProblem({ t: 1 })).toBe('field "type" is missing');
  });

  it('takes integers beyond the safe range as decimal strings in args, ret, raw and clone3 fields, and new record types and fields', () => {
    expect(recordProblem(syscall({ ret: '18446744073709551615', raw: ['18446744073709551615', 3], args: { args: { flags: ['CLONE_NEWPID'], stack_size: '-9223372036854775808' } } }))).toBeNull();
    expect(recordProblem(syscall({ ret: '12a' }))).toBe('field "ret" must be an integer, a string of its decimal digits, or null');
    expect(recordProblem(syscall({ ret: 2 ** 64 }))).toBe('field "ret" must be an integer, a string of its decimal digits, or null');
    expect(recordProblem({ type: 'cgroup-event', t: 1, anything: [0.5] })).toBeNull();
    expect(recordProblem(syscall({ newField: { x: 0.5 } }))).toBeNull();
  });

  it('needs only format and version in the header; refuses fields of the wrong kind', () => {
    expect(headerProblem({ format: 'cttrace', version: 1 })).toBeNull();
    expect(headerProblem({ ...runcHeader, command: 'sh' })).toBe('field "command" must be an array');
    expect(headerProblem({ ...runcHeader, host: { pid: 1, ns: { mnt: 'x' } } })).toBe('field "host.ns.mnt" must be an integer');
  });
});

describe('the readers', () => {
  const cases: Array<[string, (dir: string, file: string) => string[]]> = [
    ['show', (_dir, file) => ['show', file]],
    ['summary', (_dir, file) => ['summary', file]],
    ['export', (dir, file) => ['export', file, '-o', join(dir, 'out.json')]],
  ];

  for (const [command, argv] of cases) {
    it(`${command}: refuses a record that breaks the schema with its line, and --lenient skips it with a count`, () => {
      withTempDir((dir) => {
        const file = join(dir, 'bad.cttrace');
        writeFileSync(file, gzipSync(withRecord(firstSyscall, (record) => ({ ...record, pid: '12' }))));
        const refused = runCli(argv(dir, file));
        expect(refused.status).toBe(1);
        expect(refused.stderr).toBe(`cttrace: ${file} line ${firstSyscall + 2}: field "pid" must be an integer; \`--lenient\` skips such records\n`);
        const lenient = runCli([...argv(dir, file), '--lenient']);
        expect(lenient.status, lenient.stderr).toBe(0);
        expect(lenient.stderr).toContain(`cttrace: skipped 1 record that does not fit the trace format (the first: ${file} line ${firstSyscall + 2}: field "pid" must be an integer)\n`);
      });
    });

    it(`${command}: reads a trace whose header has only format and version, and one whose syscall args are null only with --lenient`, () => {
      withTempDir((dir) => {
        const file = join(dir, 'bare.cttrace');
        writeFileSync(file, gzipSync(`${JSON.stringify({ format: 'cttrace', version: 1 })}\n${runcLines.slice(1).join('\n')}\n`));
        const bare = runCli(argv(dir, file));
        expect(bare.status, bare.stderr).toBe(0);
        expect(bare.stderr).not.toMatch(/internal error/);
        writeFileSync(file, gzipSync(withRecord(firstSyscall, (record) => ({ ...record, args: null }))));
        expect(runCli(argv(dir, file)).stderr).toMatch(/line \d+: field "args" must be an object/);
        expect(runCli([...argv(dir, file), '--lenient']).status).toBe(0);
      });
    });
  }

  it('the viewer says the same, skips with lenient, and checks a fast-path syscall whole when it is opened', () => {
    const open = (text: string, lenient = false) => {
      const session = new TraceReader('v.cttrace', { header: () => undefined, batch: () => undefined }, lenient);
      session.acceptText(text);
      session.finish();
      return session;
    };
    const bad = withRecord(firstSyscall + 1, (record) => ({ ...record, pid: '12' }));
    expect(() => open(bad)).toThrow(`v.cttrace line ${firstSyscall + 3}: field "pid" must be an integer. Open it with \`cttrace view --lenient FILE\``);
    const skipped = open(bad, true);
    expect(skipped.recordCount).toBe(runcRecords.length - 1);
    expect(skipped.skipped()).toBe(`skipped 1 record that does not fit the trace format (the first: v.cttrace line ${firstSyscall + 3}: field "pid" must be an integer)`);
    // a syscall line in the writer's shape goes by the scanner; its args are checked when opened
    const index = runcRecords.findIndex((record) => record.type === 'syscall' && record.name === 'openat');
    const session = open(`\n${withRecord(index, (record) => ({ ...record, args: { ...(record.args as object), flags: [0.5] } }))}`);
    expect(session.recordAt(index - 1)).not.toBeNull();
    expect(() => session.recordAt(index)).toThrow(`v.cttrace line ${index + 3}: field "args.flags[0]" must be an integer.`);
    expect(session.recordAt(index + 1)).not.toBeNull();
  });
});
