// Turning raw syscall argument values into names, over the sets generated from xlat/*.in.
// Flag arithmetic is bigint where it must be: JS bitwise operators work on 32 bits, and clone3's
// flags and mount's magic number live above bit 31. Values that fit in 32 bits (nearly all of
// them) take a number path instead, which gives the same names without a BigInt per bit test.
import { XLAT_SETS, type XlatSet } from './generated/xlat.js';

export type { XlatSet };
export type XlatSetName = keyof typeof XLAT_SETS;

/** Every set by name, e.g. `xlat.clone_flags`. */
export const xlat = XLAT_SETS;

// Real-time signals are numbered from the kernel's SIGRTMIN (32) to _NSIG (64), both in
// arch/x86/include/uapi/asm/signal.h; they are a range, not names, so they are not in signals.in.
const KERNEL_SIGRTMIN = 32;
const KERNEL_NSIG = 64;

function toBigint(value: bigint | number): bigint {
  if (typeof value === 'bigint') return value;
  if (!Number.isSafeInteger(value)) throw new RangeError(`${value} is not an exact integer; pass a bigint`);
  return BigInt(value);
}

function expectKind(set: XlatSet, kind: XlatSet['kind']): void {
  if (set.kind !== kind) throw new TypeError(`${set.name} is a set of ${set.kind}, not ${kind}`);
}

/** The value of one named entry; throws if the set lacks it (a table bug, not an input error). */
export function xlatValue(set: XlatSet, name: string): bigint {
  const entry = set.entries.find(([entryName]) => entryName === name);
  if (!entry) throw new Error(`${set.name} has no entry ${name}`);
  return entry[1];
}

/** A flag set's entries whose bits fit in 32 bits, as numbers, in table order. The others
 *  can never match a value below 2^32, so the number path may skip them. */
interface FlagBits32 {
  readonly names: readonly string[];
  readonly bits: readonly number[];
}

const flagBits32 = new WeakMap<XlatSet, FlagBits32>();

function flagBits32Of(set: XlatSet): FlagBits32 {
  let table = flagBits32.get(set);
  if (!table) {
    const fitting = set.entries.filter(([, bits]) => bits >= 0n && bits <= 0xffffffffn);
    table = { names: fitting.map(([name]) => name), bits: fitting.map(([, bits]) => Number(bits)) };
    flagBits32.set(set, table);
  }
  return table;
}

const isUint32 = (value: bigint | number): value is number => typeof value === 'number' && value >>> 0 === value;

/** decodeFlags, appending to `names`. */
function appendFlags(set: XlatSet, value: bigint | number, names: string[]): string[] {
  if (isUint32(value)) {
    const table = flagBits32Of(set);
    let rest = value;
    for (let i = 0; i < table.bits.length; i++) {
      const bits = table.bits[i]!;
      if ((rest & bits) >>> 0 === bits) {
        names.push(table.names[i]!);
        rest = (rest & ~bits) >>> 0;
      }
    }
    if (rest !== 0) names.push(`0x${rest.toString(16)}`);
    return names;
  }
  let rest = BigInt.asUintN(64, toBigint(value));
  for (const [name, bits] of set.entries) {
    if ((rest & bits) === bits) {
      names.push(name);
      rest &= ~bits;
    }
  }
  if (rest !== 0n) names.push(`0x${rest.toString(16)}`);
  return names;
}

/**
 * Names of the bits set in `value`, in table order, then any bits the table does not know as
 * one hex string ("0x40000000"), as strace prints them. Zero gives []; print it as "0"
 * (formatFlags does). Numbers are taken as the unsigned 64-bit register value.
 */
export function decodeFlags(set: XlatSet, value: bigint | number): string[] {
  expectKind(set, 'flags');
  return appendFlags(set, value, []);
}

/** A values set's names by value, as bigint keys and (for safe integers) as number keys, so a
 *  number is looked up without making a BigInt of it. Later duplicates win, in both. */
interface ValueIndex {
  readonly byBigint: ReadonlyMap<bigint, string>;
  readonly byNumber: ReadonlyMap<number, string>;
}

const valueIndexes = new WeakMap<XlatSet, ValueIndex>();

function valueIndex(set: XlatSet): ValueIndex {
  let index = valueIndexes.get(set);
  if (!index) {
    const byNumber = new Map<number, string>();
    for (const [name, value] of set.entries) {
      if (value >= BigInt(Number.MIN_SAFE_INTEGER) && value <= BigInt(Number.MAX_SAFE_INTEGER)) byNumber.set(Number(value), name);
    }
    index = { byBigint: new Map(set.entries.map(([name, value]) => [value, name] as const)), byNumber };
    valueIndexes.set(set, index);
  }
  return index;
}

/** The name of `value` in a values set, or the value in decimal. Exact match: sign-extend
 *  int-typed arguments first (asInt32), e.g. a dirfd compared with AT_FDCWD (-100). */
export function lookupValue(set: XlatSet, value: bigint | number): string | undefined {
  expectKind(set, 'values');
  if (typeof value === 'bigint') return valueIndex(set).byBigint.get(value);
  if (!Number.isSafeInteger(value)) throw new RangeError(`${value} is not an exact integer; pass a bigint`);
  return valueIndex(set).byNumber.get(value);
}

export function decodeValue(set: XlatSet, value: bigint | number): string {
  return lookupValue(set, value) ?? String(value);
}

/** A 64-bit register value read as the C `int` it carries. */
export function asInt32(value: bigint | number): bigint {
  return BigInt.asIntN(32, toBigint(value));
}

/** "A|B|C", or "0" for no flags. */
export function formatFlags(names: readonly string[]): string {
  return names.length === 0 ? '0' : names.join('|');
}

let openAccessMask: bigint | undefined;

/** open/openat flags: the access mode (a 2-bit value, O_RDONLY is 0) first, then the flag bits. */
export function decodeOpenFlags(value: bigint | number): string[] {
  // A linear search of the table by name on every open call showed in profiles: look it up once.
  const accessMask = (openAccessMask ??= xlatValue(xlat.open_access_modes, 'O_ACCMODE'));
  if (isUint32(value) && accessMask <= 0x7fffffffn) {
    const mask = Number(accessMask);
    return appendFlags(xlat.open_flags, (value & ~mask) >>> 0, [decodeValue(xlat.open_access_modes, value & mask)]);
  }
  const raw = BigInt.asUintN(64, toBigint(value));
  return appendFlags(xlat.open_flags, raw & ~accessMask, [decodeValue(xlat.open_access_modes, raw & accessMask)]);
}

/** mount(2) flags, with the legacy MS_MGC_VAL magic in the top 16 bits named and removed
 *  first, as the kernel does; otherwise MS_NOUSER and friends would be read out of the magic. */
export function decodeMountFlags(value: bigint | number): string[] {
  const raw = BigInt.asUintN(64, toBigint(value));
  const magic = xlatValue(xlat.mount_magic, 'MS_MGC_VAL');
  const magicMask = xlatValue(xlat.mount_magic, 'MS_MGC_MSK');
  if ((raw & magicMask) !== magic) return decodeFlags(xlat.mount_flags, raw);
  return ['MS_MGC_VAL', ...decodeFlags(xlat.mount_flags, raw & ~magicMask)];
}

/** clone(2)'s flags argument carries the exit signal in its low byte (CSIGNAL). clone3,
 *  unshare and setns do not: decode those with decodeFlags(xlat.clone_flags, v). */
export function splitCloneFlags(value: bigint | number): { readonly flags: bigint; readonly exitSignal: number } {
  const raw = BigInt.asUintN(64, toBigint(value));
  const signalMask = xlatValue(xlat.clone_exit_signal, 'CSIGNAL');
  return { flags: raw & ~signalMask, exitSignal: Number(raw & signalMask) };
}

/** clone(2) flags as strace prints them: the flag names, then the exit signal if any
 *  (CLONE_CHILD_CLEARTID|CLONE_CHILD_SETTID|SIGCHLD). */
export function decodeCloneFlags(value: bigint | number): string[] {
  const { flags, exitSignal } = splitCloneFlags(value);
  const names = decodeFlags(xlat.clone_flags, flags);
  return exitSignal === 0 ? names : [...names, signalName(exitSignal)];
}

/** E-name of a positive errno (EPERM for 1), including the kernel-internal ones a tracer sees
 *  at syscall exit (ERESTARTSYS for 512); undefined if unknown. Negate a raw return value first. */
export function errnoName(errno: number): string | undefined {
  if (!Number.isSafeInteger(errno) || errno <= 0) return undefined;
  return lookupValue(xlat.errno, errno) ?? lookupValue(xlat.errno_kernel, errno);
}

/**
 * SIGxxx for 1..31; real-time signals as SIGRT_<n-32> (SIGRT_0 is 32), as strace prints them,
 * because "SIGRTMIN+n" would be ambiguous: glibc's SIGRTMIN is 34, the kernel's 32.
 * Anything else, including kill's signal 0, as the number in decimal.
 */
export function signalName(signal: number): string {
  const name = Number.isSafeInteger(signal) ? lookupValue(xlat.signals, signal) : undefined;
  if (name) return name;
  if (Number.isSafeInteger(signal) && signal >= KERNEL_SIGRTMIN && signal <= KERNEL_NSIG) {
    return `SIGRT_${signal - KERNEL_SIGRTMIN}`;
  }
  return String(signal);
}

/** The signals whose positive si_code values are their own (CLD_EXITED, SEGV_MAPERR, ...): the
 *  set to read them in, as strace's printsiginfo picks it. */
const SIGNAL_CODE_SETS: Readonly<Record<string, XlatSet>> = {
  SIGILL: xlat.sigill_codes,
  SIGFPE: xlat.sigfpe_codes,
  SIGSEGV: xlat.sigsegv_codes,
  SIGBUS: xlat.sigbus_codes,
  SIGTRAP: xlat.sigtrap_codes,
  SIGCHLD: xlat.sigchld_codes,
  SIGIO: xlat.sigpoll_codes,
  SIGSYS: xlat.sigsys_codes,
};

const SI_KERNEL = Number(xlatValue(xlat.siginfo_codes, 'SI_KERNEL'));

/**
 * The name of a siginfo's si_code: who sent the signal (SI_USER, SI_TKILL, SI_QUEUE, ... for
 * codes at or below 0, SI_KERNEL), or what the signal reports (CLD_EXITED for a SIGCHLD,
 * SYS_SECCOMP for a SIGSYS a seccomp filter raised). Null when neither set names it.
 */
export function siginfoCodeName(signal: string, code: number): string | null {
  const set = code > 0 && code !== SI_KERNEL ? SIGNAL_CODE_SETS[signal] : xlat.siginfo_codes;
  return (set && Number.isSafeInteger(code) && lookupValue(set, code)) || null;
}

/** CAP_ names of the bits set in a 64-bit capability set (capget/capset's two 32-bit words
 *  joined: low | high << 32), by bit number; unknown bits as one trailing hex string. */
export function capabilityNames(mask: bigint): string[] {
  let rest = BigInt.asUintN(64, mask);
  const names: string[] = [];
  for (const [name, bit] of xlat.capabilities.entries) {
    const bits = 1n << bit;
    if ((rest & bits) !== 0n) {
      names.push(name);
      rest &= ~bits;
    }
  }
  if (rest !== 0n) names.push(`0x${rest.toString(16)}`);
  return names;
}
