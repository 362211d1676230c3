// The shapes the viewer draws: derived from the records, never decoded from raw syscalls here.
import type { Phase } from '../../../tracer/analysis/phases.js';
import type { LostRecord, NamespaceInodes, TraceHeader, TraceRecord } from '../../../tracer/trace/records.js';
import type { KeptRecord } from './record-ingest.js';
import type { SpanColumns } from './span-columns.js';

/** A stretch of one task between execs: the same task before and after execve reads as two segments. */
export interface Segment {
  readonly start: number;
  /** the next segment's start, the task's exit, or the end of the trace */
  readonly end: number;
  readonly comm: string;
  /** the successful execve that began this segment, if traced */
  readonly execSeq: number | null;
  readonly filename: string | null;
  readonly argv: readonly string[] | null;
}

/** One row of the timeline: one task (thread or process) from its first to its last record. */
export interface Lane {
  readonly ordinal: number;
  readonly tid: number;
  readonly tgid: number;
  readonly ppid: number;
  /** host first, innermost PID namespace last */
  readonly nspid: readonly number[];
  readonly hostPid: number;
  readonly nsPid: number;
  readonly comm: string;
  /** `host pid / ns pid  comm` */
  readonly label: string;
  readonly isThread: boolean;
  /** effective uid and gid as the host sees them (last process record; null in traces without them) */
  readonly uid: number | null;
  readonly gid: number | null;
  readonly start: number;
  /** exit time, or null if it outlived the trace */
  readonly end: number | null;
  readonly exit: { readonly t: number; readonly code?: number; readonly signal?: string } | null;
  readonly segments: readonly Segment[];
  /** namespaces over time (process records), oldest first */
  readonly nsHistory: readonly { readonly t: number; readonly ns: NamespaceInodes }[];
  /** the seccomp filter the task runs under from then on: loaded by it, or inherited from its
   *  parent (filters survive fork and execve); null if none was seen */
  readonly seccomp: { readonly t: number; readonly lane: number } | null;
  readonly parent: number | null;
  readonly children: readonly number[];
  /** depth in the process tree (0 for a root) */
  readonly depth: number;
  /** position from the top of the timeline */
  readonly row: number;
  readonly spanCount: number;
}

export interface CloneArrow {
  readonly fromLane: number;
  readonly toLane: number;
  /** when the parent called clone (or when the child appeared, for an inferred arrow) */
  readonly fromT: number;
  readonly toT: number;
  /** the clone/fork/vfork/clone3 record, null when only the parent pid tells */
  readonly seq: number | null;
  readonly span: number;
  readonly call: string;
  readonly thread: boolean;
}

export type { NamespaceKindShown } from '../../../tracer/analysis/clone-flags.js';
import type { NamespaceKindShown } from '../../../tracer/analysis/clone-flags.js';

export interface NamespaceEvent {
  readonly lane: number;
  readonly t: number;
  readonly seq: number | null;
  readonly span: number;
  readonly call: string;
}

/** A namespace as an object with a lifetime: created by unshare/clone, joined by setns. */
export interface NamespaceObject {
  readonly id: number;
  readonly kind: NamespaceKindShown;
  readonly inode: number;
  /** the tracer's own namespace of this kind */
  readonly isHost: boolean;
  readonly createdBy: NamespaceEvent | null;
  readonly joinedBy: readonly NamespaceEvent[];
  /** lanes that were members at some point */
  readonly members: readonly number[];
  /** processes (not threads) that were members */
  readonly processCount: number;
  readonly start: number;
  /** when its last member exited, or null if one outlived the trace (or it is the host's) */
  readonly end: number | null;
}

export interface Milestone {
  readonly kind: 'pivot_root' | 'chroot' | 'execve';
  readonly t: number;
  readonly lane: number;
  readonly seq: number;
  readonly span: number;
  readonly label: string;
}

/** The phases of container creation: defined once, in tracer/analysis/phases.ts. */
export type { Phase, PhaseName } from '../../../tracer/analysis/phases.js';

export interface NamespaceTableRow {
  readonly lane: number;
  readonly label: string;
  /** inode per kind (NAMESPACE_TABLE_KINDS order), null if unknown */
  readonly inodes: readonly (number | null)[];
}

export interface NamespaceTable {
  readonly kinds: readonly NamespaceKindShown[];
  readonly host: readonly (number | null)[];
  readonly rows: readonly NamespaceTableRow[];
  /** processes sharing each namespace, by `${kind}:${inode}` */
  readonly shares: ReadonlyMap<string, number>;
}

export interface TraceModel {
  readonly header: TraceHeader;
  readonly columns: SpanColumns;
  /** by ordinal */
  readonly lanes: readonly Lane[];
  /** lane ordinals top to bottom: the process tree, depth first */
  readonly rows: readonly number[];
  readonly arrows: readonly CloneArrow[];
  readonly namespaces: readonly NamespaceObject[];
  readonly milestones: readonly Milestone[];
  readonly phases: readonly Phase[];
  readonly namespaceTable: NamespaceTable;
  readonly kept: readonly KeptRecord[];
  readonly signals: readonly KeptRecord[];
  /** where the eBPF backend lost events (its ring buffer was full): gaps in every lane */
  readonly lost: readonly LostRecord[];
  readonly start: number;
  readonly end: number;
  /** the end record arrived: the trace is complete */
  readonly complete: boolean;
  readonly endRecord: Extract<TraceRecord, { type: 'end' }> | null;
}
