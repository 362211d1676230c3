// Argument decoders by type name (the types of signatures.in). Each reads one argument of the
// call (its registers, the blob the engine copied for it, the call's other arguments) and
// returns a JSON value.
import { CaptureKind } from '../protocol/layout.js';
import type { RawBlob } from '../protocol/raw-records.js';
import {
  capabilityNames,
  decodeCloneFlags,
  decodeFlags,
  decodeMountFlags,
  decodeOpenFlags,
  lookupValue,
  siginfoCodeName,
  signalName,
  xlat,
  type XlatSet,
} from '../tables/xlat.js';
import type { ArgValue } from '../trace/records.js';
import type { CallArguments } from './call-arguments.js';
import { memoByValue, memoNamesByValue } from './memo.js';
import { prctlShapes } from './prctl-table.js';
import { utf8Text } from './utf8.js';
import { isUtf8 } from 'node:buffer';

type ArgumentDecoder = (call: CallArguments, index: number) => ArgValue;

const AT_FDCWD = -100;
const hex = (value: bigint) => `0x${value.toString(16)}`;

/** Where a blob's bytes end: at the first NUL, else at the blob's end. */
function textEnd(blob: RawBlob): number {
  const nul = blob.buffer.indexOf(0, blob.start);
  return nul < 0 || nul >= blob.end ? blob.end : nul;
}

/** Bytes from the tracee as a value of the trace: their text when they are UTF-8 (nearly
 *  always), else `{hex}` of the bytes, so that no byte is lost to a replacement character. */
function bytesValue(buffer: Buffer, start: number, end: number): ArgValue {
  const text = utf8Text(buffer, start, end);
  // Invalid bytes decode to U+FFFD: only then is the slice checked (a real U+FFFD is valid UTF-8).
  if (text.indexOf('\uFFFD') < 0 || isUtf8(buffer.subarray(start, end))) return text;
  return { hex: buffer.toString('hex', start, end) };
}

function blobString(call: CallArguments, index: number, blob: RawBlob | undefined): ArgValue {
  if (!blob || blob.fault) return null;
  if (blob.truncated) call.noteTruncated(index);
  return bytesValue(blob.buffer, blob.start, textEnd(blob));
}

function blobStrings(call: CallArguments, index: number, blob: RawBlob | undefined): ArgValue[] | null {
  if (!blob || (blob.fault && blob.end === blob.start)) return null;
  const parts: ArgValue[] = [];
  const { buffer } = blob;
  for (let at = blob.start; at < blob.end; ) {
    let nul = buffer.indexOf(0, at);
    if (nul < 0 || nul > blob.end) nul = blob.end;
    parts.push(bytesValue(buffer, at, nul));
    at = nul + 1;
  }
  if (blob.truncated) call.noteTruncated(index);
  return parts;
}

function blobInts(blob: RawBlob | undefined, signed = false): number[] | null {
  if (!blob || blob.fault) return null;
  const values: number[] = [];
  const { buffer } = blob;
  for (let at = blob.start; at + 4 <= blob.end; at += 4) values.push(signed ? buffer.readInt32LE(at) : buffer.readUInt32LE(at));
  return values;
}

/** The first bytes of a write or hostname, all of them (a NUL is data here). */
function blobBytes(call: CallArguments, index: number, blob: RawBlob | undefined): ArgValue {
  if (!blob || blob.fault) return null;
  if (blob.truncated) call.noteTruncated(index);
  return bytesValue(blob.buffer, blob.start, blob.end);
}

const int32: ArgumentDecoder = (call, index) => call.int32(index);
const pointer: ArgumentDecoder = (call, index) => (call.isZero(index) ? null : call.hex(index));
const idValue = int32; // -1 means "unchanged"
const blobStringUnlessNull: ArgumentDecoder = (call, index) => (call.isZero(index) ? null : blobString(call, index, call.blob(index)));

/** A wait status in words: "exited 42", "killed SIGKILL (core dumped)", "stopped SIGSTOP",
 *  "continued"; bits beyond those as " | 0x…" (strace's printstatus reads it the same way). */
function decodeWaitStatus(status: number): string {
  const low = status & 0x7f;
  let words: string;
  let rest: number;
  if (status === 0xffff) {
    words = 'continued';
    rest = 0;
  } else if (low === 0) {
    words = `exited ${(status >> 8) & 0xff}`;
    rest = status & ~0xffff;
  } else if (low === 0x7f) {
    words = `stopped ${signalName((status >> 8) & 0xff)}`;
    rest = status & ~0xffff;
  } else {
    words = `killed ${signalName(low)}${status & 0x80 ? ' (core dumped)' : ''}`;
    rest = status & ~0xff;
  }
  return rest ? `${words} | 0x${(rest >>> 0).toString(16)}` : words;
}

/** An i64 as an exact trace value: a number within ±2^53, else its decimal digits. */
const exactI64 = (value: bigint): number | string => (value <= BigInt(Number.MAX_SAFE_INTEGER) && value >= BigInt(Number.MIN_SAFE_INTEGER) ? Number(value) : value.toString());

/** A u64 as an exact trace value: a number below 2^53, else its decimal digits. */
const exactU64 = (value: bigint): number | string => (value <= BigInt(Number.MAX_SAFE_INTEGER) ? Number(value) : value.toString());

function decodeCloneArgs(blob: RawBlob | undefined): ArgValue {
  if (!blob || blob.fault || blob.data.length < 64) return null;
  const field = (index: number) => (blob.data.length >= (index + 1) * 8 ? blob.data.readBigUInt64LE(index * 8) : 0n);
  const exitSignal = field(4);
  const decoded: Record<string, ArgValue> = {
    flags: decodeFlags(xlat.clone_flags, field(0)),
    pidfd: field(1) ? hex(field(1)) : null,
    child_tid: field(2) ? hex(field(2)) : null,
    parent_tid: field(3) ? hex(field(3)) : null,
    // a signal's name, or the number when it is none (0, or the 64-bit garbage clone3 refuses)
    exit_signal: exitSignal < 0x7fffffffn ? signalName(Number(exitSignal)) : exactU64(exitSignal),
    stack: field(5) ? hex(field(5)) : null,
    stack_size: exactU64(field(6)),
    tls: field(7) ? hex(field(7)) : null,
  };
  if (blob.data.length >= 80) {
    decoded.set_tid = field(8) ? hex(field(8)) : null;
    decoded.set_tid_size = exactU64(field(9));
  }
  if (blob.data.length >= 88) decoded.cgroup = exactU64(field(10));
  return decoded;
}

/** struct rusage's fields after its two timevals, in order (x86_64 and aarch64: all longs). */
const RUSAGE_COUNTERS = ['ru_maxrss', 'ru_ixrss', 'ru_idrss', 'ru_isrss', 'ru_minflt', 'ru_majflt', 'ru_nswap', 'ru_inblock', 'ru_oublock', 'ru_msgsnd', 'ru_msgrcv', 'ru_nsignals', 'ru_nvcsw', 'ru_nivcsw'];
const RUSAGE_BYTES = 32 + 8 * RUSAGE_COUNTERS.length;

function decodeRusage(blob: RawBlob | undefined): ArgValue | undefined {
  if (!blob || blob.fault || blob.end - blob.start < RUSAGE_BYTES) return undefined;
  const long = (index: number) => exactI64(blob.buffer.readBigInt64LE(blob.start + 8 * index));
  const decoded: Record<string, ArgValue> = {
    ru_utime: { tv_sec: long(0), tv_usec: long(1) },
    ru_stime: { tv_sec: long(2), tv_usec: long(3) },
  };
  RUSAGE_COUNTERS.forEach((name, index) => (decoded[name] = long(4 + index)));
  return decoded;
}

/** struct sock_fprog and the instructions the engine read (CT_CAPTURE_FPROG): {len, filter,
 *  program: [code, jt, jf, k] each}; fewer instructions than len when the rest was unreadable. */
function decodeFprog(call: CallArguments, index: number): ArgValue {
  const blob = call.blob(index);
  if (!blob || blob.kind !== CaptureKind.fprog || blob.end - blob.start < 16) return pointer(call, index);
  const { buffer, start, end } = blob;
  const filter = buffer.readBigUInt64LE(start + 8);
  const decoded: Record<string, ArgValue> = { len: buffer.readUInt16LE(start), filter: filter ? hex(filter) : null };
  if (filter) {
    const program: ArgValue[] = [];
    for (let at = start + 16; at + 8 <= end; at += 8) program.push([buffer.readUInt16LE(at), buffer[at + 2]!, buffer[at + 3]!, buffer.readUInt32LE(at + 4)]);
    decoded.program = program;
  }
  return decoded;
}

const SIGCHLD = 17;
const CLD_EXITED = 1;

/** A siginfo_t the kernel wrote (waitid's infop), as strace's printsiginfo reads it: nothing when
 *  si_signo is 0 (WNOHANG and no child changed); who sent it for a code at or below 0; a
 *  SIGCHLD's child, its status (a number when it exited, else a signal) and its times. */
function decodeSiginfo(call: CallArguments, index: number): ArgValue {
  const blob = call.blob(index);
  if (!blob || blob.fault || blob.end - blob.start < 48) return pointer(call, index);
  const { buffer, start } = blob;
  const signo = buffer.readInt32LE(start);
  if (signo === 0) return {};
  const signal = signalName(signo);
  const code = buffer.readInt32LE(start + 8);
  const decoded: Record<string, ArgValue> = { si_signo: signal, si_code: siginfoCodeName(signal, code) ?? code };
  const errno = buffer.readInt32LE(start + 4);
  if (errno !== 0) decoded.si_errno = errno;
  if (code <= 0 || signo === SIGCHLD) {
    decoded.si_pid = buffer.readInt32LE(start + 16);
    decoded.si_uid = buffer.readUInt32LE(start + 20);
  }
  if (code > 0 && signo === SIGCHLD) {
    const status = buffer.readInt32LE(start + 24);
    decoded.si_status = code === CLD_EXITED ? status : signalName(status);
    decoded.si_utime = exactU64(buffer.readBigUInt64LE(start + 32));
    decoded.si_stime = exactU64(buffer.readBigUInt64LE(start + 40));
  }
  return decoded;
}

function decodeCapData(blob: RawBlob | undefined): ArgValue {
  if (!blob || blob.fault || blob.data.length < 24) return null;
  const word = (index: number) => BigInt(blob.data.readUInt32LE(index * 4));
  const set = (offset: number) => capabilityNames(word(offset) | (word(offset + 3) << 32n));
  return { effective: set(0), permitted: set(1), inheritable: set(2) };
}

/** struct open_how's size (OPEN_HOW_SIZE_VER0): strace shows a smaller one as its address. */
const OPEN_HOW_SIZE = 24;

/** struct open_how of openat2 (its `size` bytes were copied): the three u64 fields, and the bytes
 *  after them when any is not zero (`rest`, as strace shows them). */
function decodeOpenHow(call: CallArguments, index: number): ArgValue {
  const blob = call.blob(index);
  if (!blob || blob.fault || blob.end - blob.start < OPEN_HOW_SIZE) return pointer(call, index);
  const { buffer, start } = blob;
  const u64 = (offset: number) => buffer.readBigUInt64LE(start + offset);
  const decoded: Record<string, ArgValue> = {
    flags: decodeOpenFlags(u64(0)),
    mode: `0${u64(8).toString(8)}`,
    resolve: decodeFlags(xlat.open_resolve_flags, u64(16)),
  };
  const rest = buffer.subarray(start + OPEN_HOW_SIZE, blob.end);
  if (rest.some((byte) => byte !== 0)) decoded.rest = { hex: rest.toString('hex') };
  if (blob.truncated) call.noteTruncated(index);
  return decoded;
}

/** What a PR_GET_* option wrote through its pointer (prctl.in's comm_out and [TYPE]): the task
 *  name, or one value in an array; the pointer when the call failed or it was unreadable. */
function decodePrctlWritten(call: CallArguments, index: number, type: string): ArgValue {
  const blob = call.blob(index, true);
  if (!blob || blob.fault || blob.end - blob.start < 4) return pointer(call, index);
  if (type === 'comm_out') return blobString(call, index, blob);
  const int = blob.buffer.readInt32LE(blob.start);
  const inner = type.slice(1, -1);
  if (inner === 'signal') return [signalName(int)];
  if (inner === 'int') return [int];
  if (inner === 'hex') return blob.end - blob.start >= 8 ? [hex(blob.buffer.readBigUInt64LE(blob.start))] : pointer(call, index);
  const set = (xlat as Readonly<Record<string, XlatSet>>)[inner];
  return [(set && lookupValue(set, int)) ?? int];
}

const writtenByKernel = (type: string | undefined): type is string => type === 'comm_out' || (type?.startsWith('[') ?? false);

/** prctl's second argument means something different for each option. */
function decodePrctlArgument(call: CallArguments, index: number): ArgValue {
  const option = lookupValue(xlat.prctl_options, call.other('option'));
  const written = option ? prctlShapes().get(option)?.args[0]?.type : undefined;
  if (writtenByKernel(written)) return decodePrctlWritten(call, index, written);
  switch (option) {
    case 'PR_SET_NAME':
      return call.isZero(index) ? null : blobString(call, index, call.blob(index));
    case 'PR_SET_PDEATHSIG':
      return signalName(call.int32(index));
    case 'PR_CAPBSET_DROP':
    case 'PR_CAPBSET_READ':
      return lookupValue(xlat.capabilities, call.value(index)) ?? call.int32(index);
    default:
      return call.exactUnsigned(index);
  }
}

/** A flags decoder over names(value), remembered per 32-bit value; wider values (rare) are
 *  decoded every time. */
function flagsDecoder(names: (value: bigint | number) => string[]): ArgumentDecoder {
  const remembered = memoNamesByValue(names);
  return (call, index) => {
    const value = call.value(index);
    return typeof value === 'number' ? remembered(value) : names(value);
  };
}

/** A 32-bit flag set (the upper half of the register ignored, as the kernel's `int` does), or
 *  a 64-bit one (`SET/64` in signatures.in). */
function flags32Decoder(names: (value: number) => string[]): ArgumentDecoder {
  const remembered = memoNamesByValue(names);
  return (call, index) => remembered(call.uint32(index));
}

/** A value set: the name, or the number itself when the set has none for it. */
function xlatDecoder(set: XlatSet, wide: boolean): ArgumentDecoder {
  if (set.kind === 'flags') return wide ? flagsDecoder((value) => decodeFlags(set, value)) : flags32Decoder((value) => decodeFlags(set, value));
  if (!wide) return (call, index) => lookupValue(set, call.int32(index)) ?? call.int32(index);
  return (call, index) => {
    const value = call.value(index);
    return lookupValue(set, value) ?? call.exactUnsigned(index);
  };
}

const octalMode = memoByValue((mode) => `0${mode.toString(8)}`);

const DECODERS: Readonly<Record<string, ArgumentDecoder>> = {
  int: int32,
  uint: (call, index) => call.uint32(index),
  long: (call, index) => call.exactSigned(index),
  ulong: (call, index) => call.exactUnsigned(index),
  size: (call, index) => call.exactUnsigned(index),
  xint: (call, index) => `0x${call.uint32(index).toString(16)}`,
  hex: (call, index) => call.hex(index),
  ptr: pointer,
  fd: int32,
  dirfd: (call, index) => {
    if (call.int32(index) !== AT_FDCWD) return call.int32(index);
    const cwd = call.blob(index);
    if (cwd?.kind === CaptureKind.cwd && !cwd.fault && cwd.end > cwd.start) call.cwd = cwd.buffer.toString('utf8', cwd.start, textEnd(cwd));
    return 'AT_FDCWD';
  },
  pid: (call, index) => call.translatePid(call.int32(index)),
  uid: idValue,
  gid: idValue,
  mode: (call, index) => octalMode(call.uint32(index)),
  signal: (call, index) => signalName(call.int32(index)),
  path: blobStringUnlessNull,
  string: blobStringUnlessNull,
  mount_data: blobStringUnlessNull,
  strings: (call, index) => blobStrings(call, index, call.blob(index)),
  env: (call, index) => {
    const blob = call.blob(index);
    if (blob?.kind === CaptureKind.pointerCount) {
      if (!blob.fault && blob.end - blob.start >= 4) call.addExtra(`${call.nameOf(index)}_count`, blob.buffer.readUInt32LE(blob.start));
      return pointer(call, index);
    }
    return blob ? blobStrings(call, index, blob) : pointer(call, index);
  },
  bytes: (call, index) => blobBytes(call, index, call.blob(index)),
  ints: (call, index) => blobInts(call.blob(index)),
  clone_args: (call, index) => decodeCloneArgs(call.blob(index)),
  clone_call_flags: flagsDecoder(decodeCloneFlags),
  oflags: flags32Decoder(decodeOpenFlags),
  cap_header: (call, index) => {
    const blob = call.blob(index);
    return blob && blob.end - blob.start >= 8
      ? { version: lookupValue(xlat.cap_version, blob.buffer.readUInt32LE(blob.start)) ?? hex(BigInt(blob.buffer.readUInt32LE(blob.start))), pid: blob.buffer.readInt32LE(blob.start + 4) }
      : null;
  },
  cap_data: (call, index) => decodeCapData(call.blob(index)),
  open_how: decodeOpenHow,
  status_out: (call, index) => {
    const values = blobInts(call.blob(index), true);
    return values && values.length ? decodeWaitStatus(values[0]!) : pointer(call, index);
  },
  fds_out: (call, index) => blobInts(call.blob(index), true),
  siginfo_out: decodeSiginfo,
  // written by the kernel at exit: the struct, else (NULL, a failed call, unreadable) the pointer
  rusage: (call, index) => decodeRusage(call.blob(index)) ?? pointer(call, index),
  // struct sock_fprog of SECCOMP_SET_MODE_FILTER: the program's length and where it is
  seccomp_args: (call, index) => {
    const blob = call.blob(index);
    const operation = lookupValue(xlat.seccomp_operations, call.uint32(0));
    // SECCOMP_GET_ACTION_AVAIL: the action asked about, a u32 at the pointer
    if (operation === 'SECCOMP_GET_ACTION_AVAIL' && blob && !blob.fault && blob.end - blob.start >= 4) {
      const action = blob.buffer.readUInt32LE(blob.start);
      return { action: lookupValue(xlat.seccomp_ret_actions, action) ?? action };
    }
    // SECCOMP_GET_NOTIF_SIZES: struct seccomp_notif_sizes, three u16 the kernel wrote
    if (operation === 'SECCOMP_GET_NOTIF_SIZES') {
      const written = call.blob(index, true);
      if (!written || written.fault || written.end - written.start < 6) return pointer(call, index);
      const u16 = (at: number) => written.buffer.readUInt16LE(written.start + at);
      return { seccomp_notif: u16(0), seccomp_notif_resp: u16(2), seccomp_data: u16(4) };
    }
    return operation === 'SECCOMP_SET_MODE_FILTER' ? decodeFprog(call, index) : pointer(call, index);
  },
  // prctl's arg3: PR_SET_SECCOMP's program with SECCOMP_MODE_FILTER, else a number in hex
  prctl_fprog: (call, index) =>
    lookupValue(xlat.prctl_options, call.other('option')) === 'PR_SET_SECCOMP' && lookupValue(xlat.seccomp_mode, call.value(1)) === 'SECCOMP_MODE_FILTER'
      ? decodeFprog(call, index)
      : call.hex(index),
  prctl_arg: decodePrctlArgument,
  fsconfig_value: (call, index) =>
    lookupValue(xlat.fsconfig_commands, Number(BigInt.asUintN(32, BigInt(call.other('cmd'))))) === 'FSCONFIG_SET_STRING' && !call.isZero(index)
      ? blobString(call, index, call.blob(index))
      : pointer(call, index),
};

export type { ArgumentDecoder };

const resolved = new Map<string, ArgumentDecoder>();

/** mount(2)'s flags: the legacy magic in the top half named first (a 64-bit set). */
const mountFlagsDecoder = flagsDecoder(decodeMountFlags);

/** The decoder for an argument type of signatures.in: its own, or a flag/value set's (`wide`:
 *  the set is 64-bit, SET/64). */
export function argumentDecoder(type: string, wide = false): ArgumentDecoder {
  const key = wide ? `${type}/64` : type;
  let decoder = resolved.get(key);
  if (!decoder) {
    const set = (xlat as Readonly<Record<string, XlatSet>>)[type];
    decoder = type === 'mount_flags' ? mountFlagsDecoder : (DECODERS[type] ?? (set ? xlatDecoder(set, wide) : undefined));
    if (!decoder) throw new Error(`signatures.in uses an argument type with no decoder: ${type}`);
    resolved.set(key, decoder);
  }
  return decoder;
}
