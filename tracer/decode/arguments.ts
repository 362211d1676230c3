// Argument decoders by type name (the types of signatures.in). Each reads one argument of the
// call (its registers, the blob the engine copied for it, the call's other arguments) and
// returns a JSON value.
import type { RawBlob } from '../protocol/raw-records.js';
import {
  capabilityNames,
  decodeCloneFlags,
  decodeFlags,
  decodeMountFlags,
  decodeOpenFlags,
  decodeValue,
  lookupValue,
  signalName,
  xlat,
  type XlatSet,
} from '../tables/xlat.js';
import type { ArgValue } from '../trace/records.js';
import type { CallArguments } from './call-arguments.js';
import { memoByValue, memoNamesByValue } from './memo.js';
import { utf8Text } from './utf8.js';

type ArgumentDecoder = (call: CallArguments, index: number) => ArgValue;

const AT_FDCWD = -100;
const hex = (value: bigint) => `0x${value.toString(16)}`;

/** Where a blob's bytes end: at the first NUL, else at the blob's end. */
function textEnd(blob: RawBlob): number {
  const nul = blob.buffer.indexOf(0, blob.start);
  return nul < 0 || nul >= blob.end ? blob.end : nul;
}

function blobString(blob: RawBlob | undefined): string | null {
  if (!blob || blob.fault) return null;
  const text = utf8Text(blob.buffer, blob.start, textEnd(blob));
  return blob.truncated ? `${text}...` : text;
}

function blobStrings(blob: RawBlob | undefined): string[] | null {
  if (!blob || (blob.fault && blob.end === blob.start)) return null;
  const parts = utf8Text(blob.buffer, blob.start, blob.end).split('\0');
  parts.pop(); // the text after the last NUL is empty
  if (blob.truncated) parts.push('...');
  return parts;
}

function blobInts(blob: RawBlob | undefined, signed = false): number[] | null {
  if (!blob || blob.fault) return null;
  const values: number[] = [];
  const { buffer } = blob;
  for (let at = blob.start; at + 4 <= blob.end; at += 4) values.push(signed ? buffer.readInt32LE(at) : buffer.readUInt32LE(at));
  return values;
}

/** The first bytes of a write or hostname: text as text, anything else escaped. */
function blobText(blob: RawBlob | undefined): string | null {
  if (!blob || blob.fault) return null;
  const text = utf8Text(blob.buffer, blob.start, blob.end);
  return blob.truncated ? `${text}...` : text;
}

const int32: ArgumentDecoder = (call, index) => call.int32(index);
const pointer: ArgumentDecoder = (call, index) => (call.isZero(index) ? null : call.hex(index));
const idValue = int32; // -1 means "unchanged"
const blobStringUnlessNull: ArgumentDecoder = (call, index) => (call.isZero(index) ? null : blobString(call.blob(index)));

function decodeWaitStatus(status: number): string {
  const low = status & 0x7f;
  if (low === 0) return `exited ${(status >> 8) & 0xff}`;
  if (low === 0x7f) return `stopped ${signalName((status >> 8) & 0xff)}`;
  return `killed ${signalName(low)}${status & 0x80 ? ' (core dumped)' : ''}`;
}

function decodeCloneArgs(blob: RawBlob | undefined): ArgValue {
  if (!blob || blob.fault || blob.data.length < 64) return null;
  const field = (index: number) => (blob.data.length >= (index + 1) * 8 ? blob.data.readBigUInt64LE(index * 8) : 0n);
  const setTidSize = Number(field(9));
  const decoded: Record<string, ArgValue> = {
    flags: decodeFlags(xlat.clone_flags, field(0)),
    pidfd: field(1) ? hex(field(1)) : null,
    child_tid: field(2) ? hex(field(2)) : null,
    parent_tid: field(3) ? hex(field(3)) : null,
    exit_signal: signalName(Number(field(4))),
    stack: field(5) ? hex(field(5)) : null,
    stack_size: Number(field(6)),
    tls: field(7) ? hex(field(7)) : null,
  };
  if (blob.data.length >= 80) {
    decoded.set_tid = field(8) ? hex(field(8)) : null;
    decoded.set_tid_size = setTidSize;
  }
  if (blob.data.length >= 88) decoded.cgroup = Number(field(10));
  return decoded;
}

function decodeCapData(blob: RawBlob | undefined): ArgValue {
  if (!blob || blob.fault || blob.data.length < 24) return null;
  const word = (index: number) => BigInt(blob.data.readUInt32LE(index * 4));
  const set = (offset: number) => capabilityNames(word(offset) | (word(offset + 3) << 32n));
  return { effective: set(0), permitted: set(1), inheritable: set(2) };
}

function decodeOpenHow(blob: RawBlob | undefined): ArgValue {
  if (!blob || blob.fault || blob.data.length < 24) return null;
  return {
    flags: decodeOpenFlags(blob.data.readBigUInt64LE(0)),
    mode: `0${blob.data.readBigUInt64LE(8).toString(8)}`,
    resolve: hex(blob.data.readBigUInt64LE(16)),
  };
}

/** prctl's second argument means something different for each option. */
function decodePrctlArgument(call: CallArguments, index: number): ArgValue {
  const option = lookupValue(xlat.prctl_options, call.other('option'));
  switch (option) {
    case 'PR_SET_NAME':
      return blobString(call.blob(index));
    case 'PR_SET_PDEATHSIG':
      return signalName(call.int32(index));
    case 'PR_CAPBSET_DROP':
    case 'PR_CAPBSET_READ':
      return lookupValue(xlat.capabilities, call.value(index)) ?? call.int32(index);
    default:
      return call.fitsDouble(index) ? call.number(index) : call.hex(index);
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

function xlatDecoder(set: XlatSet): ArgumentDecoder {
  return set.kind === 'flags'
    ? flagsDecoder((value) => decodeFlags(set, value))
    : (call, index) => decodeValue(set, call.int32(index));
}

const octalMode = memoByValue((mode) => `0${mode.toString(8)}`);

const DECODERS: Readonly<Record<string, ArgumentDecoder>> = {
  int: int32,
  uint: (call, index) => call.uint32(index),
  size: (call, index) => call.number(index),
  hex: (call, index) => call.hex(index),
  ptr: pointer,
  fd: int32,
  dirfd: (call, index) => (call.int32(index) === AT_FDCWD ? 'AT_FDCWD' : call.int32(index)),
  pid: (call, index) => call.translatePid(call.int32(index)),
  uid: idValue,
  gid: idValue,
  mode: (call, index) => octalMode(call.uint32(index)),
  signal: (call, index) => signalName(call.int32(index)),
  path: blobStringUnlessNull,
  string: blobStringUnlessNull,
  mount_data: blobStringUnlessNull,
  strings: (call, index) => blobStrings(call.blob(index)),
  env: (call, index) => {
    const blob = call.blob(index);
    return blob ? blobStrings(blob) : pointer(call, index);
  },
  bytes: (call, index) => blobText(call.blob(index)),
  ints: (call, index) => blobInts(call.blob(index)),
  clone_args: (call, index) => decodeCloneArgs(call.blob(index)),
  clone_call_flags: flagsDecoder(decodeCloneFlags),
  open_flags: flagsDecoder(decodeOpenFlags),
  mount_flags: flagsDecoder(decodeMountFlags),
  cap_header: (call, index) => {
    const blob = call.blob(index);
    return blob && blob.end - blob.start >= 8
      ? { version: hex(BigInt(blob.buffer.readUInt32LE(blob.start))), pid: blob.buffer.readInt32LE(blob.start + 4) }
      : null;
  },
  cap_data: (call, index) => decodeCapData(call.blob(index)),
  open_how: (call, index) => decodeOpenHow(call.blob(index)),
  status_out: (call, index) => {
    const values = blobInts(call.blob(index), true);
    return values && values.length ? decodeWaitStatus(values[0]!) : pointer(call, index);
  },
  fds_out: (call, index) => blobInts(call.blob(index), true),
  prctl_arg: decodePrctlArgument,
  fsconfig_value: (call, index) =>
    lookupValue(xlat.fsconfig_commands, call.other('cmd')) === 'FSCONFIG_SET_STRING' ? blobString(call.blob(index)) : pointer(call, index),
};

export type { ArgumentDecoder };

const resolved = new Map<string, ArgumentDecoder>();

/** The decoder for an argument type of signatures.in: its own, or a flag/value set's. */
export function argumentDecoder(type: string): ArgumentDecoder {
  let decoder = resolved.get(type);
  if (!decoder) {
    const set = (xlat as Readonly<Record<string, XlatSet>>)[type];
    decoder = DECODERS[type] ?? (set ? xlatDecoder(set) : undefined);
    if (!decoder) throw new Error(`signatures.in uses an argument type with no decoder: ${type}`);
    resolved.set(type, decoder);
  }
  return decoder;
}
