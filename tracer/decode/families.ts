// Which family a call belongs to, for colours and filters in the viewer and terminal: by name,
// as signatures.in's @FAMILY says, refined by what the call worked on.
import type { SyscallFamily } from '../trace/records.js';
import { signatures } from './signatures.js';

const CGROUP_ROOT = '/sys/fs/cgroup';
const CGROUP_PREFIX = `${CGROUP_ROOT}/`;

/** The family a syscall belongs to by its name alone. */
export function familyByName(name: string): SyscallFamily {
  return signatures().get(name)?.family ?? 'other';
}

/** A file call on a path under /sys/fs/cgroup is cgroup work; a clone that creates namespaces is
 *  namespace work. `byName` is familyByName of the call; `createsNamespaces` is for clones only. */
export function familyOf(byName: SyscallFamily, path: string | null, createsNamespaces: boolean): SyscallFamily {
  if (byName === 'files' && path !== null && (path === CGROUP_ROOT || path.startsWith(CGROUP_PREFIX))) return 'cgroups';
  if (createsNamespaces) return 'namespaces';
  return byName;
}
