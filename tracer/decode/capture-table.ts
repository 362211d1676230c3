// Builds the engine's capture table and syscall bitmap (native/event.h) from the signatures.
import { Behaviour, CAPTURE_ROW, CaptureKind, MAX_SYSCALL, RecordFilter, Row } from '../protocol/layout.js';
import { syscallByName, type Arch } from '../tables/syscalls.js';
import type { ArgumentSignature } from './signatures.js';
import { signatures } from './signatures.js';

type CaptureRule = (arg: ArgumentSignature, options: CaptureOptions) => number;

export interface CaptureOptions {
  /** copy execve's environment too */
  readonly env: boolean;
  /** record these only when they work on a file under /sys/fs/cgroup */
  readonly cgroupOnly?: ReadonlySet<number>;
}

const spec = (kind: number, parameter = 0) => (kind & 0x0f) | (parameter << 4);
const withLengthArgument = (kind: number) => (arg: ArgumentSignature) => spec(kind, arg.parameterIndex ?? 0);

/** What the engine copies for each argument type; types not listed are plain register values. */
const CAPTURE_BY_TYPE: Readonly<Record<string, CaptureRule>> = {
  path: () => spec(CaptureKind.string),
  // AT_FDCWD: the working directory it stands for (strace -y's AT_FDCWD</tmp>)
  dirfd: () => spec(CaptureKind.cwd),
  string: () => spec(CaptureKind.string),
  mount_data: () => spec(CaptureKind.string),
  // prctl's arg2 and fsconfig's value are strings only for some commands; a failed copy of a
  // small integer costs one process_vm_readv and is dropped by the decoder.
  prctl_arg: () => spec(CaptureKind.string),
  fsconfig_value: () => spec(CaptureKind.string),
  strings: () => spec(CaptureKind.strings),
  // without --env only how many variables there are (strace's "/* 5 vars */")
  env: (_arg, options) => (options.env ? spec(CaptureKind.strings) : spec(CaptureKind.pointerCount)),
  bytes: withLengthArgument(CaptureKind.bytesArg),
  clone_args: withLengthArgument(CaptureKind.bytesArg),
  ints: withLengthArgument(CaptureKind.intsArg),
  cap_header: () => spec(CaptureKind.fixed, 1), // 8 bytes
  cap_data: () => spec(CaptureKind.fixed, 3), // two 12-byte words: 24 bytes
  open_how: withLengthArgument(CaptureKind.bytesArg), // flags, mode, resolve, and what a bigger size adds
  status_out: () => spec(CaptureKind.outFixed, 1),
  fds_out: () => spec(CaptureKind.outFixed, 2),
  rusage: () => spec(CaptureKind.outStruct, 9), // struct rusage: 144 bytes
  siginfo_out: () => spec(CaptureKind.outStruct, 8), // siginfo_t: 128 bytes
  // struct sock_fprog and its program (SECCOMP_GET_ACTION_AVAIL's u32 is its first bytes)
  seccomp_args: () => spec(CaptureKind.fprog),
  prctl_fprog: () => spec(CaptureKind.fprog),
};

/** Types whose pointer some commands read at entry and others write at exit (prctl's PR_SET_NAME
 *  and PR_GET_NAME, seccomp's SECCOMP_SET_MODE_FILTER and SECCOMP_GET_NOTIF_SIZES): the engine
 *  also copies 16 bytes there at exit, given in a slot the call has no argument for. */
const ALSO_AT_EXIT: ReadonlySet<string> = new Set(['prctl_arg', 'seccomp_args']);
const ARGUMENT_SLOTS = 6;

export interface EngineTables {
  readonly capture: Uint8Array;
  readonly bitmap: Uint8Array;
}

export function buildEngineTables(arch: Arch, syscalls: ReadonlySet<number>, options: CaptureOptions): EngineTables {
  const capture = new Uint8Array(MAX_SYSCALL * CAPTURE_ROW);
  const bitmap = new Uint8Array(MAX_SYSCALL / 8);
  for (const nr of syscalls) {
    if (nr >= 0 && nr < MAX_SYSCALL) bitmap[nr >> 3]! |= 1 << (nr & 7);
  }
  for (const signature of signatures().values()) {
    const info = syscallByName(arch, signature.name);
    if (!info || info.nr >= MAX_SYSCALL) continue;
    const row = info.nr * CAPTURE_ROW;
    let freeSlot = signature.args.length;
    signature.args.forEach((arg, index) => {
      const rule = CAPTURE_BY_TYPE[arg.type];
      capture[row + index] = rule ? rule(arg, options) : CaptureKind.none;
      if (ALSO_AT_EXIT.has(arg.type) && freeSlot < ARGUMENT_SLOTS) capture[row + freeSlot++] = spec(CaptureKind.outOfArg, index);
    });
    capture[row + Row.behaviour] =
      (signature.changesNamespaces ? Behaviour.nsChange : 0) |
      (signature.execs ? Behaviour.exec : 0) |
      (signature.returns === 'fd' ? Behaviour.returnsFd : 0) |
      (signature.closesFd ? Behaviour.closesFd : 0) |
      (signature.forks ? Behaviour.forks : 0);
    capture[row + Row.filter] = options.cgroupOnly?.has(info.nr) ? RecordFilter.cgroupOnly : 0;
    // Where the file a call works on is named: index + 1, 0 for none.
    const argumentOf = (type: string) => signature.args.findIndex((arg) => arg.type === type) + 1;
    capture[row + Row.pathArg] = argumentOf('path');
    capture[row + Row.dirfdArg] = argumentOf('dirfd');
    capture[row + Row.fdArg] = argumentOf('fd');
    // Where CLONE_* flags are: what namespaces a child starts in, or which ones unshare/setns change.
    capture[row + Row.cloneFlagsArg] = Math.max(argumentOf('clone_call_flags'), argumentOf('clone_args'), argumentOf('clone_flags'));
  }
  return { capture, bitmap };
}
