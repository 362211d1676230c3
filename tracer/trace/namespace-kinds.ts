// The namespace kinds a trace names (the keys of a record's `ns` inodes), as /proc/PID/ns/ names
// them. Part of the trace format: the engines' wire layout lists its inodes in this order
// (protocol/layout.ts re-exports it), but the format does not depend on that layout.
export const NAMESPACE_KINDS = [
  'cgroup',
  'ipc',
  'mnt',
  'net',
  'pid',
  'pid_for_children',
  'time',
  'time_for_children',
  'user',
  'uts',
] as const;
export type NamespaceKind = (typeof NAMESPACE_KINDS)[number];
