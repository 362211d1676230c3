// The .cttrace file: round trip, and a clear refusal of what is not a trace.
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import { describe, expect, it } from 'vitest';
import { readTraceFile } from '../../tracer/trace/file-reader.js';
import { TraceFileWriter } from '../../tracer/trace/file-writer.js';
import type { TraceHeader, TraceRecord } from '../../tracer/trace/records.js';
import { runCli, withTempDir, withTempDirAsync } from '../helpers/cli.js';

const header: TraceHeader = {
  format: 'cttrace',
  version: 1,
  cttrace: '0.0.0-test',
  created: '2026-11-23T00:00:00.000Z',
  kernel: '6.1.0',
  arch: 'x86_64',
  command: ['sh', '-c', 'echo "<b>"'],
  image: null,
  runtime: null,
  filter: { mode: 'seccomp', expression: 'default', caveats: [] },
  host: { pid: 1, ns: { pid: 4026531836 } },
};

const records: TraceRecord[] = [
  { type: 'process', t: 0, pid: 100, tgid: 100, ppid: 1, nspid: [100, 1], comm: 'sh', ns: { pid: 4026532000 }, reason: 'new' },
  {
    type: 'syscall', t: 10, pid: 100, name: 'clone', nr: 56, dur: 5, ret: 2, err: null, family: 'process',
    args: { flags: ['CLONE_NEWPID', 'SIGCHLD'] }, raw: ['0x20000011'], retPid: { host: 101, ns: 2 }, childNspid: [101, 2],
  },
  { type: 'exit', t: 20, pid: 100, code: 0 },
  { type: 'end', t: 21, reason: 'done', status: 0 },
];

describe('trace file', () => {
  it('round-trips header and records', async () => {
    await withTempDirAsync(async (dir) => {
      const path = join(dir, 'x.cttrace');
      const writer = TraceFileWriter.create(path, header);
      for (const record of records) writer.write(record);
      await writer.close();
      const read = await readTraceFile(path);
      expect(read.header).toEqual(header);
      expect(read.records).toEqual(records);
    });
  });

  const refusals: readonly [string, (path: string) => void, RegExp][] = [
    ['plain text', (path) => writeFileSync(path, 'hello\n'), /not a cttrace trace: it is not gzip data/],
    ['gzip of something else', (path) => writeFileSync(path, gzipSync('{"format":"other"}\n')), /not a cttrace trace/],
    ['a newer major version', (path) => writeFileSync(path, gzipSync(`${JSON.stringify({ ...header, version: 2 })}\n`)), /format version 2 trace; this cttrace reads version 1: upgrade cttrace/],
    ['a truncated gzip', (path) => writeFileSync(path, gzipSync(`${JSON.stringify(header)}\n${'{"type":"exit","t":1,"pid":1,"code":0}\n'.repeat(2000)}`).subarray(0, 200)), /truncated/],
    ['an empty gzip', (path) => writeFileSync(path, gzipSync('')), /empty/],
  ];
  for (const [what, make, message] of refusals) {
    it(`refuses ${what} with one line and a non-zero exit`, () => {
      withTempDir((dir) => {
        const path = join(dir, 'bad.cttrace');
        make(path);
        for (const command of ['show', 'summary']) {
          const result = runCli([command, path]);
          expect(result.status).not.toBe(0);
          expect(result.stderr).toMatch(message);
          expect(result.stderr.trim().split('\n')).toHaveLength(1);
        }
      });
    });
  }

  it('refuses a missing file', () => {
    const result = runCli(['show', '/nonexistent/x.cttrace']);
    expect(result.status).not.toBe(0);
    expect(result.stderr).toMatch(/no such file/);
  });
});
