// Splits the engine's byte stream into records and parses each at the offsets of layout.ts.
import * as L from './layout.js';
import type { RawBlob, RawRecord } from './raw-records.js';

export class ProtocolError extends Error {}

// Times and return values as numbers without a BigInt in between (readBigUInt64LE allocates
// one per call, four per syscall record): the same value, rounded once to a double.
const TWO_32 = 2 ** 32;
const u64 = (buffer: Buffer, at: number) => buffer.readUInt32LE(at + 4) * TWO_32 + buffer.readUInt32LE(at);
const i64 = (buffer: Buffer, at: number) => buffer.readInt32LE(at + 4) * TWO_32 + buffer.readUInt32LE(at);

function cString(buffer: Buffer, start: number, size: number): string {
  const end = buffer.indexOf(0, start);
  return buffer.toString('utf8', start, end < 0 || end > start + size ? start + size : end);
}

function parseBlobs(buffer: Buffer, start: number, end: number, count: number): RawBlob[] {
  const blobs: RawBlob[] = [];
  let at = start;
  for (let i = 0; i < count && at + L.Blob.size <= end; i++) {
    const length = buffer.readUInt32LE(at + L.Blob.length);
    const flags = buffer[at + L.Blob.flags]!;
    blobs.push({
      arg: buffer[at + L.Blob.arg]!,
      kind: buffer[at + L.Blob.kind]!,
      truncated: (flags & L.BlobFlags.truncated) !== 0,
      fault: (flags & L.BlobFlags.fault) !== 0,
      data: buffer.subarray(at + L.Blob.size, at + L.Blob.size + length),
    });
    at += L.Blob.size + length;
  }
  return blobs;
}

/** Parse one record whose header starts at `at`. */
export function parseRecord(buffer: Buffer, at: number): RawRecord {
  const length = buffer.readUInt32LE(at + L.Header.length);
  const type = buffer.readUInt16LE(at + L.Header.type);
  const tid = buffer.readInt32LE(at + L.Header.tid);
  const time = u64(buffer, at + L.Header.time);
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
    case L.RecordType.syscall: {
      const flags = buffer.readUInt16LE(p + L.Syscall.flags);
      const args: bigint[] = [];
      for (let i = 0; i < 6; i++) args.push(buffer.readBigUInt64LE(p + L.Syscall.args + 8 * i));
      const blobCount = buffer.readUInt16LE(p + L.Syscall.blobCount);
      return {
        type: 'syscall',
        tid,
        time,
        nr: buffer.readInt32LE(p + L.Syscall.nr),
        hasRet: (flags & L.SyscallFlags.hasRet) !== 0,
        unfinished: (flags & L.SyscallFlags.unfinished) !== 0,
        args,
        ret: i64(buffer, p + L.Syscall.ret),
        enterNs: u64(buffer, p + L.Syscall.enterNs),
        childTid: buffer.readInt32LE(p + L.Syscall.childTid),
        blobs: blobCount ? parseBlobs(buffer, p + L.Syscall.size, at + length, blobCount) : [],
      };
    }
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
    while (chunk.length - at >= L.HEADER_SIZE) {
      const length = chunk.readUInt32LE(at);
      if (length < L.HEADER_SIZE) throw corrupt(length);
      if (chunk.length - at < length) break;
      emit(parseRecord(chunk, at));
      at += length;
    }
    this.pending = at < chunk.length ? Buffer.from(chunk.subarray(at)) : null;
  }

  get hasPartialRecord(): boolean {
    return this.pending !== null;
  }
}
