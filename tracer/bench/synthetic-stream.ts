// A big engine stream made from a small recorded one: the HELLO and TASK records of
// test/fixtures/unshare-pid-ns.raw first (so pid translation has its tables), then its syscall
// records over and over, each copy shifted in time after the previous one, then an END record.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { packageRoot } from '../paths.js';
import { Header, HEADER_SIZE, RecordType, Syscall } from '../protocol/layout.js';

export const FIXTURE = join(packageRoot, 'test', 'fixtures', 'unshare-pid-ns.raw');

export interface SyntheticStream {
  readonly buffer: Buffer;
  /** records in the stream, HELLO and END included */
  readonly records: number;
  readonly syscalls: number;
  /** syscall records in the fixture, replicated */
  readonly fixtureSyscalls: number;
}

interface Slice {
  readonly type: number;
  readonly start: number;
  readonly length: number;
}

function slices(buffer: Buffer): Slice[] {
  const found: Slice[] = [];
  for (let at = 0; at + HEADER_SIZE <= buffer.length; ) {
    const length = buffer.readUInt32LE(at + Header.length);
    if (length < HEADER_SIZE || at + length > buffer.length) throw new Error(`${FIXTURE}: corrupt record at ${at}`);
    found.push({ type: buffer.readUInt16LE(at + Header.type), start: at, length });
    at += length;
  }
  return found;
}

export function buildSyntheticStream(syscallCount: number, fixturePath = FIXTURE): SyntheticStream {
  const fixture = readFileSync(fixturePath);
  const all = slices(fixture);
  const head = all.filter((slice) => slice.type === RecordType.hello || slice.type === RecordType.task);
  const calls = all.filter((slice) => slice.type === RecordType.syscall);
  const end = all.find((slice) => slice.type === RecordType.end);
  if (calls.length === 0 || !end || head[0]?.type !== RecordType.hello) throw new Error(`${fixturePath}: needs HELLO, syscall and END records`);

  const enterOf = (at: number) => fixture.readBigUInt64LE(at + HEADER_SIZE + Syscall.enterNs);
  const timeOf = (at: number) => fixture.readBigUInt64LE(at + Header.time);
  const first = calls.reduce((min, slice) => (enterOf(slice.start) < min ? enterOf(slice.start) : min), enterOf(calls[0]!.start));
  const last = calls.reduce((max, slice) => (timeOf(slice.start) > max ? timeOf(slice.start) : max), 0n);
  const period = last - first + 1000n; // one copy of the fixture's calls every `period` ns

  const template = Buffer.concat(calls.map((slice) => fixture.subarray(slice.start, slice.start + slice.length)));
  const offsets: number[] = [];
  for (let at = 0, i = 0; i < calls.length; i++) {
    offsets.push(at);
    at += calls[i]!.length;
  }
  const copies = Math.ceil(syscallCount / calls.length);
  const headBytes = head.reduce((sum, slice) => sum + slice.length, 0);
  const lastCopyCount = syscallCount - (copies - 1) * calls.length;
  const lastCopyBytes = lastCopyCount === calls.length ? template.length : offsets[lastCopyCount]!;
  const size = headBytes + (copies - 1) * template.length + lastCopyBytes + end.length;
  const buffer = Buffer.allocUnsafe(size);

  let at = 0;
  for (const slice of head) at += fixture.copy(buffer, at, slice.start, slice.start + slice.length);
  for (let copy = 0; copy < copies; copy++) {
    const count = copy === copies - 1 ? lastCopyCount : calls.length;
    const bytes = count === calls.length ? template.length : offsets[count]!;
    template.copy(buffer, at, 0, bytes);
    const shift = BigInt(copy) * period;
    if (shift !== 0n) {
      for (let i = 0; i < count; i++) {
        const record = at + offsets[i]!;
        buffer.writeBigUInt64LE(buffer.readBigUInt64LE(record + Header.time) + shift, record + Header.time);
        const enter = record + HEADER_SIZE + Syscall.enterNs;
        buffer.writeBigUInt64LE(buffer.readBigUInt64LE(enter) + shift, enter);
      }
    }
    at += bytes;
  }
  fixture.copy(buffer, at, end.start, end.start + end.length);
  buffer.writeBigUInt64LE(timeOf(end.start) + BigInt(copies - 1) * period, at + Header.time);
  at += end.length;
  if (at !== size) throw new Error(`synthetic stream: wrote ${at} of ${size} bytes`);
  return { buffer, records: head.length + syscallCount + 1, syscalls: syscallCount, fixtureSyscalls: calls.length };
}

export const CHUNK_SIZE = 64 * 1024;

/** The stream in CHUNK_SIZE pieces, as the engine pipe would hand them over. */
export function* chunks(buffer: Buffer, size = CHUNK_SIZE): Generator<Buffer> {
  for (let at = 0; at < buffer.length; at += size) yield buffer.subarray(at, Math.min(at + size, buffer.length));
}
