// Reading CLONE_* flags out of decoded syscall arguments (clone's `flags`, clone3's
// `args.flags`, unshare's `flags`, setns's `nstype`), and which namespace each CLONE_NEW* flag
// makes. Node-free: the decoder, the phases and the viewer all read flags through it.
import { syscallsWhere } from '../decode/signatures.js';
import type { ArgValue, SyscallRecord } from '../trace/records.js';

/** The namespace kinds a CLONE_NEW* flag can make (pid_for_children and the like are views). */
export type NamespaceKindShown = 'cgroup' | 'ipc' | 'mnt' | 'net' | 'pid' | 'time' | 'user' | 'uts';

function asFlagList(value: ArgValue | undefined): string[] {
  if (Array.isArray(value)) return value.filter((item): item is string => typeof item === 'string');
  if (typeof value === 'string') return value.split('|').map((flag) => flag.trim());
  return [];
}

/** The CLONE_* flags in the decoded args of a clone, clone3, unshare or setns. */
export function cloneFlagsIn(args: Readonly<Record<string, ArgValue>>): string[] {
  const direct = args.flags ?? args.nstype;
  if (direct !== undefined) return asFlagList(direct);
  const nested = args.args ?? args.cl_args;
  if (nested && typeof nested === 'object' && !Array.isArray(nested)) return asFlagList((nested as Record<string, ArgValue>).flags);
  return [];
}

/** The CLONE_* flags of a clone, clone3, unshare or setns record. */
export function cloneFlagsOf(record: SyscallRecord): string[] {
  return cloneFlagsIn(record.args);
}

/** Whether the args carry a flag that makes a namespace. */
export function makesNamespaces(args: Readonly<Record<string, ArgValue>>): boolean {
  return cloneFlagsIn(args).some((flag) => NAMESPACE_OF_FLAG[flag] !== undefined);
}

/** Which namespace each CLONE_NEW* flag makes. */
export const NAMESPACE_OF_FLAG: Readonly<Record<string, NamespaceKindShown>> = {
  CLONE_NEWNS: 'mnt',
  CLONE_NEWUTS: 'uts',
  CLONE_NEWIPC: 'ipc',
  CLONE_NEWNET: 'net',
  CLONE_NEWPID: 'pid',
  CLONE_NEWUSER: 'user',
  CLONE_NEWCGROUP: 'cgroup',
  CLONE_NEWTIME: 'time',
};

export function flagOfNamespace(kind: NamespaceKindShown): string {
  return Object.entries(NAMESPACE_OF_FLAG).find(([, value]) => value === kind)![0];
}

export function namespaceKindsOf(record: SyscallRecord): NamespaceKindShown[] {
  return cloneFlagsOf(record)
    .map((flag) => NAMESPACE_OF_FLAG[flag])
    .filter((kind): kind is NamespaceKindShown => kind !== undefined);
}

/** signatures.in's !forks */
export const CLONE_CALLS = syscallsWhere((signature) => signature.forks);

/** The new task's host tid, for a successful clone/fork/vfork/clone3, else null. */
export function childTidOf(record: SyscallRecord): number | null {
  if (!CLONE_CALLS.has(record.name) || record.ret === null || Number(record.ret) <= 0) return null;
  return record.childNspid?.[0] ?? record.retPid?.host ?? null;
}
