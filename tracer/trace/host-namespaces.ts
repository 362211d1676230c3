// The tracer's own namespace inodes: the baseline the tracees' namespaces are compared with.
import { statSync } from 'node:fs';
import { NAMESPACE_KINDS } from './namespace-kinds.js';
import type { NamespaceInodes } from './records.js';

export function namespacesOf(pid: number | 'self'): NamespaceInodes {
  const ns: Record<string, number> = {};
  for (const kind of NAMESPACE_KINDS) {
    try {
      ns[kind] = statSync(`/proc/${pid}/ns/${kind}`).ino;
    } catch {
      // a kind this kernel lacks (time before 5.6)
    }
  }
  return ns;
}
