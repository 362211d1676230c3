// One argument of a recorded call as strace prints it, by the type signatures.in gives it. The
// numbers come from the record's raw registers (exact, and what the kernel saw); what was read
// from the tracee's memory (strings, structs) from its decoded args.
import type { ArgumentSignature } from '../../decode/signatures.js';
import { capabilityNames, xlatValue, decodeMountFlags, decodeOpenFlags, lookupValue, signalName, xlat, type XlatSet } from '../../tables/xlat.js';
import type { ArgValue, PidPair, SyscallRecord } from '../../trace/records.js';
import type { LineOptions } from './options.js';
import { fprogText } from './bpf-program.js';
import { bytesOf, quoteBytes, quoteLimited } from './quote.js';
import { flagsText, hexText, namedFlagsText, namedValueText } from './xlat-text.js';

const AT_FDCWD = xlatValue(xlat.dirfd_values, 'AT_FDCWD');
export const O_CREAT = xlatValue(xlat.open_flags, 'O_CREAT');
/** __O_TMPFILE: O_TMPFILE without the O_DIRECTORY it includes (strace asks for this bit alone) */
export const O_TMPFILE_BIT = xlatValue(xlat.open_flags, 'O_TMPFILE') & ~xlatValue(xlat.open_flags, 'O_DIRECTORY');
/** struct open_how's size: where the bytes a bigger struct adds start */
const OPEN_HOW_SIZE = 24;
/** strace's printpath limit: a path is shown whole up to PATH_MAX, whatever -s says. */
const PATH_LIMIT = 4096;

/** What formatting one argument looks at. */
export interface ArgumentView {
  readonly record: SyscallRecord;
  readonly arg: ArgumentSignature;
  readonly index: number;
  readonly options: LineOptions;
}

/** The argument's register as the kernel got it (the record's raw hex). */
export function registerOf(record: SyscallRecord, index: number): bigint {
  const raw: unknown = record.raw?.[index];
  if (typeof raw === 'number' && Number.isSafeInteger(raw)) return BigInt.asUintN(64, BigInt(raw));
  return typeof raw === 'string' && /^0x[0-9a-f]{1,16}$/.test(raw) ? BigInt(raw) : 0n;
}

/** An integer a decoded value spells (123, "123", "0x7b"), or null for anything else: records
 *  come from files, and files from anywhere. */
export function integerOf(value: unknown): bigint | null {
  if (typeof value === 'number') return Number.isSafeInteger(value) ? BigInt(value) : null;
  if (typeof value === 'string' && /^(-?\d{1,20}|0x[0-9a-f]{1,16})$/i.test(value)) return BigInt(value);
  return null;
}

export const int32 = (value: bigint) => BigInt.asIntN(32, value);
export const uint32 = (value: bigint) => BigInt.asUintN(32, value);

/** NULL, or the address: what strace prints for a pointer it does not (or cannot) read. */
export function addressText(value: bigint): string {
  return value === 0n ? 'NULL' : `0x${value.toString(16)}`;
}

function isTruncated(view: ArgumentView): boolean {
  return view.record.truncated?.includes(view.arg.name) ?? false;
}

function decoded(view: ArgumentView): ArgValue | undefined {
  return view.record.args[view.arg.name];
}

/** A string read from the tracee: quoted (cut at `limit`), else NULL or the unreadable address. */
export function stringText(view: ArgumentView, limit: number): string {
  const bytes = bytesOf(decoded(view));
  if (!bytes) return addressText(registerOf(view.record, view.index));
  return quoteLimited(bytes, limit, isTruncated(view));
}

/** The bytes of a buffer argument (a write's), `count` long; -s applies. */
function bufferText(view: ArgumentView, count: bigint): string {
  const bytes = bytesOf(decoded(view));
  if (!bytes) return addressText(registerOf(view.record, view.index));
  const limit = view.options.stringLimit;
  const shown = Math.min(bytes.length, limit);
  const more = count > BigInt(shown);
  return `${quoteBytes(bytes, shown)}${more ? '...' : ''}`;
}

/** argv: each string cut at -s; without -v, at most -s of them, then `...`. */
export function stringArrayText(view: ArgumentView, value: ArgValue | undefined): string {
  if (!Array.isArray(value)) return addressText(registerOf(view.record, view.index));
  const { stringLimit, verbose } = view.options;
  const shown = verbose ? value : value.slice(0, stringLimit);
  const items = shown.map((item) => {
    const bytes = bytesOf(item);
    return bytes ? quoteLimited(bytes, stringLimit, false) : String(item);
  });
  if (shown.length < value.length || isTruncated(view)) items.push('...');
  return `[${items.join(', ')}]`;
}

/** execve's envp: the address and how many variables, or (with -v and --env) the strings. */
function environmentText(view: ArgumentView): string {
  const value = decoded(view);
  const address = registerOf(view.record, view.index);
  if (Array.isArray(value)) return view.options.verbose ? stringArrayText(view, value) : `${addressText(address)} /* ${value.length} vars */`;
  const count = view.record.args[`${view.arg.name}_count`];
  return typeof count === 'number' && address !== 0n ? `${addressText(address)} /* ${count} vars */` : addressText(address);
}

function pidText(view: ArgumentView): string {
  const value = decoded(view);
  const number = int32(registerOf(view.record, view.index)).toString();
  const pair = value as PidPair | undefined;
  // cttrace's addition: where the caller's pid namespace is not the host's, the host's view
  return pair && typeof pair === 'object' && 'host' in pair && pair.host !== null && pair.host !== pair.ns ? `${number} (host ${pair.host})` : number;
}

function fdText(view: ArgumentView, value: bigint): string {
  return int32(value).toString();
}

/** uid_t and gid_t: -1 ("unchanged") as -1, the rest unsigned. */
function idText(value: bigint): string {
  const id = uint32(value);
  return id === 0xffffffffn ? '-1' : id.toString();
}

/** umode_t, as strace's print_numeric_umode_t: octal with a leading 0. */
export function modeText(value: bigint): string {
  return `0${(value & 0xffffn).toString(8).padStart(3, '0')}`;
}

export function signalText(value: bigint, options: LineOptions): string {
  const number = Number(int32(value));
  const name = signalName(number);
  return namedValueText(BigInt(number), /^SIG/.test(name) ? name : undefined, null, options.xlat, true);
}

/** A wait status as strace's printstatus writes it, from the decoder's words. */
function waitStatusText(view: ArgumentView): string {
  const value = decoded(view);
  if (typeof value !== 'string' || value.startsWith('0x')) return addressText(registerOf(view.record, view.index));
  const [words, rest] = value.split(' | ');
  let text: string;
  const exited = /^exited (\d+)$/.exec(words!);
  const killed = /^killed (\S+)( \(core dumped\))?$/.exec(words!);
  const stopped = /^stopped (\S+)$/.exec(words!);
  if (exited) text = `WIFEXITED(s) && WEXITSTATUS(s) == ${exited[1]}`;
  else if (killed) text = `WIFSIGNALED(s) && WTERMSIG(s) == ${killed[1]}${killed[2] ? ' && WCOREDUMP(s)' : ''}`;
  else if (stopped) text = `WIFSTOPPED(s) && WSTOPSIG(s) == ${stopped[1]}`;
  else text = 'WIFCONTINUED(s)';
  return `[{${text}}${rest ? ` | ${rest}` : ''}]`;
}

/** struct rusage: the two times, then `...` (strace's abbreviation), or every field with -v. */
function rusageText(view: ArgumentView): string {
  const value = decoded(view);
  if (value === null || typeof value !== 'object' || Array.isArray(value)) return addressText(registerOf(view.record, view.index));
  const fields = Object.entries(value as Record<string, ArgValue>).map(([key, field]) => {
    if (field !== null && typeof field === 'object' && !Array.isArray(field)) {
      const time = field as Record<string, ArgValue>;
      return `${key}={tv_sec=${String(time.tv_sec)}, tv_usec=${String(time.tv_usec)}}`;
    }
    return `${key}=${String(field)}`;
  });
  return view.options.verbose ? `{${fields.join(', ')}}` : `{${fields.slice(0, 2).join(', ')}, ...}`;
}

function intsText(view: ArgumentView): string {
  const value = decoded(view);
  if (!Array.isArray(value)) return addressText(registerOf(view.record, view.index));
  return `[${value.join(', ')}]`;
}

/** A capability set as strace prints it: abbrev `1<<CAP_CHOWN|1<<CAP_BPF`; raw and verbose
 *  per 32-bit word of the kernel's struct (`0x200001|0x80`, with the names in a comment). */
function capabilitySetText(names: readonly string[], options: LineOptions): string {
  const bits = names.reduce((sum, name) => sum | (name.startsWith('0x') ? (integerOf(name) ?? 0n) : 1n << (lookupFlag(xlat.capabilities, name) ?? 0n)), 0n);
  if (bits === 0n) return '0';
  const named = (name: string) => (name.startsWith('0x') ? name : `1<<${name}`);
  if (options.xlat === 'abbrev') return names.map(named).join('|');
  const words = [bits & 0xffffffffn, bits >> 32n];
  const parts: string[] = [];
  words.forEach((word, index) => {
    if (word === 0n && !(index === 0 && words[1] === 0n)) return;
    const inWord = capabilityNames(word << BigInt(32 * index)).map(named).join('|');
    parts.push(options.xlat === 'raw' ? hexText(word) : `${hexText(word)} /* ${inWord} */`);
  });
  return parts.join('|');
}

function capHeaderText(view: ArgumentView): string {
  const value = decoded(view) as { version?: ArgValue; pid?: ArgValue } | null | undefined;
  if (!value || typeof value !== 'object') return addressText(registerOf(view.record, view.index));
  const number = integerOf(value.version);
  const version = number ?? lookupFlag(xlat.cap_version, String(value.version));
  const name = number === null && typeof value.version === 'string' ? value.version : undefined;
  return `{version=${namedValueText(version ?? 0n, name, xlat.cap_version.unknown, view.options.xlat)}, pid=${value.pid}}`;
}

function capDataText(view: ArgumentView): string {
  const value = decoded(view) as Record<string, ArgValue> | null | undefined;
  if (!value || typeof value !== 'object' || Array.isArray(value)) return addressText(registerOf(view.record, view.index));
  const set = (key: string) => capabilitySetText(Array.isArray(value[key]) ? (value[key] as string[]) : [], view.options);
  return `{effective=${set('effective')}, permitted=${set('permitted')}, inheritable=${set('inheritable')}}`;
}

/** struct clone_args, the fields strace shows: those its flags put in use. */
function cloneArgsText(view: ArgumentView): string {
  const value = decoded(view) as Record<string, ArgValue> | null | undefined;
  if (!value || typeof value !== 'object' || Array.isArray(value)) return addressText(registerOf(view.record, view.index));
  const names = Array.isArray(value.flags) ? (value.flags as string[]) : [];
  const has = (flag: string) => names.includes(flag);
  const flagsValue = valueOfNames(names, xlat.clone_flags);
  const address = (field: ArgValue | undefined) => (typeof field === 'string' ? field : 'NULL');
  const fields: string[] = [`flags=${namedFlagsText(flagsValue, names, xlat.clone_flags.unknown, view.options.xlat)}`];
  if (has('CLONE_PIDFD')) fields.push(`pidfd=${address(value.pidfd)}`);
  if (has('CLONE_CHILD_SETTID') || has('CLONE_CHILD_CLEARTID')) fields.push(`child_tid=${address(value.child_tid)}`);
  if (has('CLONE_PARENT_SETTID')) fields.push(`parent_tid=${address(value.parent_tid)}`);
  const signal = value.exit_signal;
  fields.push(`exit_signal=${typeof signal === 'string' && /^SIG/.test(signal) ? signalText(BigInt(signalNumber(signal)), view.options) : String(signal)}`);
  fields.push(`stack=${address(value.stack)}`);
  const stackSize = integerOf(value.stack_size);
  fields.push(`stack_size=${stackSize === null ? String(value.stack_size) : hexText(stackSize)}`);
  if (has('CLONE_SETTLS')) fields.push(`tls=${address(value.tls)}`);
  const setTidSize = value.set_tid_size;
  if ((value.set_tid !== null && value.set_tid !== undefined) || (setTidSize !== undefined && String(setTidSize) !== '0')) {
    fields.push(`set_tid=${address(value.set_tid)}`, `set_tid_size=${String(setTidSize)}`);
  }
  if (value.cgroup !== undefined && (has('CLONE_INTO_CGROUP') || String(value.cgroup) !== '0')) fields.push(`cgroup=${String(value.cgroup)}`);
  return `{${fields.join(', ')}}`;
}

/** The value flag names stand for (a decoder's output: names of `sets`, an unknown remainder as 0x…). */
function valueOfNames(names: readonly ArgValue[], ...sets: readonly XlatSet[]): bigint {
  let value = 0n;
  for (const name of names) {
    if (typeof name !== 'string') continue;
    if (name.startsWith('0x')) value |= integerOf(name) ?? 0n;
    else for (const set of sets) value |= lookupFlag(set, name) ?? 0n;
  }
  return value;
}

/** siginfo_t as strace's printsiginfo: `{}` when si_signo is 0. */
function siginfoText(view: ArgumentView): string {
  const value = decoded(view) as Record<string, ArgValue> | null | undefined;
  if (!value || typeof value !== 'object' || Array.isArray(value)) return addressText(registerOf(view.record, view.index));
  const { options } = view;
  const signal = (field: ArgValue | undefined) => (typeof field === 'string' && /^SIG/.test(field) ? signalText(BigInt(signalNumber(field)), options) : String(field));
  const fields: string[] = [];
  for (const [key, field] of Object.entries(value)) {
    if (key === 'si_signo') fields.push(`si_signo=${signal(field)}`);
    else if (key === 'si_code') {
      const name = typeof field === 'string' ? field : undefined;
      const code = name ? (lookupFlag(xlat.sigchld_codes, name) ?? lookupFlag(xlat.siginfo_codes, name) ?? 0n) : (integerOf(field) ?? 0n);
      fields.push(`si_code=${namedValueText(code, name, xlat.siginfo_codes.unknown, options.xlat)}`);
    } else if (key === 'si_status') fields.push(`si_status=${signal(field)}`);
    else fields.push(`${key}=${String(field)}`);
  }
  return `{${fields.join(', ')}}`;
}

/** Bytes as strace's QUOTE_FORCE_HEX string, cut at -s. */
function hexQuoted(bytes: Uint8Array, limit: number): string {
  const shown = [...bytes.subarray(0, limit)].map((byte) => `\\x${byte.toString(16).padStart(2, '0')}`).join('');
  return `"${shown}"${bytes.length > limit ? '...' : ''}`;
}

/** struct open_how as strace's print_open_how: the mode only where a file may be made (or it is
 *  not 0), and the bytes a bigger struct adds when any is not zero. */
function openHowText(view: ArgumentView): string {
  const value = decoded(view) as Record<string, ArgValue> | null | undefined;
  if (!value || typeof value !== 'object' || Array.isArray(value)) return addressText(registerOf(view.record, view.index));
  const { xlat: style, stringLimit } = view.options;
  const flagNames = Array.isArray(value.flags) ? value.flags : [];
  const flags = valueOfNames(flagNames, xlat.open_access_modes, xlat.open_flags);
  const mode = typeof value.mode === 'string' && /^0[0-7]{0,22}$/.test(value.mode) ? BigInt(`0o${value.mode.slice(1) || '0'}`) : 0n;
  const resolve = valueOfNames(Array.isArray(value.resolve) ? value.resolve : [], xlat.open_resolve_flags);
  const fields = [`flags=${namedFlagsText(flags, flagNames as string[], xlat.open_flags.unknown, style)}`];
  if (flags & (O_CREAT | O_TMPFILE_BIT) || mode !== 0n) fields.push(`mode=0${mode.toString(8).padStart(3, '0')}`);
  fields.push(`resolve=${flagsText(xlat.open_resolve_flags, resolve, style)}`);
  const rest = bytesOf(value.rest);
  if (rest) fields.push(`/* bytes ${OPEN_HOW_SIZE}..${OPEN_HOW_SIZE + rest.length - 1} */ ${hexQuoted(rest, stringLimit)}`);
  return `{${fields.join(', ')}}`;
}

export function lookupFlag(set: XlatSet, name: string): bigint | undefined {
  return set.entries.find(([entry]) => entry === name)?.[1];
}

export function signalNumber(name: string): number {
  const rt = /^SIGRT_(\d+)$/.exec(name);
  if (rt) return 32 + Number(rt[1]);
  const entry = xlat.signals.entries.find(([entry]) => entry === name);
  return entry ? Number(entry[1]) : 0;
}

/** A flag or value set of tracer/tables/xlat, read at the width signatures.in gives it. */
function setText(view: ArgumentView, set: XlatSet): string {
  const register = registerOf(view.record, view.index);
  const value = view.arg.wide ? register : uint32(register);
  if (set.kind === 'flags') return flagsText(set, value, view.options.xlat);
  const signed = view.arg.wide ? BigInt.asIntN(64, register) : int32(register);
  const name = lookupValue(set, signed) ?? lookupValue(set, value);
  return namedValueText(value, name, set.unknown, view.options.xlat);
}

/** The parameter argument's value (a write's count, a sethostname's length). */
function parameterOf(view: ArgumentView): bigint {
  return view.arg.parameterIndex === null ? 0n : registerOf(view.record, view.arg.parameterIndex);
}

/** A decoded value shown as it is, for a record that lacks its raw registers (a trace edited or
 *  made by another tool): flags joined, strings quoted, structs as {key=value}. */
function decodedValueText(value: ArgValue | undefined): string {
  if (value === null || value === undefined) return 'NULL';
  if (typeof value === 'string') return /^[A-Z_0-9]+$|^0x[0-9a-f]+$|^0[0-7]*$|^-?\d+$/.test(value) ? value : JSON.stringify(value);
  if (typeof value === 'number' || typeof value === 'boolean') return String(value);
  if (Array.isArray(value)) return value.length === 0 ? '0' : value.map((item) => (typeof item === 'string' ? item : decodedValueText(item))).join('|');
  const record = value as Record<string, ArgValue>;
  if ('ns' in record && 'host' in record) return String(record.ns);
  return `{${Object.entries(record).map(([key, field]) => `${key}=${decodedValueText(field)}`).join(', ')}}`;
}

export function argumentText(view: ArgumentView): string {
  if (view.record.raw?.[view.index] === undefined && view.arg.type !== 'clone_args') return decodedValueText(decoded(view));
  const register = registerOf(view.record, view.index);
  const { options } = view;
  switch (view.arg.type) {
    case 'int':
      return int32(register).toString();
    case 'uint':
      return uint32(register).toString();
    case 'long':
      return BigInt.asIntN(64, register).toString();
    case 'ulong':
    case 'size':
      return register.toString();
    case 'xint':
      return hexText(uint32(register));
    case 'hex':
      return hexText(register);
    case 'ptr':
      return addressText(register);
    case 'fd':
      return fdText(view, register);
    case 'dirfd':
      return namedValueText(int32(register), int32(register) === AT_FDCWD ? 'AT_FDCWD' : undefined, null, options.xlat, true);
    case 'pid':
      return pidText(view);
    case 'uid':
    case 'gid':
      return idText(register);
    case 'mode':
      return modeText(register);
    case 'signal':
      return signalText(register, options);
    case 'path':
      return stringText(view, PATH_LIMIT);
    case 'string':
    case 'mount_data':
    case 'fsconfig_value':
    case 'prctl_arg':
      return stringText(view, options.stringLimit);
    case 'bytes':
      return bufferText(view, parameterOf(view));
    case 'strings':
      return stringArrayText(view, decoded(view));
    case 'env':
      return environmentText(view);
    case 'ints':
    case 'fds_out':
      return intsText(view);
    case 'status_out':
      return waitStatusText(view);
    case 'rusage':
      return rusageText(view);
    case 'siginfo_out':
      return siginfoText(view);
    case 'seccomp_args': {
      const value = decoded(view);
      if (value === null || typeof value !== 'object' || Array.isArray(value)) return addressText(register);
      const program = value as Record<string, ArgValue>;
      if ('seccomp_notif' in program) return `{${Object.entries(program).map(([key, size]) => `${key}=${String(size)}`).join(', ')}}`;
      if ('action' in program) {
        const action = program.action;
        const number = typeof action === 'string' ? lookupFlag(xlat.seccomp_ret_actions, action) : integerOf(action);
        return `[${namedValueText(number ?? 0n, typeof action === 'string' ? action : undefined, xlat.seccomp_ret_actions.unknown, options.xlat)}]`;
      }
      return fprogText(value, addressText(register), options);
    }
    case 'clone_args':
      return cloneArgsText(view);
    case 'open_how':
      return openHowText(view);
    case 'cap_header':
      return capHeaderText(view);
    case 'cap_data':
      return capDataText(view);
    case 'oflags': {
      const value = uint32(register);
      return namedFlagsText(value, decodeOpenFlags(Number(value)), xlat.open_flags.unknown, options.xlat === 'abbrev' ? 'abbrev' : options.xlat);
    }
    case 'mount_flags':
      return namedFlagsText(register, decodeMountFlags(register), xlat.mount_flags.unknown, options.xlat);
    case 'clone_call_flags':
      return hexText(register);
  }
  const set = (xlat as Readonly<Record<string, XlatSet>>)[view.arg.type];
  if (set) return setText(view, set);
  // any type without a printer here: what the decoder made of it
  const value = decoded(view);
  return value === null || value === undefined ? addressText(register) : JSON.stringify(value);
}
