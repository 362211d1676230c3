// The viewer's WebAssembly gzip inflater (web/src/load/gzip-inflater.ts over web/wasm/inflate.c)
// against node:zlib: every level and strategy, input cut anywhere, output pulled at any time,
// concatenated members, hand-made header flags, each error, and fuzzed input that must end in an
// InflateError (never another exception, a hang or a trap).
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it, vi } from 'vitest';
import fc from 'fast-check';
import { constants, crc32, deflateRawSync, gzipSync } from 'node:zlib';
import { GzipInflater, InflateError } from '../../web/src/load/gzip-inflater.js';

function newInflater(): GzipInflater {
  const inflater = GzipInflater.create();
  if (!inflater) throw new Error('WebAssembly is not available');
  return inflater;
}

/** Pushes `compressed` cut at `cuts` (chunk sizes, cycled), pulling after a chunk when `pulls` says. */
function inflate(compressed: Uint8Array, cuts: readonly number[] = [65536], pulls: readonly boolean[] = [true]): Buffer {
  const inflater = newInflater();
  const parts: Buffer[] = [];
  const drain = () => {
    for (let out = inflater.pull(); out; out = inflater.pull()) parts.push(Buffer.from(out));
  };
  let at = 0;
  for (let i = 0; at < compressed.length; i++) {
    const size = Math.max(1, cuts[i % cuts.length]!);
    inflater.push(compressed.subarray(at, at + size));
    at += size;
    if (pulls[i % pulls.length]) drain();
  }
  inflater.end();
  drain();
  return Buffer.concat(parts);
}

/** "kind: message" of the InflateError inflating `compressed` ends in (anything else fails the test). */
function failure(compressed: Uint8Array, cuts: readonly number[] = [65536]): string | null {
  try {
    inflate(compressed, cuts);
    return null;
  } catch (error) {
    if (error instanceof InflateError) return `${error.kind}: ${error.message}`;
    throw error;
  }
}

function errorKind(compressed: Uint8Array, cuts: readonly number[] = [65536]): string | null {
  return failure(compressed, cuts)?.split(':')[0] ?? null;
}

function seededBytes(length: number, seed: number): Buffer {
  const bytes = Buffer.alloc(length);
  let x = seed >>> 0 || 1;
  for (let i = 0; i < length; i++) {
    x ^= x << 13; x >>>= 0; x ^= x >>> 17; x ^= x << 5; x >>>= 0;
    bytes[i] = x & 0xff;
  }
  return bytes;
}

function traceLines(count: number): Buffer {
  const lines: string[] = [];
  for (let i = 0; i < count; i++) {
    lines.push(JSON.stringify({ type: 'syscall', t: 1000 + i * 37, pid: 2000 + (i % 48), name: ['openat', 'read', 'close', 'mmap'][i % 4], nr: i % 300, args: { pathname: `/usr/lib/x86_64-linux-gnu/lib${i % 97}.so.${i % 7}`, flags: ['O_RDONLY', 'O_CLOEXEC'] }, ret: i % 13 === 0 ? -2 : 3, err: i % 13 === 0 ? 'ENOENT' : null, dur: 1000 + (i % 5000), raw: ['0x3'], family: 'files' }));
  }
  return Buffer.from(`${lines.join('\n')}\n`);
}

const SAMPLES: ReadonlyArray<readonly [string, Buffer]> = [
  ['empty', Buffer.alloc(0)],
  ['one byte', Buffer.from('x')],
  ['random bytes', seededBytes(300_000, 7)],
  ['repetitive text', Buffer.from('the quick brown fox jumps over the lazy dog. '.repeat(20_000))],
  ['long runs', Buffer.concat([Buffer.alloc(100_000, 'a'), Buffer.alloc(70_000, 0), Buffer.from('ab'.repeat(40_000)), Buffer.from('abcdefghij'.repeat(9_000))])],
  ['trace lines', traceLines(20_000)],
];

const STRATEGIES = [
  ['default', constants.Z_DEFAULT_STRATEGY],
  ['filtered', constants.Z_FILTERED],
  ['huffman only', constants.Z_HUFFMAN_ONLY],
  ['rle', constants.Z_RLE],
  ['fixed', constants.Z_FIXED],
] as const;

describe('GzipInflater against node:zlib', () => {
  it('inflates every sample at every level and strategy', () => {
    for (const [name, data] of SAMPLES) {
      for (let level = 0; level <= 9; level++) {
        for (const [strategyName, strategy] of STRATEGIES) {
          const compressed = gzipSync(data, { level, strategy });
          const out = inflate(compressed);
          expect(out.equals(data), `${name}, level ${level}, ${strategyName}`).toBe(true);
        }
      }
    }
  });

  it('inflates several megabytes of trace lines, more than one output window', () => {
    const data = traceLines(25_000);
    const big = Buffer.concat([data, data, data, data, data, data, data, data]);
    expect(big.length).toBeGreaterThan(3 << 20);
    expect(inflate(gzipSync(big, { level: 1 })).equals(big)).toBe(true);
    expect(inflate(gzipSync(big, { level: 9 }), [1 << 20]).equals(big)).toBe(true);
    // stored blocks (what deflate makes of random bytes) cut by the window's end, then matches reaching back over it
    const mixed = Buffer.concat([seededBytes(1_500_000, 11), big.subarray(0, 1_500_000), seededBytes(700_000, 12), big.subarray(0, 800_000)]);
    for (const level of [0, 6]) expect(inflate(gzipSync(mixed, { level }), [100_000, 3, 65536]).equals(mixed), `level ${level}`).toBe(true);
  });

  it('takes input one byte at a time', () => {
    for (const [name, data] of SAMPLES.slice(0, 5)) {
      const small = data.subarray(0, 40_000);
      for (const level of [0, 1, 6, 9]) {
        expect(inflate(gzipSync(small, { level }), [1]).equals(small), `${name}, level ${level}`).toBe(true);
      }
    }
  });

  it('takes input cut anywhere and output pulled at any time', () => {
    const data = traceLines(3000);
    fc.assert(
      fc.property(
        fc.integer({ min: 0, max: 9 }),
        fc.constantFrom(...STRATEGIES.map(([, strategy]) => strategy)),
        fc.integer({ min: 0, max: data.length }),
        fc.array(fc.integer({ min: 1, max: 5000 }), { minLength: 1, maxLength: 20 }),
        fc.array(fc.boolean(), { minLength: 1, maxLength: 10 }),
        (level, strategy, length, cuts, pulls) => {
          const original = data.subarray(0, length);
          return inflate(gzipSync(original, { level, strategy }), cuts, pulls).equals(original);
        },
      ),
      { numRuns: 150, seed: 20261206 },
    );
  });

  it('reads concatenated members as one stream, as gunzip does', () => {
    const parts = [Buffer.from('first member\n'), Buffer.alloc(0), seededBytes(50_000, 3), traceLines(500)];
    const compressed = Buffer.concat(parts.map((part, i) => gzipSync(part, { level: i * 3 })));
    const expected = Buffer.concat(parts);
    expect(inflate(compressed).equals(expected)).toBe(true);
    expect(inflate(compressed, [1, 7, 300]).equals(expected)).toBe(true);
  });
});

/** A gzip member with a hand-made header: `flags` and the fields they announce. */
function gzipWithHeader(data: Buffer, options: { extra?: Buffer; name?: string; comment?: string; headerCrc?: boolean; text?: boolean }): Buffer {
  const flags = (options.text ? 1 : 0) | (options.headerCrc ? 2 : 0) | (options.extra ? 4 : 0) | (options.name !== undefined ? 8 : 0) | (options.comment !== undefined ? 16 : 0);
  const fields: Buffer[] = [Buffer.from([0x1f, 0x8b, 8, flags, 0x12, 0x34, 0x56, 0x78, 0, 3])];
  if (options.extra) {
    const length = Buffer.alloc(2);
    length.writeUInt16LE(options.extra.length);
    fields.push(length, options.extra);
  }
  if (options.name !== undefined) fields.push(Buffer.from(`${options.name}\0`, 'latin1'));
  if (options.comment !== undefined) fields.push(Buffer.from(`${options.comment}\0`, 'latin1'));
  if (options.headerCrc) {
    const crc = Buffer.alloc(2);
    crc.writeUInt16LE(crc32(Buffer.concat(fields)) & 0xffff);
    fields.push(crc);
  }
  const trailer = Buffer.alloc(8);
  trailer.writeUInt32LE(crc32(data), 0);
  trailer.writeUInt32LE(data.length >>> 0, 4);
  return Buffer.concat([...fields, deflateRawSync(data), trailer]);
}

describe('GzipInflater gzip headers', () => {
  const data = traceLines(200);
  const headers = [
    { name: 'trace.cttrace' },
    { comment: 'made by hand' },
    { extra: Buffer.from('AB\x04\x00data', 'latin1') },
    { extra: seededBytes(3000, 9) },
    { headerCrc: true },
    { text: true, headerCrc: true, extra: Buffer.from('xy\x00\x00'), name: 'n', comment: 'c' },
  ];

  it('skips FEXTRA, FNAME and FCOMMENT and checks FHCRC', () => {
    for (const header of headers) {
      const member = gzipWithHeader(data, header);
      expect(inflate(member).equals(data), JSON.stringify(Object.keys(header))).toBe(true);
      expect(inflate(member, [1]).equals(data), JSON.stringify(Object.keys(header))).toBe(true);
    }
  });

  it('reads what the gzip command writes (FNAME and MTIME from the file, -1 and -9)', () => {
    const work = mkdtempSync(join(tmpdir(), 'cttrace-gzip-inflater-'));
    try {
      const path = join(work, 'trace.cttrace');
      const original = traceLines(5000);
      for (const level of ['-1', '-9']) {
        writeFileSync(path, original);
        execFileSync('gzip', [level, '-f', path]);
        const compressed = readFileSync(`${path}.gz`);
        expect(compressed[3]! & 8, 'gzip names the file in its header').toBe(8);
        expect(inflate(compressed, [4093]).equals(original), level).toBe(true);
        // two files gzip'd apart and concatenated: one stream to gunzip
        expect(inflate(Buffer.concat([compressed, compressed]), [1 << 20]).equals(Buffer.concat([original, original])), level).toBe(true);
      }
    } finally {
      rmSync(work, { recursive: true, force: true });
    }
  });

  it('rejects a header CRC that does not match', () => {
    const member = gzipWithHeader(data, { headerCrc: true, name: 'x' });
    member[12] ^= 1; // in the name: the header's CRC no longer matches
    expect(errorKind(member)).toBe('corrupt');
  });
});

describe('GzipInflater where WebAssembly cannot be compiled', () => {
  it('is not created (the caller takes DecompressionStream), as under a CSP without wasm-unsafe-eval', async () => {
    vi.resetModules();
    vi.stubGlobal('WebAssembly', { ...WebAssembly, Module: function refused() { throw new Error('Refused to compile WebAssembly: CSP'); } });
    try {
      const fresh = await import('../../web/src/load/gzip-inflater.js');
      expect(fresh.GzipInflater.create()).toBeNull();
    } finally {
      vi.unstubAllGlobals();
      vi.resetModules();
    }
    expect(GzipInflater.create()).not.toBeNull();
  });
});

describe('GzipInflater buffers', () => {
  it('keeps pushed input the caller reuses, and gives the same output for any pull timing', () => {
    const data = traceLines(20_000);
    const compressed = gzipSync(data, { level: 6 });
    const inflater = newInflater();
    const reused = new Uint8Array(100_000);
    const parts: Buffer[] = [];
    for (let at = 0; at < compressed.length; at += reused.length) {
      const piece = compressed.subarray(at, at + reused.length);
      reused.set(piece);
      inflater.push(reused.subarray(0, piece.length));
      reused.fill(0xaa); // the inflater must have copied what it had no room for
    }
    inflater.end();
    for (let out = inflater.pull(); out; out = inflater.pull()) parts.push(Buffer.from(out));
    expect(Buffer.concat(parts).equals(data)).toBe(true);
    expect(inflater.pull()).toBeNull();
  });
});

describe('GzipInflater errors', () => {
  const data = traceLines(2000);
  const good = gzipSync(data, { level: 6 });

  it('names each problem with its kind', () => {
    expect(failure(Buffer.from('{"format":"cttrace"}\n'))).toMatch(/^not-gzip: .*not gzip/);
    expect(failure(Buffer.alloc(0))).toMatch(/^truncated: /);
    const method = Buffer.from(good);
    method[2] = 7;
    expect(failure(method)).toMatch(/^corrupt: .*method/);
    const reserved = Buffer.from(good);
    reserved[3] = 0x20;
    expect(failure(reserved)).toMatch(/^corrupt: .*reserved flags/);
    // a block of type 3 right after the header
    expect(failure(Buffer.concat([good.subarray(0, 10), Buffer.from([0x07, 0, 0, 0])]))).toMatch(/^corrupt: .*block type/);
    // a stored block whose NLEN is not LEN's complement
    expect(failure(Buffer.concat([good.subarray(0, 10), Buffer.from([0x01, 5, 0, 5, 0, 1, 2, 3, 4, 5])]))).toMatch(/^corrupt: .*stored/);
    const crc = Buffer.from(good);
    crc[crc.length - 8] ^= 0xff;
    expect(failure(crc)).toMatch(/^corrupt: .*CRC-32/);
    const size = Buffer.from(good);
    size[size.length - 1] ^= 0x01;
    expect(failure(size)).toMatch(/^corrupt: .*size/);
    expect(failure(Buffer.concat([good, Buffer.from('garbage')]))).toMatch(/^corrupt: .*not another gzip member/);
    expect(failure(Buffer.concat([good, Buffer.from([0])]))).toMatch(/^corrupt: .*not another gzip member/);
    expect(failure(Buffer.concat([good, good.subarray(0, 5)]))).toMatch(/^truncated: /);
    // a second member may not refer to the first one's output
    const backwards = Buffer.concat([good.subarray(0, 10), Buffer.from([0x03, 0x02, 0x00, 0x00])]);
    expect(failure(Buffer.concat([good, backwards]))).toMatch(/^corrupt: .*before the start/);
  });

  it('rejects bad Huffman codes and distances', () => {
    const header = good.subarray(0, 10);
    // fixed block: a match at distance 1 with no output before it (len 3 = 0000001, dist 0 = 00000)
    expect(failure(Buffer.concat([header, Buffer.from([0x03, 0x02, 0x00, 0x00])]))).toMatch(/^corrupt: .*before the start/);
    // dynamic block, HCLEN 4, code length codes 16,17,18,0 of length 1 each: over-subscribed
    expect(failure(Buffer.concat([header, bits([[1, 1], [2, 2], [0, 5], [0, 5], [0, 4], [1, 3], [1, 3], [1, 3], [1, 3]]), Buffer.alloc(8)]))).toMatch(/^corrupt: .*over-subscribed/);
    // dynamic block, one code length code of length 2: incomplete
    expect(failure(Buffer.concat([header, bits([[1, 1], [2, 2], [0, 5], [0, 5], [0, 4], [0, 3], [0, 3], [0, 3], [2, 3]]), Buffer.alloc(8)]))).toMatch(/^corrupt: .*incomplete/);
    // dynamic block, code length codes 0 = '0' and 16 = '1': code 16 (repeat the previous length) first
    expect(failure(Buffer.concat([header, bits([[1, 1], [2, 2], [0, 5], [0, 5], [0, 4], [1, 3], [0, 3], [0, 3], [1, 3], [1, 1], [0, 2]]), Buffer.alloc(8)]))).toMatch(/^corrupt: .*repeat/);
    // dynamic block: 257 literal/length lengths of 0 then 18 repeats... with no end-of-block (all zero)
    expect(failure(Buffer.concat([header, bits([[1, 1], [2, 2], [0, 5], [0, 5], [0, 4], [0, 3], [0, 3], [1, 3], [1, 3], ...Array.from({ length: 258 }, () => [0, 1] as const)]), Buffer.alloc(8)]))).toMatch(/^corrupt: .*end-of-block/);
    // dynamic block: HLIT of 30 (287 codes)
    expect(failure(Buffer.concat([header, bits([[1, 1], [2, 2], [30, 5], [0, 5], [0, 4]]), Buffer.alloc(64)]))).toMatch(/^corrupt: .*too many/);
    // fixed block: literal 'a' (10010001), then length 3 (0000001) at distance code 30 (11110)
    expect(failure(Buffer.concat([header, bits([[1, 1], [1, 2], [0b10001001, 8], [0b1000000, 7], [0b01111, 5]]), Buffer.alloc(8)]))).toMatch(/^corrupt: .*invalid code/);
    // fixed block: literal/length symbol 286 (11000110)
    expect(failure(Buffer.concat([header, bits([[1, 1], [1, 2], [0b01100011, 8]]), Buffer.alloc(8)]))).toMatch(/^corrupt: .*invalid code/);
  });

  it('says truncated wherever the input stops before the trailer', () => {
    const small = gzipSync(traceLines(50));
    for (let length = 1; length < small.length; length++) {
      expect(errorKind(small.subarray(0, length)), `cut at ${length} of ${small.length}`).toBe('truncated');
    }
  });

  it('ends fuzzed input in an InflateError, never another exception, a hang or a trap', () => {
    const original = traceLines(400);
    const sample = gzipSync(original, { level: 6 });
    fc.assert(
      fc.property(
        fc.array(fc.integer({ min: 10 * 8, max: sample.length * 8 - 1 }), { minLength: 1, maxLength: 8 }),
        fc.array(fc.integer({ min: 1, max: 4000 }), { minLength: 1, maxLength: 5 }),
        (flips, cuts) => {
          const damaged = Buffer.from(sample);
          for (const bit of flips) damaged[bit >> 3] ^= 1 << (bit & 7);
          try {
            // a flip in the padding after the last block changes nothing: then the output is right
            return inflate(damaged, cuts).equals(original);
          } catch (error) {
            return error instanceof InflateError && (error.kind === 'corrupt' || error.kind === 'truncated');
          }
        },
      ),
      { numRuns: 300, seed: 1206 },
    );
    fc.assert(
      fc.property(fc.uint8Array({ minLength: 0, maxLength: 3000 }), fc.integer({ min: 1, max: 500 }), (garbage, cut) => {
        const kind = errorKind(Buffer.concat([sample.subarray(0, 10), garbage]), [cut]);
        return kind === 'corrupt' || kind === 'truncated';
      }),
      { numRuns: 300, seed: 612 },
    );
  });
});

/** Bits packed LSB first, as deflate packs them: [value, count] pairs (Huffman codes pre-reversed). */
function bits(fields: ReadonlyArray<readonly [number, number]>): Buffer {
  const bytes: number[] = [];
  let buffer = 0;
  let count = 0;
  for (const [value, width] of fields) {
    buffer |= value << count;
    count += width;
    while (count >= 8) {
      bytes.push(buffer & 0xff);
      buffer >>>= 8;
      count -= 8;
    }
  }
  if (count > 0) bytes.push(buffer & 0xff);
  return Buffer.from(bytes);
}
