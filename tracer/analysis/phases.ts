// The phases of container creation, found in a trace by their first telling call. Pure (no
// Node APIs): the CLI's summary and the web viewer's phase band both use it.
import { syscallsWhere } from '../decode/signatures.js';
import { namespaceKindsOf } from './clone-flags.js';
import type { ProcessRecord, SyscallRecord, TraceHeader, TraceRecord } from '../trace/records.js';

export const PHASE_NAMES = ['runtime start', 'cgroup', 'namespaces', 'rootfs', 'pivot_root', 'exec', 'running', 'teardown'] as const;
export type PhaseName = (typeof PHASE_NAMES)[number];

export interface Phase {
  readonly name: PhaseName;
  /** ns since the start of the trace */
  readonly start: number;
  readonly end: number;
}

/** signatures.in's !mounts: the calls that make or change a mount */
const MOUNT_CALLS = syscallsWhere((signature) => signature.changesMounts);

function createsNamespaces(record: SyscallRecord): boolean {
  if (record.err !== null) return false;
  if (record.name === 'setns') return true;
  // A lone CLONE_NEWNS is a helper's private mount namespace (crun's wrapper here, mount
  // helpers), not the container's: a container gets a new PID, net, UTS, IPC or user namespace.
  return ['unshare', 'clone', 'clone3'].includes(record.name) && namespaceKindsOf(record).some((kind) => kind !== 'mnt');
}

function endOf(record: SyscallRecord): number {
  return record.t + record.dur;
}

/** Each phase runs from its marker to the next one; phases whose marker never happened are absent. */
export function containerPhases(records: readonly TraceRecord[], header?: Pick<TraceHeader, 'host'>): Phase[] {
  const markers = new Map<PhaseName, number>();
  const mark = (name: PhaseName, t: number) => {
    if (!markers.has(name)) markers.set(name, t);
  };
  const hostPidNamespace = header?.host.ns.pid;
  const latest = new Map<number, ProcessRecord>();
  let containerInit: number | null = null;
  let pivot: SyscallRecord | null = null;
  let end = 0;
  if (records.length) mark('runtime start', records[0]!.t);
  for (const record of records) {
    end = Math.max(end, record.t + (record.type === 'syscall' ? record.dur : 0));
    if (record.type === 'process') latest.set(record.pid, record);
    if (record.type === 'exit' && record.pid === containerInit) mark('teardown', record.t);
    if (record.type !== 'syscall') continue;
    if (record.family === 'cgroups') mark('cgroup', record.t);
    if (createsNamespaces(record)) mark('namespaces', record.t);
    if (MOUNT_CALLS.has(record.name) && record.err === null && markers.has('namespaces')) mark('rootfs', record.t);
    if ((record.name === 'pivot_root' || record.name === 'chroot') && record.err === null && !pivot) {
      pivot = record;
      mark('pivot_root', record.t);
    } else if (pivot && !markers.has('exec') && record.pid === pivot.pid && !(record.name === 'umount2' || record.name === 'chdir')) {
      mark('exec', record.t); // after pivot_root and the old root's unmount: the road to execve
    }
    if (record.name === 'execve' || record.name === 'execveat') {
      const proc = latest.get(record.pid);
      const inNewPidNamespace = proc && proc.nspid.length > 1 && proc.ns.pid !== hostPidNamespace;
      if (record.ret === 0 && inNewPidNamespace && proc.nspid.at(-1) === 1 && containerInit === null) {
        containerInit = record.pid;
        if (!markers.has('exec')) mark('exec', record.t);
        mark('running', endOf(record));
      }
    }
  }
  const sorted = [...markers.entries()].sort((a, b) => a[1] - b[1]);
  return sorted.map(([name, start], index) => ({ name, start, end: sorted[index + 1]?.[1] ?? end }));
}
