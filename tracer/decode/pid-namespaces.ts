// Translates pid values between a caller's PID namespace and the host's.
//
// /proc/TID/status gives each task's NSpid chain (host first) and /proc/TID/ns/pid its innermost
// PID namespace only. The namespace at an outer level k is the one its parent has at level k:
// a child's PID namespace always descends from its parent's. So each task is indexed at every
// level by (namespace inode at that level, pid at that level) → host tid.
import type { PidPair } from '../trace/records.js';

interface KnownTask {
  /** PID namespace inode at each level, host first; 0 where unknown */
  readonly namespaces: readonly number[];
  readonly nspid: readonly number[];
}

export class PidNamespaces {
  private readonly tasks = new Map<number, KnownTask>();
  /** host tid by PID namespace inode, then pid in it: numbers, not "ns:pid" strings to build
   *  and hash on every pid argument */
  private readonly hostByNamespacePid = new Map<number, Map<number, number>>();

  /** Record what /proc said about a task (again after exec or setns). */
  learn(tid: number, ppid: number, nspid: readonly number[], pidNamespace: number): void {
    const parent = this.tasks.get(ppid);
    const namespaces = nspid.map((_, level) => {
      if (level === nspid.length - 1) return pidNamespace;
      return parent && parent.nspid.length > level ? (parent.namespaces[level] ?? 0) : 0;
    });
    const task = { namespaces, nspid };
    this.tasks.set(tid, task);
    namespaces.forEach((namespace, level) => {
      if (!namespace) return;
      let hostByPid = this.hostByNamespacePid.get(namespace);
      if (!hostByPid) {
        hostByPid = new Map();
        this.hostByNamespacePid.set(namespace, hostByPid);
      }
      hostByPid.set(nspid[level]!, tid);
    });
  }

  /** A thread that exec'd took over its leader's tid. */
  rename(from: number, to: number): void {
    const task = this.tasks.get(from);
    if (task) this.tasks.set(to, task);
  }

  nspidChainOf(tid: number): readonly number[] | undefined {
    return this.tasks.get(tid)?.nspid;
  }

  /**
   * `value` as the task `callerTid` passed or received it. Values ≤ 0 (process groups, "any
   * child") keep their sign: -pgid maps to -host pgid.
   */
  translate(callerTid: number, value: number): PidPair {
    if (value === 0 || value === -1) return { host: value, ns: value };
    const magnitude = Math.abs(value);
    const sign = value < 0 ? -1 : 1;
    const caller = this.tasks.get(callerTid);
    if (!caller || caller.nspid.length <= 1) return { host: value, ns: value };
    const callerNamespace = caller.namespaces[caller.namespaces.length - 1]!;
    const host = this.hostByNamespacePid.get(callerNamespace)?.get(magnitude);
    return { host: host === undefined ? null : sign * host, ns: value };
  }
}
