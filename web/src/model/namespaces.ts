// Namespaces as objects with lifetimes, and the process × namespace table.
// Inodes come from the process records (read by the tracer from /proc/TID/ns/*); who created a
// namespace comes from the unshare/clone/clone3 that carried its CLONE_NEW* flag, who joined one
// from setns.
import type { NamespaceInodes, ProcessRecord, SyscallRecord, TraceHeader } from '../../../tracer/trace/records.js';
import { namespaceKindsOf } from '../../../tracer/analysis/clone-flags.js';
import type { CloneArrow, Lane, NamespaceEvent, NamespaceKindShown, NamespaceObject, NamespaceTable } from './model-types.js';
import type { KeptRecord } from './record-ingest.js';

export const NAMESPACE_TABLE_KINDS: readonly NamespaceKindShown[] = ['mnt', 'pid', 'net', 'ipc', 'uts', 'user', 'cgroup', 'time'];

/** `pid_for_children` points at a pid namespace; `time_for_children` at a time namespace. */
const FOR_CHILDREN: ReadonlyArray<[keyof NamespaceInodes, NamespaceKindShown]> = [
  ['pid_for_children', 'pid'],
  ['time_for_children', 'time'],
];

export const namespaceKey = (kind: NamespaceKindShown, inode: number): string => `${kind}:${inode}`;

interface Draft {
  id: number;
  kind: NamespaceKindShown;
  inode: number;
  isHost: boolean;
  createdBy: NamespaceEvent | null;
  joinedBy: NamespaceEvent[];
  members: Set<number>;
  firstSeen: number;
}

type KeptSyscall = { seq: number; lane: number; span: number; record: SyscallRecord };

export function deriveNamespaces(
  header: TraceHeader,
  lanes: readonly Lane[],
  kept: readonly KeptRecord[],
  arrows: readonly CloneArrow[],
): { objects: NamespaceObject[]; table: NamespaceTable } {
  const syscallsByLane = new Map<number, KeptSyscall[]>();
  const syscallBySeq = new Map<number, KeptSyscall>();
  const processes: { lane: number; record: ProcessRecord }[] = [];
  for (const item of kept) {
    if (item.record.type === 'process') processes.push({ lane: item.lane, record: item.record });
    if (item.record.type !== 'syscall') continue;
    const entry = item as KeptSyscall;
    syscallBySeq.set(entry.seq, entry);
    if (['unshare', 'setns', 'clone', 'clone3'].includes(entry.record.name)) {
      const list = syscallsByLane.get(entry.lane) ?? [];
      list.push(entry);
      syscallsByLane.set(entry.lane, list);
    }
  }
  for (const list of syscallsByLane.values()) list.sort((a, b) => a.record.t - b.record.t);
  processes.sort((a, b) => a.record.t - b.record.t);
  const arrowToChild = new Map(arrows.map((arrow) => [arrow.toLane, arrow]));

  const latestCall = (lane: number, t: number, accept: (call: KeptSyscall) => boolean): KeptSyscall | null => {
    const list = syscallsByLane.get(lane) ?? [];
    for (let i = list.length - 1; i >= 0; i--) {
      const call = list[i]!;
      if (call.record.t <= t && accept(call)) return call;
    }
    return null;
  };
  const eventOf = (call: KeptSyscall): NamespaceEvent => ({ lane: call.lane, t: call.record.t, seq: call.seq, span: call.span, call: call.record.name });
  const unshareOf = (kind: NamespaceKindShown) => (call: KeptSyscall) =>
    call.record.name === 'unshare' && Number(call.record.ret ?? -1) >= 0 && namespaceKindsOf(call.record).includes(kind);

  const drafts = new Map<string, Draft>();
  const create = (kind: NamespaceKindShown, inode: number, t: number, isHost: boolean, createdBy: NamespaceEvent | null): Draft => {
    const draft: Draft = { id: drafts.size, kind, inode, isHost, createdBy, joinedBy: [], members: new Set(), firstSeen: t };
    drafts.set(namespaceKey(kind, inode), draft);
    return draft;
  };
  for (const kind of NAMESPACE_TABLE_KINDS) {
    const inode = header.host.ns[kind];
    if (inode !== undefined) create(kind, inode, 0, true, null);
  }

  /** Who made the namespace `kind` a task is first seen in. */
  const creatorFor = (kind: NamespaceKindShown, lane: number, record: ProcessRecord): NamespaceEvent | null => {
    if (record.reason !== 'new') {
      const call = latestCall(lane, record.t, unshareOf(kind));
      return call ? eventOf(call) : null;
    }
    const arrow = arrowToChild.get(lane);
    const clone = arrow?.seq != null ? syscallBySeq.get(arrow.seq) : undefined;
    if (clone && namespaceKindsOf(clone.record).includes(kind)) return eventOf(clone);
    // unshare(CLONE_NEWPID) / (CLONE_NEWTIME) moves the caller's children, not the caller
    const parent = arrow?.fromLane ?? lanes[lane]?.parent ?? null;
    if (parent !== null && (kind === 'pid' || kind === 'time')) {
      const call = latestCall(parent, arrow?.fromT ?? record.t, unshareOf(kind));
      if (call) return eventOf(call);
    }
    return null;
  };

  const previous = new Map<number, NamespaceInodes>();
  for (const { lane, record } of processes) {
    const before = previous.get(lane);
    for (const kind of NAMESPACE_TABLE_KINDS) {
      const inode = record.ns[kind];
      if (inode === undefined) continue;
      const key = namespaceKey(kind, inode);
      let draft = drafts.get(key);
      const changed = before?.[kind] !== undefined && before[kind] !== inode;
      if (!draft) {
        draft = create(kind, inode, record.t, false, creatorFor(kind, lane, record));
      } else if (changed) {
        const setns = latestCall(lane, record.t, (call) => call.record.name === 'setns');
        draft.joinedBy.push(setns ? eventOf(setns) : { lane, t: record.t, seq: null, span: -1, call: 'setns' });
      }
      draft.members.add(lane);
    }
    for (const [pointer, kind] of FOR_CHILDREN) {
      const inode = record.ns[pointer];
      if (inode === undefined || drafts.has(namespaceKey(kind, inode))) continue;
      const call = latestCall(lane, record.t, unshareOf(kind));
      create(kind, inode, record.t, false, call ? eventOf(call) : null);
    }
    previous.set(lane, record.ns);
  }

  const objects: NamespaceObject[] = [...drafts.values()].map((draft) => {
    const members = [...draft.members].sort((a, b) => a - b);
    const ends = members.map((member) => lanes[member]?.end ?? null);
    const allGone = members.length > 0 && ends.every((end) => end !== null);
    return {
      id: draft.id,
      kind: draft.kind,
      inode: draft.inode,
      isHost: draft.isHost,
      createdBy: draft.createdBy,
      joinedBy: draft.joinedBy,
      members,
      processCount: members.filter((member) => !lanes[member]?.isThread).length,
      start: draft.isHost ? 0 : Math.min(draft.createdBy?.t ?? draft.firstSeen, draft.firstSeen),
      end: draft.isHost || !allGone ? null : Math.max(...(ends as number[])),
    };
  });
  return { objects, table: namespaceTable(header, lanes, objects) };
}

function namespaceTable(header: TraceHeader, lanes: readonly Lane[], objects: readonly NamespaceObject[]): NamespaceTable {
  const shares = new Map<string, number>();
  for (const object of objects) shares.set(namespaceKey(object.kind, object.inode), object.processCount);
  const rows = [...lanes]
    .filter((lane) => !lane.isThread)
    .sort((a, b) => a.row - b.row)
    .map((lane) => {
      const ns = lane.nsHistory.at(-1)?.ns ?? {};
      return { lane: lane.ordinal, label: lane.label, inodes: NAMESPACE_TABLE_KINDS.map((kind) => ns[kind] ?? null) };
    });
  return { kinds: NAMESPACE_TABLE_KINDS, host: NAMESPACE_TABLE_KINDS.map((kind) => header.host.ns[kind] ?? null), rows, shares };
}

/** A task's namespaces at time t: its latest process record at or before t (or its first). */
export function namespacesAt(lane: Lane, t: number): NamespaceInodes {
  let found = lane.nsHistory[0]?.ns ?? {};
  for (const entry of lane.nsHistory) if (entry.t <= t) found = entry.ns;
  return found;
}

