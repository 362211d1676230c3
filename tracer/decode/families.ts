// Which family a syscall belongs to, for colours and filters in the viewer and terminal.
import type { SyscallFamily } from '../trace/records.js';

const FAMILY_MEMBERS: Readonly<Record<Exclude<SyscallFamily, 'cgroups' | 'other'>, readonly string[]>> = {
  namespaces: ['unshare', 'setns'],
  mounts: ['mount', 'umount2', 'pivot_root', 'chroot', 'open_tree', 'move_mount', 'fsopen', 'fsconfig', 'fsmount', 'fspick', 'mount_setattr'],
  process: ['clone', 'clone3', 'fork', 'vfork', 'exit', 'exit_group', 'wait4', 'waitid', 'kill', 'tkill', 'tgkill', 'prctl', 'sethostname', 'setdomainname', 'seccomp', 'chdir', 'fchdir'],
  exec: ['execve', 'execveat'],
  ids: ['setuid', 'setgid', 'setreuid', 'setregid', 'setresuid', 'setresgid', 'setfsuid', 'setfsgid', 'setgroups', 'capset', 'keyctl'],
  files: ['open', 'openat', 'openat2', 'creat', 'close', 'write', 'mkdir', 'mkdirat', 'rmdir', 'unlinkat'],
};

const familiesByName = new Map<string, SyscallFamily>(
  Object.entries(FAMILY_MEMBERS).flatMap(([family, names]) => names.map((name) => [name, family as SyscallFamily] as const)),
);

const CGROUP_ROOT = '/sys/fs/cgroup';
const CGROUP_PREFIX = `${CGROUP_ROOT}/`;

/** The family a syscall belongs to by its name alone. */
export function familyByName(name: string): SyscallFamily {
  return familiesByName.get(name) ?? 'other';
}

/** A file call on a path under /sys/fs/cgroup is cgroup work; a clone that creates namespaces is
 *  namespace work. `byName` is familyByName of the call; `createsNamespaces` is for clones only. */
export function familyOf(byName: SyscallFamily, path: string | null, createsNamespaces: boolean): SyscallFamily {
  if (byName === 'files' && path !== null && (path === CGROUP_ROOT || path.startsWith(CGROUP_PREFIX))) return 'cgroups';
  if (createsNamespaces) return 'namespaces';
  return byName;
}
