// Hostile traces: the recorded traces in traces/ mutated (fields of another type, dropped,
// numbers huge, negative or fractional, hostile strings, record types swapped, lines cut, gzip
// truncated) through show, summary and export as the CLI runs them (main(), in this process)
// and through the viewer's loader and model. Every outcome is output or a one-line message;
// never an internal error. fast-check (a devDependency) makes the mutations and shrinks a
// failure to the smallest trace that shows it; the seeds are fixed, so a run is repeatable.
import { mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { gunzipSync, gzipSync } from 'node:zlib';
import fc from 'fast-check';
import { afterAll, describe, expect, it, vi } from 'vitest';
import { main } from '../../tracer/cli/main.js';
import type { SyscallRecord, TraceHeader, TraceRecord } from '../../tracer/trace/records.js';
import { TraceOpenError } from '../../web/src/load/trace-limits.js';
import { TraceReader } from '../../web/src/load/trace-reader.js';
import { describeLane, describeNamespace, describeOther, describePhase, describeSyscall } from '../../web/src/model/describe-event.js';
import { buildLaneIndex } from '../../web/src/model/lane-index.js';
import { TraceModelBuilder } from '../../web/src/model/model-builder.js';
import { repoRoot } from '../helpers/cli.js';

const TRACES = join(repoRoot, 'traces');
/** Each recorded trace as its lines, the header first. */
const traces = readdirSync(TRACES)
  .filter((name) => name.endsWith('.cttrace'))
  .map((name) => gunzipSync(readFileSync(join(TRACES, name))).toString('utf8').split('\n').filter((line) => line !== ''));

const hostileString = fc.constantFrom(
  '', '\u0000', '\u001b[31mred\u001b[0m', '</script><img src=x onerror=alert(1)>', '\ud800', 'x'.repeat(5000), '__proto__', 'constructor',
  '%s%n', '../../etc/passwd', '\n', '\r\n', 'NaN', 'Infinity', '-0', '18446744073709551616', '-9223372036854775809', '0x', '12a', 'CLONE_NEWPID',
);
const hostileNumber = fc.constantFrom(0, -1, -0, 1, 2 ** 31, 2 ** 53, 2 ** 53 - 1, -(2 ** 53), 2 ** 64, 1e300, -1e300, 0.5, -2.5, 4294967295);
const anyValue: fc.Arbitrary<unknown> = fc.oneof(
  hostileString,
  hostileNumber,
  fc.constant(null),
  fc.boolean(),
  fc.constant([]),
  fc.constant({}),
  fc.array(fc.oneof(hostileNumber, hostileString), { maxLength: 4 }),
  fc.dictionary(hostileString, fc.oneof(hostileNumber, hostileString, fc.constant(null)), { maxKeys: 3 }),
  fc.jsonValue({ maxDepth: 2 }),
);
const recordType = fc.constantFrom('process', 'syscall', 'exec', 'signal', 'exit', 'error', 'end', 'mystery', '');

/** One change to a parsed line: a field set to anything, dropped, added, or the type swapped. */
type Change =
  | { kind: 'set'; pick: number; nested: boolean; value: unknown }
  | { kind: 'drop'; pick: number; nested: boolean }
  | { kind: 'add'; key: string; value: unknown }
  | { kind: 'type'; to: string };

const change: fc.Arbitrary<Change> = fc.oneof(
  fc.record({ kind: fc.constant('set' as const), pick: fc.nat(), nested: fc.boolean(), value: anyValue }),
  fc.record({ kind: fc.constant('drop' as const), pick: fc.nat(), nested: fc.boolean() }),
  fc.record({ kind: fc.constant('add' as const), key: hostileString, value: anyValue }),
  fc.record({ kind: fc.constant('type' as const), to: recordType }),
);

/** One change to the file: to a line's object, to a line's text, or to the whole file's bytes. */
type Mutation =
  | { kind: 'record'; line: number; changes: Change[] }
  | { kind: 'cut-line'; line: number; at: number }
  | { kind: 'insert-text'; line: number; at: number; text: string }
  | { kind: 'swap-lines'; a: number; b: number }
  | { kind: 'cut-text'; at: number }
  | { kind: 'cut-gzip'; at: number };

const mutation: fc.Arbitrary<Mutation> = fc.oneof(
  { weight: 6, arbitrary: fc.record({ kind: fc.constant('record' as const), line: fc.nat(), changes: fc.array(change, { minLength: 1, maxLength: 3 }) }) },
  { weight: 1, arbitrary: fc.record({ kind: fc.constant('cut-line' as const), line: fc.nat(), at: fc.nat() }) },
  { weight: 1, arbitrary: fc.record({ kind: fc.constant('insert-text' as const), line: fc.nat(), at: fc.nat(), text: fc.constantFrom('NaN', '1e999', '-', '"', '}', ',', '\\u0000', '\n', '\u2028', '{}') }) },
  { weight: 1, arbitrary: fc.record({ kind: fc.constant('swap-lines' as const), a: fc.nat(), b: fc.nat() }) },
  { weight: 1, arbitrary: fc.record({ kind: fc.constant('cut-text' as const), at: fc.nat() }) },
  { weight: 1, arbitrary: fc.record({ kind: fc.constant('cut-gzip' as const), at: fc.nat() }) },
);

const hostileTrace = fc.record({ trace: fc.nat({ max: traces.length - 1 }), mutations: fc.array(mutation, { minLength: 1, maxLength: 4 }), lenient: fc.boolean() });

/** The object a change works on: the record, or (nested) one of its object-valued fields, like args. */
function target(record: Record<string, unknown>, nested: boolean, pick: number): Record<string, unknown> {
  if (!nested) return record;
  const inner = Object.values(record).filter((value): value is Record<string, unknown> => value !== null && typeof value === 'object' && !Array.isArray(value));
  return inner.length ? inner[pick % inner.length]! : record;
}

function applyChange(record: Record<string, unknown>, c: Change): void {
  if (c.kind === 'type') {
    record.type = c.to;
    return;
  }
  if (c.kind === 'add') {
    Object.defineProperty(record, c.key, { value: c.value, enumerable: true, configurable: true, writable: true });
    return;
  }
  const object = target(record, c.nested, c.pick);
  const keys = Object.keys(object);
  if (keys.length === 0) return;
  const key = keys[c.pick % keys.length]!;
  if (c.kind === 'set') object[key] = c.value;
  else delete object[key];
}

/** The mutated trace as the bytes of a .cttrace file. */
function mutate(lines: readonly string[], mutations: readonly Mutation[]): Buffer {
  const text = [...lines];
  let cutText: number | null = null;
  let cutGzip: number | null = null;
  for (const m of mutations) {
    const line = 'line' in m ? m.line % text.length : 0;
    switch (m.kind) {
      case 'record': {
        let value: unknown;
        try {
          value = JSON.parse(text[line]!);
        } catch {
          break; // already cut
        }
        if (value === null || typeof value !== 'object') break;
        for (const c of m.changes) applyChange(value as Record<string, unknown>, c);
        text[line] = JSON.stringify(value);
        break;
      }
      case 'cut-line':
        text[line] = text[line]!.slice(0, m.at % (text[line]!.length + 1));
        break;
      case 'insert-text': {
        const at = m.at % (text[line]!.length + 1);
        text[line] = text[line]!.slice(0, at) + m.text + text[line]!.slice(at);
        break;
      }
      case 'swap-lines': {
        const a = m.a % text.length;
        const b = m.b % text.length;
        [text[a], text[b]] = [text[b]!, text[a]!];
        break;
      }
      case 'cut-text':
        cutText = m.at;
        break;
      case 'cut-gzip':
        cutGzip = m.at;
        break;
    }
  }
  let whole = `${text.join('\n')}\n`;
  if (cutText !== null) whole = whole.slice(0, cutText % (whole.length + 1));
  const gz = gzipSync(whole);
  return cutGzip === null ? gz : gz.subarray(0, cutGzip % (gz.length + 1));
}

const dir = mkdtempSync(join(tmpdir(), 'cttrace-fuzz-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

/** The CLI's main() on argv, its stdout and stderr caught: an internal error rejects. */
async function cli(argv: string[]): Promise<{ code: number; stderr: string }> {
  let stderr = '';
  const out = vi.spyOn(process.stdout, 'write').mockImplementation(() => true);
  const err = vi.spyOn(process.stderr, 'write').mockImplementation((chunk: string | Uint8Array) => {
    stderr += String(chunk);
    return true;
  });
  try {
    return { code: await main(argv), stderr };
  } finally {
    out.mockRestore();
    err.mockRestore();
  }
}

/** A user-facing refusal: one line naming the problem. */
function expectOneLine(message: string): void {
  expect(message.trim()).not.toBe('');
  expect(message.trimEnd().split('\n')).toHaveLength(1);
  expect(message).not.toMatch(/internal error|TypeError|ReferenceError|RangeError|\bat .+:\d+:\d+/);
}

describe('hostile traces', () => {
  process.stdout.setMaxListeners(0);
  process.stderr.setMaxListeners(0);

  for (const [command, seed] of [['show', 1401], ['summary', 1402], ['export', 1403]] as const) {
    it(`${command}: output or one line, never an internal error`, async () => {
      let runs = 0;
      await fc.assert(
        fc.asyncProperty(hostileTrace, async ({ trace, mutations, lenient }) => {
          const file = join(dir, `${command}-${runs++}.cttrace`);
          writeFileSync(file, mutate(traces[trace]!, mutations));
          const argv = [command, file, ...(command === 'export' ? ['-o', `${file}.json`] : []), ...(lenient ? ['--lenient'] : [])];
          const { code, stderr } = await cli(argv);
          if (code !== 0) expectOneLine(stderr);
          for (const line of stderr.split('\n').filter(Boolean)) expect(line).toMatch(/^cttrace: /);
          rmSync(file, { force: true });
          rmSync(`${file}.json`, { force: true });
        }),
        { seed, numRuns: 120 },
      );
    }, 60_000);
  }

  /** A trace through the viewer's loader as a file's bytes (the WebAssembly scanner) or as live text: what it made, or its one-line refusal. */
  function load(bytes: Uint8Array, lenient: boolean, as: 'bytes' | 'text') {
    let header: TraceHeader | null = null;
    const batches: Parameters<TraceModelBuilder['addBatch']>[0][] = [];
    const session = new TraceReader('hostile.cttrace', { header: (h) => (header = h), batch: (b) => batches.push(b) }, lenient);
    const text = as === 'text' ? new TextDecoder().decode(bytes) : '';
    try {
      if (as === 'bytes') for (let at = 0; at < bytes.length; at += 4096) session.acceptBytes(bytes.subarray(at, at + 4096));
      else for (let at = 0; at < text.length; at += 4096) session.acceptText(text.slice(at, at + 4096));
      session.finish();
    } catch (error) {
      expect(error).toBeInstanceOf(TraceOpenError);
      expectOneLine((error as Error).message);
      return { refused: (error as Error).message } as const;
    }
    return { header: header!, batches, session } as const;
  }

  /** What a load made, to compare the two ways: spans column by column, names, lanes and kept records. */
  function made(loaded: ReturnType<typeof load>): unknown {
    if ('refused' in loaded) return loaded.refused;
    const columns: Record<string, number[]> = {};
    for (const batch of loaded.batches) {
      for (const key of ['start', 'dur', 'lane', 'name', 'family', 'flags', 'seq'] as const) (columns[key] ??= []).push(...batch.spans[key].subarray(0, batch.spans.count));
    }
    return { columns, names: loaded.batches.flatMap((b) => b.names), lanes: loaded.batches.flatMap((b) => b.lanes), kept: loaded.batches.flatMap((b) => b.kept), records: loaded.session.recordCount, skipped: loaded.session.skipped() };
  }

  it("the viewer's loader and model: a model to draw or one line, never an internal error; a file's bytes and live text alike", () => {
    fc.assert(
      fc.property(hostileTrace, ({ trace, mutations, lenient }) => {
        let bytes: Uint8Array;
        try {
          bytes = gunzipSync(mutate(traces[trace]!, mutations));
        } catch {
          return; // a cut gzip: the viewer's reader refuses it before any line (test/web-model.test.ts)
        }
        const loaded = load(bytes, lenient, 'bytes');
        expect(made(loaded)).toEqual(made(load(bytes, lenient, 'text')));
        if ('refused' in loaded) return;
        const { header, batches, session } = loaded;
        const builder = new TraceModelBuilder(header!);
        for (const batch of batches) builder.addBatch(batch);
        const model = builder.build();
        buildLaneIndex(model.columns, model.lanes.length);
        for (const lane of model.lanes) describeLane(model, lane);
        for (const ns of model.namespaces) describeNamespace(model, ns);
        for (const phase of model.phases) describePhase(phase);
        // every record as the details panel asks for it: whole, or a one-line refusal
        for (let seq = 0; seq < session.recordCount; seq++) {
          let record: TraceRecord | null;
          try {
            record = session.recordAt(seq);
          } catch (error) {
            expect(error).toBeInstanceOf(TraceOpenError);
            expectOneLine((error as Error).message);
            continue;
          }
          const kept = model.kept.find((item) => item.seq === seq);
          const lane = kept?.lane ?? 0;
          if (!record || record.type === 'end' || lane < 0 || !model.lanes[lane]) continue;
          if (record.type === 'syscall') describeSyscall(model, record as SyscallRecord, lane);
          else describeOther(model, record as Exclude<TraceRecord, SyscallRecord>, lane);
        }
        session.search('clone');
      }),
      { seed: 1404, numRuns: 300 },
    );
  }, 60_000);
});
