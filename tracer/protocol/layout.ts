// Byte layout of the records in native/event.h. test/protocol.test.ts compiles that header and
// checks every offset here, so the two cannot drift apart.

export const PROTOCOL_VERSION = 2;
export const HEADER_SIZE = 24;

export const RecordType = {
  hello: 1,
  task: 2,
  syscall: 3,
  exec: 4,
  signal: 5,
  exit: 6,
  error: 7,
  end: 8,
  lost: 9,
} as const;

export const Header = { length: 0, type: 4, flags: 6, tid: 8, time: 16 } as const;

export const Hello = {
  protocolVersion: 0,
  sessionFlags: 4,
  startNs: 8,
  realtimeStartNs: 16,
  kernelRelease: 24,
  machine: 89,
  size: 160,
  stringSize: 65,
} as const;

export const SessionFlags = { traceAll: 1, attached: 2, seccomp: 4, ebpf: 8 } as const;

/** Namespace kinds in the order of ct_task.ns (enum ct_ns_kind): the trace format's list, whose order the engines follow. */
export { NAMESPACE_KINDS, type NamespaceKind } from '../trace/namespace-kinds.js';

export const Task = {
  tgid: 0,
  ppid: 4,
  reason: 8,
  nspidCount: 12,
  nspid: 16,
  maxNspid: 8,
  ns: 48,
  uid: 128,
  gid: 132,
  comm: 136,
  size: 152,
} as const;

export const TaskReason = { 1: 'new', 2: 'exec', 3: 'ns' } as const;

export const Syscall = {
  nr: 0,
  flags: 4,
  blobCount: 6,
  args: 8,
  ret: 56,
  enterNs: 64,
  childTid: 72,
  size: 80,
} as const;

export const SyscallFlags = { hasRet: 1, unfinished: 2 } as const;

export const Blob = { arg: 0, kind: 1, flags: 2, length: 4, size: 8 } as const;
export const BlobFlags = { truncated: 1, fault: 2 } as const;

export const CaptureKind = {
  none: 0,
  string: 1,
  strings: 2,
  bytesArg: 3,
  fixed: 4,
  outFixed: 5,
  intsArg: 6,
  pointerCount: 7,
  outStruct: 8,
  outOfArg: 9,
  fprog: 10,
  cwd: 11,
} as const;
/** CT_FPROG_MAX_INSNS: BPF_MAXINSNS and one more */
export const FPROG_MAX_INSNS = 4097;
export type CaptureKindName = keyof typeof CaptureKind;

export const Behaviour = { nsChange: 1, exec: 2, returnsFd: 4, closesFd: 8, forks: 16 } as const;
export const RecordFilter = { cgroupOnly: 1 } as const;
/** Bytes of a capture table row (CT_CAPTURE_ROW) and where its parts are (CT_ROW_*). */
export const CAPTURE_ROW = 12;
export const Row = { behaviour: 6, filter: 7, pathArg: 8, dirfdArg: 9, fdArg: 10, cloneFlagsArg: 11 } as const;
export const MAX_SYSCALL = 1024;

export const Exec = { formerTid: 0, comm: 8, size: 24 } as const;
export const Signal = { signo: 0, code: 4, senderPid: 8, senderUid: 12, kind: 16, size: 24 } as const;
export const SignalKind = { delivered: 1, groupStop: 2 } as const;
export const Exit = { kind: 0, value: 4, coreDumped: 8, size: 16 } as const;
export const ExitKind = { exited: 1, killed: 2 } as const;
export const ErrorRecord = { errorNumber: 0, message: 8 } as const;
export const Lost = { count: 0, total: 8, sinceNs: 16, cpuCount: 24, size: 32 } as const;
export const LostCpu = { cpu: 0, count: 8, size: 16 } as const;
export const End = { reason: 0, mainStatus: 4, size: 8 } as const;
export const EndReason = { 0: 'done', 1: 'stopped', 2: 'output-failed' } as const;

export const EngineOptions = { traceAll: 1, pinTracer: 2 } as const;
