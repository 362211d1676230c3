// The role of each process in a container start-up, and which process of one trace plays the
// role of which in another. Roles, in the order they are matched:
//   container pid 1  the process that is PID 1 in the container's new PID namespace
//                    (runc:[2:INIT], ctrun:[1:INIT], crun's child), then the command it execs
//   runtime          the runtime's main process: what started its first stage (runc run, or
//                    containerd's runc create), the stage that is its main (ctrun:[0:MAIN]), the
//                    parent of pid 1 (crun); else the process cttrace started or attached to first
//   stage            another process that names itself a runtime stage, prog:[N:NAME]
//                    (runc:[0:PARENT], runc:[1:CHILD]): matched by NAME, then by N
//   process          any other: matched by its pid in the container and its names, else by its
//                    names and the order it came in
// Each process (thread group: a Go runtime's threads are its own) has one role. Pure.
import type { SyscallRecord, TraceHeader, TraceRecord } from '../trace/records.js';
import { taskNames } from './task-names.js';

export type RoleKind = 'container pid 1' | 'runtime' | 'stage' | 'process';

export interface ProcessRole {
  readonly kind: RoleKind;
  /** the thread group leader's host pid */
  readonly pid: number;
  /** its pid in its own PID namespace (the host's when it has none) */
  readonly nsPid: number;
  /** the names it went by, in order (stages and execs) */
  readonly names: readonly string[];
  /** the stage it named itself, if any: runc:[1:CHILD] */
  readonly stage: { readonly number: number; readonly name: string; readonly label: string } | null;
  /** its threads' calls, in time order */
  readonly calls: readonly SyscallRecord[];
}

export interface RolePair {
  readonly kind: RoleKind;
  readonly a: ProcessRole | null;
  readonly b: ProcessRole | null;
}

const STAGE = /^(.+):\[(\d+):([A-Za-z_]+)\]$/;

/** Every process of a trace with its role, in the order the processes appeared. */
export function processRoles(records: readonly TraceRecord[], header: Pick<TraceHeader, 'filter'>): ProcessRole[] {
  const tasks = taskNames(records, header);
  const groups = new Map<number, { tids: number[]; names: string[] }>();
  for (const [tid, task] of tasks) {
    const tgid = task.last.tgid;
    const group = groups.get(tgid) ?? { tids: [], names: [] };
    group.tids.push(tid);
    for (const name of task.names) if (!group.names.includes(name)) group.names.push(name);
    groups.set(tgid, group);
  }
  const callsOf = new Map<number, SyscallRecord[]>();
  for (const record of records) {
    if (record.type !== 'syscall') continue;
    const tgid = tasks.get(record.pid)?.last.tgid ?? record.pid;
    const list = callsOf.get(tgid) ?? [];
    list.push(record);
    callsOf.set(tgid, list);
  }
  // the first task that is pid 1 in a PID namespace of its own
  const initTask = [...tasks.values()].find(({ last }) => last.nspid.length > 1 && last.nspid[last.nspid.length - 1] === 1)?.last;
  const init = initTask?.tgid;
  const root = runtimeGroup(tasks, groups, initTask?.ppid, init) ?? [...groups.keys()][0];
  return [...groups].map(([tgid, group]) => {
    const leader = tasks.get(tgid)?.last ?? tasks.get(group.tids[0]!)!.last;
    const stage = stageOf(group.names);
    const kind: RoleKind = tgid === init ? 'container pid 1' : tgid === root ? 'runtime' : stage ? 'stage' : 'process';
    return { kind, pid: tgid, nsPid: leader.nspid[leader.nspid.length - 1] ?? tgid, names: group.names, stage, calls: callsOf.get(tgid) ?? [] };
  });
}

function stageOf(names: readonly string[]): ProcessRole['stage'] {
  const match = names.map((name) => STAGE.exec(name)).find((found) => found !== null);
  return match ? { number: Number(match[2]), name: match[3]!, label: match[0] } : null;
}

/** The runtime's main process: the one that started its first stage (runc's `runc init`, as
 *  runc run or as containerd's runc create), or the first stage itself when the runtime names
 *  its main process so (ctrun:[0:MAIN]); with no stage (crun), the parent of the container's
 *  pid 1. Undefined when none is in the trace. */
function runtimeGroup(
  tasks: ReadonlyMap<number, { readonly last: { readonly tgid: number; readonly ppid: number } }>,
  groups: ReadonlyMap<number, { readonly names: readonly string[] }>,
  initParent: number | undefined,
  init: number | undefined,
): number | undefined {
  const groupOf = (tid: number | undefined) => (tid === undefined ? undefined : tasks.get(tid)?.last.tgid);
  const firstStage = [...groups].find(([tgid, group]) => tgid !== init && stageOf(group.names) !== null)?.[0];
  if (firstStage !== undefined) {
    const parent = groupOf(tasks.get(firstStage)?.last.ppid);
    return parent !== undefined && groups.has(parent) && stageOf(groups.get(parent)!.names) === null ? parent : firstStage;
  }
  const parent = groupOf(initParent);
  return parent !== undefined && groups.has(parent) ? parent : undefined;
}

/** Pairs the processes of two traces by role; a process with no counterpart is paired with null. */
export function pairRoles(a: readonly ProcessRole[], b: readonly ProcessRole[]): RolePair[] {
  const pairs: RolePair[] = [];
  const leftA = new Set(a);
  const leftB = new Set(b);
  const take = (x: ProcessRole, y: ProcessRole) => {
    leftA.delete(x);
    leftB.delete(y);
    pairs.push({ kind: x.kind === y.kind ? x.kind : x.kind === 'process' ? y.kind : x.kind, a: x, b: y });
  };
  const matchBy = (kinds: readonly RoleKind[], same: (x: ProcessRole, y: ProcessRole) => boolean) => {
    for (const x of [...leftA]) {
      if (!kinds.includes(x.kind)) continue;
      const y = [...leftB].find((candidate) => kinds.includes(candidate.kind) && same(x, candidate));
      if (y) take(x, y);
    }
  };
  const lastName = (role: ProcessRole) => role.names[role.names.length - 1];
  matchBy(['container pid 1'], () => true);
  matchBy(['runtime'], () => true);
  matchBy(['stage'], (x, y) => x.stage!.name === y.stage!.name);
  matchBy(['stage'], (x, y) => x.stage!.number === y.stage!.number);
  // in the container: the same pid there and the same command
  matchBy(['process'], (x, y) => x.nsPid !== x.pid && y.nsPid !== y.pid && x.nsPid === y.nsPid && lastName(x) === lastName(y));
  matchBy(['process'], (x, y) => x.names.join('\0') === y.names.join('\0'));
  matchBy(['process'], (x, y) => lastName(x) === lastName(y));
  for (const x of leftA) pairs.push({ kind: x.kind, a: x, b: null });
  for (const y of leftB) pairs.push({ kind: y.kind, a: null, b: y });
  const order = (pair: RolePair) => ['runtime', 'stage', 'container pid 1', 'process'].indexOf(pair.kind);
  // roles first by kind, then in the order their processes came in A (or B)
  return pairs
    .map((pair, index) => ({ pair, index }))
    .sort((x, y) => order(x.pair) - order(y.pair) || firstCall(x.pair) - firstCall(y.pair) || x.index - y.index)
    .map(({ pair }) => pair);
}

function firstCall(pair: RolePair): number {
  return (pair.a ?? pair.b)?.calls[0]?.t ?? Number.MAX_SAFE_INTEGER;
}

/** `runc:[2:INIT] → sh (28324/1)` */
export function roleLabel(role: ProcessRole): string {
  return `${role.names.join(' → ')} (${role.nsPid !== role.pid ? `${role.pid}/${role.nsPid}` : role.pid})`;
}
