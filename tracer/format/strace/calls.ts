// The calls strace prints in a shape of their own rather than argument by argument: prctl (only
// what each option takes, per tracer/decode/prctl.in), clone (named arguments, the ones its
// flags use), open (the mode only when a file may be made), mount (type and data as addresses
// where the kernel ignores them).
import { prctlShapes, type PrctlArgument } from '../../decode/prctl-table.js';
import type { SyscallSignature } from '../../decode/signatures.js';
import { decodeFlags, lookupValue, xlat, xlatValue, type XlatSet } from '../../tables/xlat.js';
import type { ArgValue, SyscallRecord } from '../../trace/records.js';
import { addressText, argumentText, lookupFlag, O_CREAT, O_TMPFILE_BIT, registerOf, signalNumber, signalText, stringText, uint32, type ArgumentView } from './arguments.js';
import { fprogText } from './bpf-program.js';
import type { LineOptions } from './options.js';
import { flagsText, hexText, namedValueText } from './xlat-text.js';

const TASK_COMM_BYTES = 15;
// Flag values from the tables (tracer/tables/xlat), not written again here.
const flag = (set: XlatSet, ...names: string[]) => names.reduce((bits, name) => bits | xlatValue(set, name), 0n);
const MS_REMOUNT = flag(xlat.mount_flags, 'MS_REMOUNT');
const MS_TYPE_IGNORED = flag(xlat.mount_flags, 'MS_BIND', 'MS_MOVE', 'MS_UNBINDABLE', 'MS_PRIVATE', 'MS_SLAVE', 'MS_SHARED');
const MS_MGC_VAL = flag(xlat.mount_magic, 'MS_MGC_VAL');
const MS_MGC_MSK = flag(xlat.mount_magic, 'MS_MGC_MSK');
const CLONE_PARENT_TID_USED = flag(xlat.clone_flags, 'CLONE_PARENT_SETTID', 'CLONE_PIDFD');
const CLONE_SETTLS = flag(xlat.clone_flags, 'CLONE_SETTLS');
const CLONE_CHILD_TID_USED = flag(xlat.clone_flags, 'CLONE_CHILD_SETTID', 'CLONE_CHILD_CLEARTID');
const CSIGNAL = flag(xlat.clone_exit_signal, 'CSIGNAL');
const PRCTL_ARGUMENTS = 5;

type CallPrinter = (record: SyscallRecord, signature: SyscallSignature, options: LineOptions) => string[];

function view(record: SyscallRecord, signature: SyscallSignature, index: number, options: LineOptions): ArgumentView {
  return { record, arg: signature.args[index]!, index, options };
}

function setOf(name: string): XlatSet | undefined {
  return (xlat as Readonly<Record<string, XlatSet>>)[name];
}

function prctlArgumentText(record: SyscallRecord, signature: SyscallSignature, index: number, arg: PrctlArgument, options: LineOptions): string {
  const register = registerOf(record, index);
  switch (arg.type) {
    case 'ulong':
      return register.toString();
    case 'long':
      return BigInt.asIntN(64, register).toString();
    case 'hex':
      return hexText(register);
    case 'ptr':
      return addressText(register);
    case 'comm':
      return stringText(view(record, signature, index, options), Math.min(TASK_COMM_BYTES, options.stringLimit));
    case 'pdeathsig':
      return register > 128n ? register.toString() : signalText(register, options);
    case 'fprog':
      return fprogText(record.args[signature.args[index]!.name], addressText(register), options);
    case 'comm_out':
      // what PR_GET_NAME wrote (TASK_COMM_LEN bytes at most); nothing when it failed
      return record.err === null ? stringText(view(record, signature, index, options), Math.min(TASK_COMM_BYTES + 1, options.stringLimit)) : addressText(register);
  }
  if (arg.type.startsWith('[')) return writtenValueText(record.args[signature.args[index]!.name], arg.type.slice(1, -1), register, options);
  const set = setOf(arg.type);
  if (!set) return hexText(register);
  const value = arg.wide ? register : uint32(register);
  return set.kind === 'flags' ? flagsText(set, value, options.xlat) : namedValueText(value, lookupValue(set, value), set.unknown, options.xlat);
}

/** One value a PR_GET_* option wrote, in brackets as strace's printnum shows it; the address when
 *  the call failed. */
function writtenValueText(value: ArgValue | undefined, type: string, register: bigint, options: LineOptions): string {
  if (!Array.isArray(value) || value.length !== 1) return addressText(register);
  const [item] = value;
  if (type === 'signal') return `[${typeof item === 'string' && item.startsWith('SIG') ? signalText(BigInt(signalNumber(item)), options) : String(item)}]`;
  const set = setOf(type);
  if (!set) return `[${String(item)}]`;
  const number = typeof item === 'number' ? BigInt(item) : (lookupFlag(set, String(item)) ?? 0n);
  return `[${namedValueText(number, typeof item === 'string' ? item : undefined, set.unknown, options.xlat)}]`;
}

const printPrctl: CallPrinter = (record, signature, options) => {
  const option = uint32(registerOf(record, 0));
  const optionName = lookupValue(xlat.prctl_options, option);
  const parts = [namedValueText(option, optionName, xlat.prctl_options.unknown, options.xlat)];
  const shapes = prctlShapes();
  let shape = optionName ? shapes.get(optionName) : undefined;
  const first = shape?.args[0];
  const firstSet = first ? setOf(first.type) : undefined;
  if (shape && firstSet?.kind === 'values') {
    const subcommand = lookupValue(firstSet, first!.wide ? registerOf(record, 1) : uint32(registerOf(record, 1)));
    shape = shapes.get(`${optionName}:${subcommand}`) ?? shape;
  }
  const args = shape ? shape.args : [{ type: 'rest', wide: true }];
  for (let at = 0, index = 1; at < args.length && index < PRCTL_ARGUMENTS; at++) {
    const arg = args[at]!;
    if (arg.type === 'rest') {
      for (; index < PRCTL_ARGUMENTS; index++) parts.push(hexText(registerOf(record, index)));
    } else parts.push(prctlArgumentText(record, signature, index++, arg, options));
  }
  return parts;
};

/** What a prctl's return value says, per prctl.in: " = 1 (SUID_DUMP_USER)", " = 0x10 (SECBIT_KEEP_CAPS)". */
export function prctlResultText(record: SyscallRecord, options: LineOptions): string | null {
  if (typeof record.ret !== 'number' || record.err !== null) return null;
  const optionName = lookupValue(xlat.prctl_options, uint32(registerOf(record, 0)));
  const result = optionName ? prctlShapes().get(optionName)?.result : null;
  const set = result ? setOf(result) : undefined;
  if (!set) return null;
  const value = BigInt(record.ret);
  if (set.kind === 'values') {
    const name = lookupValue(set, value);
    return name ? `${record.ret} (${name})` : String(record.ret);
  }
  if (value === 0n) return '0';
  return options.xlat === 'raw' ? hexText(value) : `${hexText(value)} (${decodeFlags(set, value).join('|')})`;
}

/** clone(2) on x86_64: child_stack, flags with the exit signal, then the pointers its flags use. */
const printClone: CallPrinter = (record, signature, options) => {
  const raw = registerOf(record, 0);
  const flags = raw & ~CSIGNAL;
  const signal = raw & CSIGNAL;
  let flagsPart: string;
  if (flags === 0n) flagsPart = signalText(signal, options);
  else {
    flagsPart = flagsText(xlat.clone_flags, flags, options.xlat);
    if (signal !== 0n) flagsPart += `|${signalText(signal, options)}`;
  }
  const parts = [`child_stack=${addressText(registerOf(record, 1))}`, `flags=${flagsPart}`];
  if (flags & CLONE_PARENT_TID_USED) parts.push(`parent_tid=${addressText(registerOf(record, 2))}`);
  if (flags & CLONE_SETTLS) parts.push(`tls=${addressText(registerOf(record, 4))}`);
  if (flags & CLONE_CHILD_TID_USED) parts.push(`child_tidptr=${addressText(registerOf(record, 3))}`);
  return parts;
};

function plain(record: SyscallRecord, signature: SyscallSignature, options: LineOptions): string[] {
  return signature.args.map((_, index) => argumentText(view(record, signature, index, options)));
}

/** open and openat show their mode only when the call may create a file. */
const printOpen: CallPrinter = (record, signature, options) => {
  const parts = plain(record, signature, options);
  const flagsIndex = signature.args.findIndex((arg) => arg.type === 'oflags');
  const flags = uint32(registerOf(record, flagsIndex));
  return flags & (O_CREAT | O_TMPFILE_BIT) ? parts : parts.slice(0, flagsIndex + 1);
};

/** mount: with MS_REMOUNT the type is not read, with a bind/move/propagation change neither is
 *  the data: strace shows those as addresses. */
const printMount: CallPrinter = (record, signature, options) => {
  const parts = plain(record, signature, options);
  let flags = registerOf(record, 3);
  if ((flags & MS_MGC_MSK) === MS_MGC_VAL) flags &= ~MS_MGC_MSK;
  if (flags & MS_REMOUNT) parts[2] = addressText(registerOf(record, 2));
  else if (flags & MS_TYPE_IGNORED) {
    parts[2] = addressText(registerOf(record, 2));
    parts[4] = addressText(registerOf(record, 4));
  }
  return parts;
};

const SECCOMP_SET_MODE_FILTER = xlatValue(xlat.seccomp_operations, 'SECCOMP_SET_MODE_FILTER');

/** seccomp: its flags are SECCOMP_FILTER_FLAG_* only for SECCOMP_SET_MODE_FILTER; strace shows
 *  the other operations' in hex. */
const printSeccomp: CallPrinter = (record, signature, options) => {
  const parts = plain(record, signature, options);
  if (uint32(registerOf(record, 0)) !== SECCOMP_SET_MODE_FILTER) parts[1] = hexText(uint32(registerOf(record, 1)));
  return parts;
};

const PRINTERS: Readonly<Record<string, CallPrinter>> = {
  seccomp: printSeccomp,
  prctl: printPrctl,
  clone: printClone,
  open: printOpen,
  openat: printOpen,
  mount: printMount,
};

/** The arguments of a call with a signature, each as strace prints it. */
export function argumentTexts(record: SyscallRecord, signature: SyscallSignature, options: LineOptions): string[] {
  // a record without its registers (edited, or from another tool) shows what it decoded
  if (!Array.isArray(record.raw) || record.raw.length === 0) {
    return signature.args.flatMap((arg, index) => (arg.name in record.args ? [argumentText(view(record, signature, index, options))] : []));
  }
  return (PRINTERS[record.name] ?? plain)(record, signature, options);
}
