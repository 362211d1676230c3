// Records as the engine wrote them, parsed but not yet decoded.
export interface RawBlob {
  readonly arg: number;
  readonly kind: number;
  readonly truncated: boolean;
  readonly fault: boolean;
  /** The bytes are buffer[start, end), in the chunk they arrived in; `data` makes a Buffer of
   *  them only when asked, since most decoders read the chunk in place. */
  readonly buffer: Buffer;
  readonly start: number;
  readonly end: number;
  readonly data: Buffer;
}

export interface RawHello {
  readonly type: 'hello';
  readonly protocolVersion: number;
  readonly sessionFlags: number;
  readonly startNs: number;
  readonly realtimeStartNs: number;
  readonly kernelRelease: string;
  readonly machine: string;
}

export interface RawTask {
  readonly type: 'task';
  readonly tid: number;
  readonly time: number;
  readonly tgid: number;
  readonly ppid: number;
  readonly reason: 'new' | 'exec' | 'ns';
  readonly nspid: readonly number[];
  readonly ns: readonly number[];
  readonly uid: number;
  readonly gid: number;
  readonly comm: string;
}

export interface RawSyscall {
  readonly type: 'syscall';
  readonly tid: number;
  readonly time: number;
  readonly nr: number;
  readonly hasRet: boolean;
  readonly unfinished: boolean;
  /** The six argument registers, read in place: argument i is the little-endian uint32 word
   *  pair at argsAt + 8i of `view`, the chunk the record arrived in. Words, not BigInts: most
   *  arguments are 32-bit; and not copied out: most calls have fewer than six. */
  readonly view: DataView;
  readonly argsAt: number;
  /** exact: a decimal string beyond ±(2^53 - 1) */
  readonly ret: number | string;
  readonly enterNs: number;
  readonly childTid: number;
  readonly blobs: readonly RawBlob[];
}

export interface RawExec {
  readonly type: 'exec';
  readonly tid: number;
  readonly time: number;
  readonly formerTid: number;
  readonly comm: string;
}

export interface RawSignal {
  readonly type: 'signal';
  readonly tid: number;
  readonly time: number;
  readonly signo: number;
  readonly code: number;
  readonly senderPid: number;
  readonly senderUid: number;
  readonly groupStop: boolean;
}

export interface RawExit {
  readonly type: 'exit';
  readonly tid: number;
  readonly time: number;
  readonly killed: boolean;
  readonly value: number;
  readonly coreDumped: boolean;
}

export interface RawError {
  readonly type: 'error';
  readonly tid: number;
  readonly time: number;
  readonly errorNumber: number;
  readonly message: string;
}

export interface RawEnd {
  readonly type: 'end';
  readonly time: number;
  readonly reason: 'done' | 'stopped' | 'output-failed';
  readonly mainStatus: number;
}

/** Events the eBPF backend had no room for (native/event.h struct ct_lost). */
export interface RawLost {
  readonly type: 'lost';
  /** when the last of them was lost */
  readonly time: number;
  readonly sinceNs: number;
  readonly count: number;
  readonly total: number;
  readonly cpus: readonly { readonly cpu: number; readonly count: number }[];
}

export type RawRecord = RawHello | RawTask | RawSyscall | RawExec | RawSignal | RawExit | RawError | RawEnd | RawLost;
