// Argument decoders by type name (the types of signatures.in). Each takes the raw register, the
// blob the engine copied for it (if any) and the call's context, and returns a JSON value.
import type { RawBlob } from '../protocol/raw-records.js';
import {
  asInt32,
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
import type { ArgValue, PidPair } from '../trace/records.js';

export interface ArgumentContext {
  readonly raw: bigint;
  readonly blob: RawBlob | undefined;
  /** raw value of another argument of the same call, by name */
  readonly other: (name: string) => bigint;
  readonly translatePid: (value: number) => PidPair;
}

type ArgumentDecoder = (context: ArgumentContext) => ArgValue;

const int32 = (raw: bigint) => Number(asInt32(raw));
const uint32 = (raw: bigint) => Number(BigInt.asUintN(32, raw));
const hex = (raw: bigint) => `0x${raw.toString(16)}`;

function blobString(blob: RawBlob | undefined): string | null {
  if (!blob || blob.fault) return null;
  const end = blob.data.indexOf(0);
  const text = blob.data.toString('utf8', 0, end < 0 ? blob.data.length : end);
  return blob.truncated ? `${text}...` : text;
}

function blobStrings(blob: RawBlob | undefined): string[] | null {
  if (!blob || (blob.fault && blob.data.length === 0)) return null;
  const parts = blob.data.toString('utf8').split('\0');
  parts.pop(); // the text after the last NUL is empty
  if (blob.truncated) parts.push('...');
  return parts;
}

function blobInts(blob: RawBlob | undefined, signed = false): number[] | null {
  if (!blob || blob.fault) return null;
  const values: number[] = [];
  for (let at = 0; at + 4 <= blob.data.length; at += 4) values.push(signed ? blob.data.readInt32LE(at) : blob.data.readUInt32LE(at));
  return values;
}

/** The first bytes of a write or hostname: text as text, anything else escaped. */
function blobText(blob: RawBlob | undefined): string | null {
  if (!blob || blob.fault) return null;
  const text = blob.data.toString('utf8');
  return blob.truncated ? `${text}...` : text;
}

const pointer = ({ raw }: ArgumentContext): ArgValue => (raw === 0n ? null : hex(raw));
const idValue = ({ raw }: ArgumentContext): ArgValue => int32(raw); // -1 means "unchanged"

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
function decodePrctlArgument(context: ArgumentContext): ArgValue {
  const option = lookupValue(xlat.prctl_options, context.other('option'));
  switch (option) {
    case 'PR_SET_NAME':
      return blobString(context.blob);
    case 'PR_SET_PDEATHSIG':
      return signalName(int32(context.raw));
    case 'PR_CAPBSET_DROP':
    case 'PR_CAPBSET_READ':
      return lookupValue(xlat.capabilities, context.raw) ?? int32(context.raw);
    default:
      return Number(context.raw) === Number(BigInt.asUintN(53, context.raw)) ? Number(context.raw) : hex(context.raw);
  }
}

function xlatDecoder(set: XlatSet): ArgumentDecoder {
  return set.kind === 'flags'
    ? ({ raw }) => decodeFlags(set, raw)
    : ({ raw }) => decodeValue(set, asInt32(raw));
}

const DECODERS: Readonly<Record<string, ArgumentDecoder>> = {
  int: ({ raw }) => int32(raw),
  uint: ({ raw }) => uint32(raw),
  size: ({ raw }) => Number(raw),
  hex: ({ raw }) => hex(raw),
  ptr: pointer,
  fd: ({ raw }) => int32(raw),
  dirfd: ({ raw }) => (int32(raw) === -100 ? 'AT_FDCWD' : int32(raw)),
  pid: ({ raw, translatePid }) => translatePid(int32(raw)),
  uid: idValue,
  gid: idValue,
  mode: ({ raw }) => `0${uint32(raw).toString(8)}`,
  signal: ({ raw }) => signalName(int32(raw)),
  path: ({ blob, raw }) => (raw === 0n ? null : blobString(blob)),
  string: ({ blob, raw }) => (raw === 0n ? null : blobString(blob)),
  mount_data: ({ blob, raw }) => (raw === 0n ? null : blobString(blob)),
  strings: ({ blob }) => blobStrings(blob),
  env: ({ blob, raw }) => (blob ? blobStrings(blob) : raw === 0n ? null : hex(raw)),
  bytes: ({ blob }) => blobText(blob),
  ints: ({ blob }) => blobInts(blob),
  clone_args: ({ blob }) => decodeCloneArgs(blob),
  clone_call_flags: ({ raw }) => decodeCloneFlags(raw),
  open_flags: ({ raw }) => decodeOpenFlags(raw),
  mount_flags: ({ raw }) => decodeMountFlags(raw),
  cap_header: ({ blob }) =>
    blob && blob.data.length >= 8 ? { version: hex(BigInt(blob.data.readUInt32LE(0))), pid: blob.data.readInt32LE(4) } : null,
  cap_data: ({ blob }) => decodeCapData(blob),
  open_how: ({ blob }) => decodeOpenHow(blob),
  status_out: ({ blob, raw }) => {
    const values = blobInts(blob, true);
    return values && values.length ? decodeWaitStatus(values[0]!) : pointer({ raw } as ArgumentContext);
  },
  fds_out: ({ blob }) => blobInts(blob, true),
  prctl_arg: decodePrctlArgument,
  fsconfig_value: (context) =>
    lookupValue(xlat.fsconfig_commands, context.other('cmd')) === 'FSCONFIG_SET_STRING' ? blobString(context.blob) : pointer(context),
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

export function decodeArgument(type: string, context: ArgumentContext): ArgValue {
  return argumentDecoder(type)(context);
}

export function isKnownArgumentType(type: string): boolean {
  return type in DECODERS || type in xlat;
}
