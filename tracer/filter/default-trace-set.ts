// What cttrace traces when the user gives no -e trace=: the calls that make a container.
// Items use the -e trace= syntax; "?" marks calls some arches lack (arm64 has no fork, open,
// mkdir, rmdir...: its libc uses the *at forms, which are listed too).

/**
 * File calls that the default set records only when they work on a file under /sys/fs/cgroup
 * (the engine checks the path, or the fd, at the call's entry and lets the others run without a
 * second stop). Named in -e trace= (as in "default,write"), they are recorded whatever the file.
 */
export const CGROUP_FILE_CALLS: readonly string[] = [
  'open', 'openat', 'openat2', 'creat', 'mkdir', 'mkdirat', 'write', 'rmdir', 'unlinkat', 'dup', 'dup2', 'dup3',
];

export const DEFAULT_TRACE_SET: readonly string[] = [
  // Process lifecycle
  '?fork', '?vfork', 'clone', 'clone3', 'execve', 'execveat',
  'exit', 'exit_group', 'wait4', 'waitid', 'kill', 'tkill', 'tgkill',
  // Namespaces
  'unshare', 'setns',
  // Mounts and the root: mount, umount2, pivot_root, chroot and the new mount API
  '%mount', 'chdir', 'fchdir',
  // Hostname (the UTS namespace's contents)
  'sethostname', 'setdomainname',
  // Process attributes: no_new_privs, keepcaps, pdeathsig, subreaper, name...
  'prctl',
  // cgroup setup is file I/O under /sys/fs/cgroup: these come in through the default set only
  // for cgroup files (CGROUP_FILE_CALLS). Go runtimes (runc) use mkdirat and unlinkat(AT_REMOVEDIR);
  // shells write through a dup2'd fd (echo $$ > cgroup.procs).
  ...CGROUP_FILE_CALLS.map((name) => (['open', 'creat', 'mkdir', 'rmdir', 'dup2'].includes(name) ? `?${name}` : name)),
  // Identity and capabilities
  'setuid', 'setgid', 'setreuid', 'setregid', 'setresuid', 'setresgid',
  'setgroups', 'setfsuid', 'setfsgid', 'capset',
  // Confinement: the seccomp filter load, and runc's per-container session keyring
  'seccomp', 'keyctl',
];
