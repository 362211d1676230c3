// Splits the engine's byte stream into records and parses each at the offsets of layout.ts.
import * as L from './layout.js';
import type { RawBlob, RawRecord } from './raw-records.js';

export class ProtocolError extends Error {}

// 64-bit values as numbers without a BigInt in between (readBigUInt64LE allocates one per
// call): the same value, rounded once to a double. Buffer reads, for the rarer records.
const TWO_32 = 2 ** 32;
const u64 = (buffer: Buffer, at: number) => buffer.readUInt32LE(at + 4) * TWO_32 + buffer.readUInt32LE(at);

// The header, syscall and blob fields, on every record, are read through a DataView of the
// chunk: the JIT makes each read one load, where Buffer's readers check their arguments in a
// call and byte-by-byte reads take four loads. Past the view's end they throw a RangeError;
// the callers check the lengths first.
const viewOf = (buffer: Buffer) => new DataView(buffer.buffer, buffer.byteOffset, buffer.byteLength);
const viewU64 = (view: DataView, at: number) => view.getUint32(at + 4, true) * TWO_32 + view.getUint32(at, true);
/** A signed 64-bit value exactly: a number within ±2^53, else its decimal digits (a return
 *  value above 2^53 is rare: lseek far into a sparse file, a register of garbage). */
const viewI64 = (view: DataView, at: number): number | string => {
  const high = view.getInt32(at + 4, true);
  return high >= -0x200000 && high < 0x200000 ? high * TWO_32 + view.getUint32(at, true) : view.getBigInt64(at, true).toString();
};

function cString(buffer: Buffer, start: number, size: number): string {
  const end = buffer.indexOf(0, start);
  return buffer.toString('utf8', start, end < 0 || end > start + size ? start + size : end);
}

/** A blob as a window on its chunk: the Buffer for `data` is made only if a decoder asks. */
class ChunkBlob implements RawBlob {
  constructor(
    readonly arg: number,
    readonly kind: number,
    readonly truncated: boolean,
    readonly fault: boolean,
    readonly buffer: Buffer,
    readonly start: number,
    readonly end: number,
  ) {}

  get data(): Buffer {
    return this.buffer.subarray(this.start, this.end);
  }
}

/** The blobs after a syscall record's fixed part; `end`, the record's end, is inside the buffer. */
function parseBlobs(buffer: Buffer, view: DataView, start: number, end: number, count: number): RawBlob[] {
  const blobs: RawBlob[] = [];
  let at = start;
  for (let i = 0; i < count && at + L.Blob.size <= end; i++) {
    const length = view.getUint32(at + L.Blob.length, true);
    const flags = buffer[at + L.Blob.flags]!;
    const dataStart = at + L.Blob.size;
    // subarray clamps to the buffer's end; so must the window.
    const dataEnd = Math.min(dataStart + length, buffer.length);
    blobs.push(
      new ChunkBlob(
        buffer[at + L.Blob.arg]!,
        buffer[at + L.Blob.kind]!,
        (flags & L.BlobFlags.truncated) !== 0,
        (flags & L.BlobFlags.fault) !== 0,
        buffer,
        dataStart,
        dataEnd,
      ),
    );
    at += L.Blob.size + length;
  }
  return blobs;
}

const NO_BLOBS: readonly RawBlob[] = Object.freeze([]);

/** A syscall record: its fixed part must be in the chunk. */
function parseSyscall(buffer: Buffer, view: DataView, at: number, length: number, tid: number, time: number): RawRecord {
  if (length < L.HEADER_SIZE + L.Syscall.size || at + length > buffer.length) {
    throw new ProtocolError(`syscall record of ${length} bytes at ${at} does not fit its ${buffer.length}-byte chunk`);
  }
  const p = at + L.HEADER_SIZE;
  const flags = view.getUint16(p + L.Syscall.flags, true);
  const blobCount = view.getUint16(p + L.Syscall.blobCount, true);
  return {
    type: 'syscall',
    tid,
    time,
    nr: view.getInt32(p + L.Syscall.nr, true),
    hasRet: (flags & L.SyscallFlags.hasRet) !== 0,
    unfinished: (flags & L.SyscallFlags.unfinished) !== 0,
    view,
    argsAt: p + L.Syscall.args,
    ret: viewI64(view, p + L.Syscall.ret),
    enterNs: viewU64(view, p + L.Syscall.enterNs),
    childTid: view.getInt32(p + L.Syscall.childTid, true),
    blobs: blobCount ? parseBlobs(buffer, view, p + L.Syscall.size, at + length, blobCount) : NO_BLOBS,
  };
}

/** Parse one record whose header starts at `at`; `view` is viewOf(buffer), if already made. */
export function parseRecord(buffer: Buffer, at: number, view = viewOf(buffer)): RawRecord {
  if (at + L.HEADER_SIZE > buffer.length) throw new ProtocolError(`record header at ${at} past the chunk's end`);
  const length = view.getUint32(at + L.Header.length, true);
  const type = view.getUint16(at + L.Header.type, true);
  const tid = view.getInt32(at + L.Header.tid, true);
  const time = viewU64(view, at + L.Header.time);
  const p = at + L.HEADER_SIZE;
  switch (type) {
    case L.RecordType.hello:
      return {
        type: 'hello',
        protocolVersion: buffer.readUInt32LE(p + L.Hello.protocolVersion),
        sessionFlags: buffer.readUInt32LE(p + L.Hello.sessionFlags),
        startNs: Number(buffer.readBigUInt64LE(p + L.Hello.startNs)),
        realtimeStartNs: Number(buffer.readBigInt64LE(p + L.Hello.realtimeStartNs)),
        kernelRelease: cString(buffer, p + L.Hello.kernelRelease, L.Hello.stringSize),
        machine: cString(buffer, p + L.Hello.machine, L.Hello.stringSize),
      };
    case L.RecordType.task: {
      const count = Math.min(buffer.readUInt32LE(p + L.Task.nspidCount), L.Task.maxNspid);
      const nspid: number[] = [];
      for (let i = 0; i < count; i++) nspid.push(buffer.readInt32LE(p + L.Task.nspid + 4 * i));
      const ns: number[] = [];
      for (let i = 0; i < L.NAMESPACE_KINDS.length; i++) ns.push(u64(buffer, p + L.Task.ns + 8 * i));
      const reason = L.TaskReason[buffer.readUInt32LE(p + L.Task.reason) as 1 | 2 | 3] ?? 'new';
      return {
        type: 'task',
        tid,
        time,
        tgid: buffer.readInt32LE(p + L.Task.tgid),
        ppid: buffer.readInt32LE(p + L.Task.ppid),
        reason,
        nspid,
        ns,
        uid: buffer.readUInt32LE(p + L.Task.uid),
        gid: buffer.readUInt32LE(p + L.Task.gid),
        comm: cString(buffer, p + L.Task.comm, 16),
      };
    }
    case L.RecordType.syscall:
      return parseSyscall(buffer, view, at, length, tid, time);
    case L.RecordType.exec:
      return {
        type: 'exec',
        tid,
        time,
        formerTid: buffer.readInt32LE(p + L.Exec.formerTid),
        comm: cString(buffer, p + L.Exec.comm, 16),
      };
    case L.RecordType.signal:
      return {
        type: 'signal',
        tid,
        time,
        signo: buffer.readInt32LE(p + L.Signal.signo),
        code: buffer.readInt32LE(p + L.Signal.code),
        senderPid: buffer.readInt32LE(p + L.Signal.senderPid),
        senderUid: buffer.readInt32LE(p + L.Signal.senderUid),
        groupStop: buffer.readUInt32LE(p + L.Signal.kind) === L.SignalKind.groupStop,
      };
    case L.RecordType.exit:
      return {
        type: 'exit',
        tid,
        time,
        killed: buffer.readUInt32LE(p + L.Exit.kind) === L.ExitKind.killed,
        value: buffer.readInt32LE(p + L.Exit.value),
        coreDumped: buffer.readUInt32LE(p + L.Exit.coreDumped) !== 0,
      };
    case L.RecordType.error:
      return {
        type: 'error',
        tid,
        time,
        errorNumber: buffer.readInt32LE(p + L.ErrorRecord.errorNumber),
        message: cString(buffer, p + L.ErrorRecord.message, length - L.HEADER_SIZE - L.ErrorRecord.message),
      };
    case L.RecordType.end:
      return {
        type: 'end',
        time,
        reason: L.EndReason[buffer.readUInt32LE(p + L.End.reason) as 0 | 1 | 2] ?? 'done',
        mainStatus: buffer.readInt32LE(p + L.End.mainStatus),
      };
    case L.RecordType.lost: {
      const cpuCount = Math.min(buffer.readUInt32LE(p + L.Lost.cpuCount), Math.floor((length - L.HEADER_SIZE - L.Lost.size) / L.LostCpu.size));
      const cpus = [];
      for (let i = 0, q = p + L.Lost.size; i < cpuCount; i++, q += L.LostCpu.size) {
        cpus.push({ cpu: buffer.readUInt32LE(q + L.LostCpu.cpu), count: u64(buffer, q + L.LostCpu.count) });
      }
      return { type: 'lost', time, sinceNs: u64(buffer, p + L.Lost.sinceNs), count: u64(buffer, p + L.Lost.count), total: u64(buffer, p + L.Lost.total), cpus };
    }
    default:
      throw new ProtocolError(`unknown record type ${type} in the engine's stream`);
  }
}

const corrupt = (length: number) => new ProtocolError(`corrupt record length ${length} in the engine's stream`);

/**
 * Feeds arbitrary chunks and emits whole records. Records may straddle chunks;
 * the leftover is kept until the rest arrives.
 */
export class RawRecordSplitter {
  private pending: Buffer | null = null;

  push(chunk: Buffer, emit: (record: RawRecord) => void): void {
    let at = 0;
    if (this.pending) {
      // Complete the record that straddles the chunks from the head of this one; the rest is
      // parsed in place (concatenating the whole chunk copied 64 KiB per read).
      const pending = this.pending;
      const wanted = pending.length >= L.HEADER_SIZE ? pending.readUInt32LE(0) : L.HEADER_SIZE;
      const take = Math.min(chunk.length, Math.max(wanted, L.HEADER_SIZE) - pending.length);
      const joined = Buffer.concat([pending, chunk.subarray(0, take)]);
      this.pending = null;
      if (joined.length < L.HEADER_SIZE || joined.length < joined.readUInt32LE(0)) {
        if (take === chunk.length) {
          if (joined.length >= L.HEADER_SIZE && joined.readUInt32LE(0) < L.HEADER_SIZE) throw corrupt(joined.readUInt32LE(0));
          this.pending = joined;
          return;
        }
        // Only the header was missing: now the record's length is known.
        this.pending = joined;
        this.push(chunk.subarray(take), emit);
        return;
      }
      const length = joined.readUInt32LE(0);
      if (length < L.HEADER_SIZE) throw corrupt(length);
      emit(parseRecord(joined, 0));
      at = take;
    }
    const view = viewOf(chunk);
    while (chunk.length - at >= L.HEADER_SIZE) {
      const length = view.getUint32(at + L.Header.length, true);
      if (length < L.HEADER_SIZE) throw corrupt(length);
      if (chunk.length - at < length) break;
      emit(parseRecord(chunk, at, view));
      at += length;
    }
    this.pending = at < chunk.length ? Buffer.from(chunk.subarray(at)) : null;
  }

  get hasPartialRecord(): boolean {
    return this.pending !== null;
  }
}
