// The decoder's output, pinned: test/fixtures/unshare-pid-ns.decoded.jsonl is what it made of
// test/fixtures/unshare-pid-ns.raw before its fast paths (uint32 word pairs for registers,
// number paths in xlat, table-made hex) went in, as JSON lines, so a change of any value or key
// order shows. The fast paths themselves are checked against the BigInt maths they replace. Since
// pinned, one field was added on purpose: codeName on signal records (si_code by name).
import { spawnSync } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { Decoder } from '../../tracer/decode/decoder.js';
import { hexOfWords } from '../../tracer/decode/hex.js';
import { RawRecordSplitter } from '../../tracer/protocol/raw-reader.js';
import { decodeFlags, decodeOpenFlags, lookupValue, xlat, type XlatSet } from '../../tracer/tables/xlat.js';

const stream = readFileSync(new URL('../fixtures/unshare-pid-ns.raw', import.meta.url));
const expected = readFileSync(new URL('../fixtures/unshare-pid-ns.decoded.jsonl', import.meta.url), 'utf8');

/** JSON lines of the decoded fixture, the session last, as the expectation file has them. */
function decodedLines(chunkSize: number): string {
  const decoder = new Decoder();
  const splitter = new RawRecordSplitter();
  const lines: string[] = [];
  for (let at = 0; at < stream.length; at += chunkSize) {
    splitter.push(stream.subarray(at, at + chunkSize), (raw) => {
      const record = decoder.decode(raw);
      if (record) lines.push(JSON.stringify(record));
    });
  }
  lines.push(JSON.stringify({ session: decoder.session }));
  return `${lines.join('\n')}\n`;
}

const lines = decodedLines(65536).split('\n');
const syscallLine = (name: string, nth = 0) => lines.filter((line) => line.includes(`"name":"${name}"`))[nth]!;

describe('decoded fixture', () => {
  it('is byte for byte the pinned output, in one chunk and in small ones', () => {
    expect(decodedLines(65536)).toBe(expected);
    expect(decodedLines(37)).toBe(expected);
  });

  it('keeps the facts most likely to drift', () => {
    // 64-bit pointers in raw, a sign-extended dirfd, open flags with O_RDONLY (0) first.
    expect(syscallLine('openat')).toBe(
      '{"type":"syscall","t":9850176,"pid":15883,"name":"openat","nr":257,"args":{"dirfd":"AT_FDCWD","pathname":"/etc/ld.so.cache","flags":["O_RDONLY","O_CLOEXEC"],"mode":"00"},"ret":3,"err":null,"dur":1112924,"raw":["0xffffff9c","0x7fba79dc50b1","0x80000","0x0"],"family":"files"}',
    );
    // clone: flags with the exit signal, pointers or null, the child's pid in both namespaces.
    expect(syscallLine('clone')).toContain(
      '"args":{"flags":["CLONE_CHILD_CLEARTID","CLONE_CHILD_SETTID","SIGCHLD"],"stack":null,"parent_tid":null,"child_tid":"0x7fba79ba3a10","tls":"0x0"}',
    );
    expect(syscallLine('clone')).toContain('"retPid":{"host":15884,"ns":15884},"childNspid":[15884,1]');
    expect(syscallLine('mount', 1)).toContain('"mountflags":["MS_NOSUID","MS_NODEV","MS_NOEXEC"]');
    // A write's fd resolved to no path (stdout), its bytes as text; wait4's status both ways.
    expect(syscallLine('write')).toContain('"args":{"fd":1,"buf":"2\\n","count":2}');
    expect(syscallLine('wait4')).toContain('"args":{"pid":{"host":-1,"ns":-1},"wstatus":"exited 0","options":[],"rusage":null}');
    expect(syscallLine('wait4', 1)).toContain('"wstatus":"0x7ffd6eea276c","options":["WNOHANG"]');
    expect(syscallLine('wait4', 1)).toContain('"err":"ECHILD"');
    expect(lines.filter((line) => line.includes('"type":"syscall"'))).toHaveLength(83);
  });
});

/** A reproducible spread of 64-bit values: the edges, then pseudo-random words. */
function sampleWords(): [high: number, low: number][] {
  const edges = [0, 1, 0xff, 0x100, 0xffff, 0x10000, 0xffffff, 0x1000000, 0x7fffffff, 0x80000000, 0xffffff9c, 0xffffffff];
  const samples: [number, number][] = [];
  for (const high of [0, 1, 0x1fffff, 0x200000, 0x7ffc, 0xffffffff]) for (const low of edges) samples.push([high, low]);
  let seed = 12345;
  const next = () => (seed = (Math.imul(seed, 1664525) + 1013904223) >>> 0);
  for (let i = 0; i < 2000; i++) samples.push([i % 3 === 0 ? 0 : next() >>> (next() % 32), next() >>> (next() % 32)]);
  return samples;
}

const asBigint = (high: number, low: number) => (BigInt(high) << 32n) | BigInt(low);

// The compiled args decoders (args-decoder.ts) fall back to plain loops where code generation
// from strings is disallowed: the output must not change. Run on the built decoder in a child.
const builtDecoder = new URL('../../dist/tracer/decode/decoder.js', import.meta.url);
const built = existsSync(builtDecoder);
if (!built) console.warn('decoder fallback test skipped: cttrace is not built (npm run build)');

describe.skipIf(!built)('decoded fixture without code generation from strings', () => {
  it('is the same pinned output', () => {
    const script = `
      import { readFileSync } from 'node:fs';
      import { Decoder } from ${JSON.stringify(builtDecoder.href)};
      import { RawRecordSplitter } from ${JSON.stringify(new URL('../../dist/tracer/protocol/raw-reader.js', import.meta.url).href)};
      let compiled = true;
      try { new Function('return 1'); } catch { compiled = false; }
      if (compiled) throw new Error('code generation is allowed');
      const stream = readFileSync(${JSON.stringify(new URL('../fixtures/unshare-pid-ns.raw', import.meta.url).pathname)});
      const decoder = new Decoder();
      const lines = [];
      new RawRecordSplitter().push(stream, (raw) => { const record = decoder.decode(raw); if (record) lines.push(JSON.stringify(record)); });
      lines.push(JSON.stringify({ session: decoder.session }));
      process.stdout.write(lines.join('\\n') + '\\n');`;
    const child = spawnSync(process.execPath, ['--disallow-code-generation-from-strings', '--input-type=module', '-e', script], { encoding: 'utf8', maxBuffer: 64 << 20 });
    expect(child.status, child.stderr).toBe(0);
    expect(child.stdout).toBe(expected);
  });
});

describe('fast paths agree with the BigInt maths', () => {
  const samples = sampleWords();
  const flagSets = Object.values(xlat as Readonly<Record<string, XlatSet>>).filter((set) => set.kind === 'flags');
  const valueSets = Object.values(xlat as Readonly<Record<string, XlatSet>>).filter((set) => set.kind === 'values');

  it('hexOfWords spells what BigInt#toString(16) does', () => {
    for (const [high, low] of samples) expect(hexOfWords(high, low)).toBe(`0x${asBigint(high, low).toString(16)}`);
  });

  it('decodes 32-bit flags as numbers to the names it gives for bigints', () => {
    for (const set of flagSets) {
      for (const [, low] of samples) expect(decodeFlags(set, low)).toEqual(decodeFlags(set, BigInt(low)));
    }
    for (const [, low] of samples) expect(decodeOpenFlags(low)).toEqual(decodeOpenFlags(BigInt(low)));
  });

  it('looks values up by number as by bigint', () => {
    for (const set of valueSets) {
      for (const [, low] of samples) {
        expect(lookupValue(set, low | 0)).toBe(lookupValue(set, BigInt(low | 0)));
        expect(lookupValue(set, low)).toBe(lookupValue(set, BigInt(low)));
      }
    }
  });
});
