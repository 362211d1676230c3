// The WebAssembly line scanner (web/wasm/line-scanner.c) against the JavaScript one
// (web/src/load/syscall-line-scanner.ts), whose rules it follows: on every syscall line of the
// recorded traces, on generated records (arguments holding the very text the scanner looks for,
// escapes, every key order the writer may add, big and negative numbers) and on those lines
// mutated a character at a time, both take the same lines and read the same fields from them.
// Then the loader as a whole: a trace's bytes, cut anywhere (inside a character too), give the
// same records, spans, details and search results as its text.
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { gunzipSync } from 'node:zlib';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { ByteLineScanner } from '../../web/src/load/byte-line-scanner.js';
import { E_DUR, E_END, E_FAMILY_END, E_FAMILY_START, E_FLAGS, E_NAME_END, E_NAME_HASH, E_NAME_START, E_PID, E_START, E_T, FLAG_FAILED, FLAG_UNFINISHED, KIND_BLANK, KIND_MASK, KIND_OTHER, KIND_SYSCALL } from '../../web/src/load/line-scan-entry.js';
import { DUR, emptyScan, PID, scanSyscallLine, T } from '../../web/src/load/syscall-line-scanner.js';
import { TraceReader } from '../../web/src/load/trace-reader.js';
import type { IngestBatch } from '../../web/src/model/record-ingest.js';
import { repoRoot } from '../helpers/cli.js';

const TRACES = join(repoRoot, 'traces');
const traceBytes = readdirSync(TRACES)
  .filter((name) => name.endsWith('.cttrace'))
  .map((name) => gunzipSync(readFileSync(join(TRACES, name))));
const syscallLines = traceBytes.flatMap((bytes) => bytes.toString('utf8').split('\n').filter((line) => line.startsWith('{"type":"syscall"')));

const scanner = ByteLineScanner.create()!;
const utf8 = new TextEncoder();

/** What the JavaScript scanner reads from a line alone, or null. */
function javascriptScan(line: string) {
  const out = emptyScan();
  if (!scanSyscallLine(line, 0, line.length, out)) return null;
  return { t: out.numbers[T], pid: out.numbers[PID], dur: out.numbers[DUR], name: [out.nameStart, out.nameEnd, out.nameHash], family: [out.familyStart, out.familyEnd], failed: out.failed, unfinished: out.unfinished };
}

/** What the WebAssembly scanner reads from an ASCII line, or null (its offsets are the string's). */
function wasmScan(line: string) {
  scanner.feed(utf8.encode(`${line}\n`));
  expect(scanner.next()).toBe(1);
  const { numbers, words } = scanner;
  expect([words[E_START], words[E_END]]).toEqual([0, line.length]);
  const kind = words[E_FLAGS]! & KIND_MASK;
  if (kind !== KIND_SYSCALL) {
    expect(kind).toBe(line === '' ? KIND_BLANK : KIND_OTHER);
    return null;
  }
  return {
    t: numbers[E_T],
    pid: numbers[E_PID],
    dur: numbers[E_DUR],
    name: [words[E_NAME_START], words[E_NAME_END], words[E_NAME_HASH]],
    family: [words[E_FAMILY_START], words[E_FAMILY_END]],
    failed: (words[E_FLAGS]! & FLAG_FAILED) !== 0,
    unfinished: (words[E_FLAGS]! & FLAG_UNFINISHED) !== 0,
  };
}

const ascii = (line: string) => [...line].every((c) => c.charCodeAt(0) < 0x80);

/** Strings a record's fields may hold, the scanner's landmarks among them. */
const tricky = fc.oneof(
  fc.string({ maxLength: 12 }),
  fc.constantFrom('},"ret":', '"', '\\', ']', '},"ret":7,"err":null', '{"a":[1,{"b":"]"}]}', 'null', 'O_RDONLY|O_CLOEXEC', ''),
);
const json: fc.Arbitrary<unknown> = fc.letrec((tie) => ({
  value: fc.oneof({ depthSize: 'small' }, tricky, fc.integer(), fc.double({ noNaN: true, noDefaultInfinity: true }), fc.constant(null), fc.boolean(), fc.array(tie('value'), { maxLength: 3 }), fc.dictionary(tricky, tie('value'), { maxKeys: 3 })),
})).value;
const count = fc.oneof(fc.nat(), fc.constantFrom(0, 9007199254740991, 9007199254740992, 123456789012345), fc.integer({ min: -5, max: -1 }), fc.double({ min: 0, max: 1e6, noNaN: true }));

/** A syscall record in the writer's key order, with the optional keys it may add after raw, in any order. */
const syscallRecord = fc
  .record({
    t: count,
    pid: count,
    name: fc.oneof(fc.constantFrom('openat', 'clone3', 'read', 'x'), tricky),
    nr: fc.oneof(fc.integer(), fc.double({ noNaN: true, noDefaultInfinity: true })),
    args: fc.dictionary(tricky, json, { maxKeys: 4 }),
    ret: fc.oneof(fc.integer({ min: -200, max: 1 << 30 }), fc.constant(null), fc.constantFrom('18446744073709551615', '-1')),
    err: fc.oneof(fc.constant(null), fc.constantFrom('ENOENT', 'EAGAIN'), tricky),
    dur: count,
    raw: fc.array(fc.oneof(fc.constantFrom('0x3', ']', '"]"'), tricky), { maxLength: 4 }),
    tail: fc.shuffledSubarray(['family', 'unfinished', 'cwd', 'fds', 'more'] as const),
    family: fc.oneof(fc.constantFrom('files', 'namespaces', 'process', 'other'), tricky),
    unfinished: fc.boolean(),
    extra: json,
  })
  .map(({ tail, family, unfinished, extra, ...fields }) => {
    const record: Record<string, unknown> = { type: 'syscall', ...fields };
    for (const key of tail) record[key] = key === 'family' ? family : key === 'unfinished' ? unfinished : extra;
    return JSON.stringify(record);
  });

/** A line with one character inserted, removed or replaced (JSON's own characters most often). */
const mutated = (lines: fc.Arbitrary<string>) =>
  fc
    .tuple(lines, fc.nat(), fc.constantFrom('insert', 'remove', 'replace'), fc.constantFrom('"', ',', ':', '{', '}', '[', ']', '\\', '-', '.', 'e', '0', '9', 'n', ' ', 'x'))
    .map(([line, at, how, c]) => {
      const i = line.length === 0 ? 0 : at % line.length;
      if (how === 'insert') return line.slice(0, i) + c + line.slice(i);
      if (how === 'remove') return line.slice(0, i) + line.slice(i + 1);
      return line.slice(0, i) + c + line.slice(i + 1);
    });

describe('the WebAssembly line scanner', () => {
  it('reads every syscall line of the recorded traces as the JavaScript scanner does', () => {
    expect(syscallLines.length).toBeGreaterThan(1000);
    let taken = 0;
    for (const line of syscallLines) {
      const expected = javascriptScan(line);
      expect(wasmScan(line), line).toEqual(expected);
      if (expected) taken++;
    }
    expect(taken).toBeGreaterThan(syscallLines.length * 0.9);
  });

  it('takes the same generated and mutated lines, and reads the same fields', () => {
    const lines = fc.oneof(syscallRecord, mutated(syscallRecord), mutated(fc.constantFrom(...syscallLines.slice(0, 400))), mutated(mutated(syscallRecord)));
    let taken = 0;
    fc.assert(
      fc.property(lines, (line) => {
        fc.pre(ascii(line) && !line.includes('\n'));
        const expected = javascriptScan(line);
        expect(wasmScan(line)).toEqual(expected);
        if (expected) taken++;
      }),
      { seed: 2026, numRuns: 6000 },
    );
    // the generator reaches both answers: a scanner that took nothing would not pass
    expect(taken).toBeGreaterThan(300);
  });

  it('finds lines cut anywhere, blank and CRLF lines, and says when a run is not ASCII', () => {
    const text = utf8.encode('{"a":1}\r\n\n{"b":"é"}\n{"c"');
    const local = ByteLineScanner.create()!;
    local.feed(text.subarray(0, 5));
    expect(local.next()).toBe(0);
    local.feed(text.subarray(5));
    expect(local.next()).toBe(3);
    const run = new TextDecoder().decode(local.run());
    expect(run).toBe('{"a":1}\r\n\n{"b":"é"}\n');
    expect(local.runIsAscii()).toBe(false);
    const { words } = local;
    expect([words[E_START], words[E_END], words[E_FLAGS]! & KIND_MASK]).toEqual([0, 7, KIND_OTHER]);
    expect([words[14 + E_START], words[14 + E_END], words[14 + E_FLAGS]! & KIND_MASK]).toEqual([9, 9, KIND_BLANK]);
    expect(local.next()).toBe(0);
    expect(new TextDecoder().decode(local.takeRest())).toBe('{"c"');
    local.feed(utf8.encode('{"a":1}\n'));
    expect(local.next()).toBe(1);
    expect(local.runIsAscii()).toBe(true);
  });
});

describe("the loader reads a file's bytes as it reads text", () => {
  function load(feed: (reader: TraceReader) => void) {
    const batches: IngestBatch[] = [];
    const reader = new TraceReader('t.cttrace', { header: () => undefined, batch: (batch) => batches.push(batch) });
    feed(reader);
    reader.finish();
    const columns: Record<string, number[]> = {};
    for (const batch of batches) {
      for (const key of ['start', 'dur', 'lane', 'name', 'family', 'flags', 'seq'] as const) (columns[key] ??= []).push(...batch.spans[key].subarray(0, batch.spans.count));
    }
    const records = Array.from({ length: reader.recordCount }, (_, seq) => reader.recordAt(seq));
    return { reader, made: { columns, names: batches.flatMap((b) => b.names), lanes: batches.flatMap((b) => b.lanes), kept: batches.flatMap((b) => b.kept), records } };
  }

  it('the recorded traces, with a record that is not ASCII, CRLF, blank lines and no last newline, cut at every size', () => {
    const [first] = traceBytes;
    const lines = first!.toString('utf8').split('\n').filter((line) => line !== '');
    const unicode = JSON.stringify({ ...JSON.parse(lines.find((line) => line.includes('"openat"'))!), args: { dirfd: 'AT_FDCWD', pathname: '/tmp/ünïcødé-😀', flags: ['O_RDONLY'] } });
    const text = [lines[0], '', ...lines.slice(1, 40), unicode, ...lines.slice(40).map((line, i) => (i % 7 === 0 ? `${line}\r` : line))].join('\n');
    const bytes = utf8.encode(text);
    const asText = load((reader) => reader.acceptText(text));
    for (const piece of [1, 2, 3, 7, 64, 1000, 4096, 1 << 20]) {
      const asBytes = load((reader) => {
        for (let at = 0; at < bytes.length; at += piece) reader.acceptBytes(bytes.subarray(at, at + piece));
      });
      expect(asBytes.reader.readByWasm).toBe(true);
      expect(asBytes.made, `pieces of ${piece}`).toEqual(asText.made);
      for (const query of ['ünïcødé', 'openat', 'CLONE_NEWPID', '"ret":-2']) expect([...asBytes.reader.search(query)], query).toEqual([...asText.reader.search(query)]);
    }
    for (const bytesOfTrace of traceBytes) {
      const whole = new TextDecoder().decode(bytesOfTrace);
      expect(load((reader) => reader.acceptBytes(bytesOfTrace)).made).toEqual(load((reader) => reader.acceptText(whole)).made);
    }
  });
});
