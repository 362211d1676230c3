// Reading one process's identity from /proc: ids, the NSpid chain, its command line, its namespaces.
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { NAMESPACE_KINDS, type NamespaceKind } from '../trace/namespace-kinds.js';

export interface ProcessIdentity {
  readonly pid: number;
  readonly ppid: number;
  readonly uid: number;
  readonly user: string;
  /** host first, innermost last */
  readonly nspid: readonly number[];
  readonly comm: string;
  readonly cmdline: readonly string[];
}

function statusField(status: string, name: string): string | undefined {
  return new RegExp(`^${name}:\\s*(.*)$`, 'm').exec(status)?.[1];
}

let userNames: Map<number, string> | undefined;
function userName(uid: number): string {
  if (!userNames) {
    userNames = new Map();
    try {
      for (const line of readFileSync('/etc/passwd', 'utf8').split('\n')) {
        const [name, , id] = line.split(':');
        if (name && id) userNames.set(Number(id), name);
      }
    } catch {
      // no passwd: numbers only
    }
  }
  return userNames.get(uid) ?? String(uid);
}

export function readIdentity(pid: number): ProcessIdentity | null {
  try {
    const status = readFileSync(`/proc/${pid}/status`, 'utf8');
    const uid = Number(statusField(status, 'Uid')?.split(/\s+/)[1] ?? -1);
    const cmdline = readFileSync(`/proc/${pid}/cmdline`, 'utf8').split('\0').filter((part, index, all) => part !== '' || index < all.length - 1);
    return {
      pid,
      ppid: Number(statusField(status, 'PPid') ?? 0),
      uid,
      user: userName(uid),
      nspid: (statusField(status, 'NSpid') ?? String(pid)).split(/\s+/).map(Number),
      comm: statusField(status, 'Name') ?? '?',
      cmdline,
    };
  } catch {
    return null;
  }
}

/** The process and its ancestors, up to the host's PID 1. */
export function ancestry(pid: number): ProcessIdentity[] {
  const chain: ProcessIdentity[] = [];
  for (let current = pid; current > 0; ) {
    const identity = readIdentity(current);
    if (!identity) break;
    chain.push(identity);
    current = identity.ppid;
  }
  return chain;
}

export function namespaceInode(pid: number | 'self', kind: NamespaceKind): number | null {
  try {
    return statSync(`/proc/${pid}/ns/${kind}`).ino;
  } catch {
    return null;
  }
}

/** How many processes are in each namespace (by inode), per kind: one pass over /proc. */
export function namespaceMembership(): Map<string, number> {
  const counts = new Map<string, number>();
  for (const name of readdirSync('/proc')) {
    if (!/^\d+$/.test(name)) continue;
    for (const kind of NAMESPACE_KINDS) {
      const inode = namespaceInode(Number(name), kind);
      if (inode === null) continue;
      const key = `${kind}:${inode}`;
      counts.set(key, (counts.get(key) ?? 0) + 1);
    }
  }
  return counts;
}
