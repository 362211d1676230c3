// The records of a .cttrace file, one JSON object a line after the header. This is a public
// format: fields named here stay; new fields may be added; removing or changing one is a new
// major version (TRACE_FORMAT_VERSION). The format as data is schema/cttrace-v1.schema.json,
// which every reader checks records against: these types are its TypeScript face, and the two
// change together.
import type { NamespaceKind } from './namespace-kinds.js';

export const TRACE_FORMAT = 'cttrace';
export const TRACE_FORMAT_VERSION = 1;

/** A pid value seen by a process in its own PID namespace (`ns`) and by the host (`host`, null if unknown). */
export interface PidPair {
  readonly host: number | null;
  readonly ns: number;
}

export type NamespaceInodes = Readonly<Partial<Record<NamespaceKind, number>>>;

export interface TraceHeader {
  readonly format: typeof TRACE_FORMAT;
  readonly version: number;
  readonly cttrace: string;
  readonly created: string;
  readonly kernel: string;
  readonly arch: string;
  readonly command: readonly string[];
  readonly image: string | null;
  readonly runtime: string | null;
  /** which engine recorded it; absent in traces made before there was a choice (ptrace) */
  readonly backend?: 'ptrace' | 'ebpf';
  readonly filter: {
    /** seccomp: a prefilter selected the syscalls; all: every syscall stopped; attach: no prefilter
     *  possible; ebpf: programs in the kernel selected them, nothing stopped; import: made from
     *  another tracer's log (cttrace import), holding what it held. More may come. */
    readonly mode: 'seccomp' | 'all' | 'attach' | 'ebpf' | 'import';
    readonly expression: string;
    /** Why a syscall may be missing from this trace though it happened. */
    readonly caveats: readonly string[];
  };
  /** The tracer's own view, to compare the tracees' namespaces against. */
  readonly host: { readonly pid: number; readonly ns: NamespaceInodes };
  /** present when secrets were replaced by `<redacted:XXXX>` placeholders (--redact, cttrace redact) */
  readonly redaction?: RedactionNote;
}

/** What a redacted trace was searched for. */
export interface RedactionNote {
  /** the rules (tracer/redact/secret-rules.ts: env, secretOptions, assignments, bearer, privateKeys, urlPasswords, homes, users, seen) */
  readonly rules: readonly string[];
  /** how many --redact-pattern were given (not the patterns themselves: they may spell the secret) */
  readonly patterns: number;
}

interface Timed {
  /** ns since the start of the session */
  readonly t: number;
  /** host tid */
  readonly pid: number;
}

export interface ProcessRecord extends Timed {
  readonly type: 'process';
  readonly tgid: number;
  readonly ppid: number;
  /** host first, innermost PID namespace last */
  readonly nspid: readonly number[];
  readonly comm: string;
  readonly ns: NamespaceInodes;
  /** effective uid and gid as the host sees them (root in a user namespace shows its mapped uid);
   *  missing from traces made before they were added */
  readonly uid?: number;
  readonly gid?: number;
  /** why this record: first seen, after an exec, after its namespaces changed */
  readonly reason: 'new' | 'exec' | 'ns';
}

/** An integer that may not fit in a JavaScript number: beyond ±(2^53 - 1) it is written as a
 *  string of its decimal digits, so that no reader rounds it ("18446744073709551615"). */
export type ExactInteger = number | string;

export type ArgValue =
  | number
  | string
  | null
  | boolean
  | PidPair
  | readonly ArgValue[]
  | { readonly [key: string]: ArgValue };

export interface SyscallRecord extends Timed {
  readonly type: 'syscall';
  readonly name: string;
  readonly nr: number;
  /** decoded arguments keyed by argument name */
  readonly args: Readonly<Record<string, ArgValue>>;
  /** as the kernel returned it (negative errno on failure); null when the call never returned;
   *  a decimal string beyond ±(2^53 - 1) (ExactInteger) */
  readonly ret: ExactInteger | null;
  readonly err: string | null;
  /** ns from entry to exit */
  readonly dur: number;
  /** for calls returning a pid: the pid in both views */
  readonly retPid?: PidPair;
  /** for fork, vfork, clone, clone3: the child's NSpid chain (host first): the pid it sees itself as is last */
  readonly childNspid?: readonly number[];
  /** argument registers as hex, for the raw view */
  readonly raw: readonly string[];
  /** the call was still running when the task exited, exec'd away or was detached */
  readonly unfinished?: true;
  /** arguments the engine copied only the start of (longer than it copies: 4096 bytes of a
   *  string, 256 of a write): their values in args are that start */
  readonly truncated?: readonly string[];
  /** the caller's working directory when a directory fd argument was AT_FDCWD (what strace -y
   *  shows after it), as the engine read it at entry */
  readonly cwd?: string;
  /** decoder's family for colouring and filtering */
  readonly family: SyscallFamily;
}

export type SyscallFamily = 'namespaces' | 'mounts' | 'process' | 'exec' | 'cgroups' | 'files' | 'ids' | 'other';

export interface ExecRecord extends Timed {
  readonly type: 'exec';
  /** the tid that called execve: differs from pid when a non-leader thread exec'd */
  readonly formerPid: number;
  readonly comm: string;
}

export interface SignalRecord extends Timed {
  readonly type: 'signal';
  readonly signal: string;
  readonly signo: number;
  /** si_code as the kernel gave it, and its name (SI_USER, CLD_EXITED, SYS_SECCOMP...) or null;
   *  codeName is missing from traces made before it was added */
  readonly code: number;
  readonly codeName?: string | null;
  readonly sender: { readonly pid: number; readonly uid: number } | null;
  /** a group-stop (the process was stopped), not a delivery */
  readonly stop: boolean;
}

export interface ExitRecord extends Timed {
  readonly type: 'exit';
  readonly code?: number;
  readonly signal?: string;
  readonly core?: boolean;
}

export interface ErrorRecord extends Timed {
  readonly type: 'error';
  readonly errno: string;
  readonly message: string;
}

export interface EndRecord {
  readonly type: 'end';
  readonly t: number;
  readonly reason: 'done' | 'stopped' | 'output-failed';
  /** exit status of the started command: code, or 128 + signal */
  readonly status: number;
  /** events lost in the whole session (the sum of its lost records); absent when none was */
  readonly lost?: number;
}

/** Events the eBPF backend could not record (its ring buffer was full): a call's entry, a captured
 *  string or its exit, a task's birth or end. The trace misses them between `since` and `t`. */
export interface LostRecord {
  readonly type: 'lost';
  /** ns since the start: when the last of these events was lost */
  readonly t: number;
  /** ns since the start: none of them was lost before this (the engine's previous count) */
  readonly since: number;
  /** events lost between since and t */
  readonly count: number;
  /** events lost in the session up to t */
  readonly total: number;
  /** the CPUs that lost any between since and t, and how many each */
  readonly cpus: readonly { readonly cpu: number; readonly count: number }[];
}

export type TraceRecord = ProcessRecord | SyscallRecord | ExecRecord | SignalRecord | ExitRecord | ErrorRecord | EndRecord | LostRecord;
