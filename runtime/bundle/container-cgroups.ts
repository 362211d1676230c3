// A container's cgroups (`/cttrace/<id>` in every hierarchy: cgroup v1, v2 and hybrid hosts),
// found through /proc/self/mountinfo. Runtimes delete them; this is for crashes: what is left in
// them is killed, then they are removed, deepest first.
import { readdirSync, readFileSync, rmdirSync, statSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';

/** Where the container cgroups live, below each hierarchy's root. */
export const CGROUP_PARENT = '/cttrace';

/** The mount points of every cgroup and cgroup2 hierarchy. */
export function cgroupMounts(): string[] {
  let mountinfo: string;
  try {
    mountinfo = readFileSync('/proc/self/mountinfo', 'utf8');
  } catch {
    return [];
  }
  const points = mountinfo
    .split('\n')
    .map((line) => line.split(' '))
    .filter((fields) => {
      const dash = fields.indexOf('-');
      return dash > 0 && (fields[dash + 1] === 'cgroup' || fields[dash + 1] === 'cgroup2');
    })
    .map((fields) => fields[4]!);
  return [...new Set(points)];
}

/** `dir` and the cgroups below it, deepest first; [] if it does not exist. */
function cgroupTree(dir: string): string[] {
  let children: string[];
  try {
    children = readdirSync(dir, { withFileTypes: true }).filter((entry) => entry.isDirectory()).map((entry) => entry.name);
  } catch {
    return [];
  }
  return [...children.flatMap((child) => cgroupTree(join(dir, child))), dir];
}

/** The pids in a cgroup (not below it). */
function pidsIn(dir: string): number[] {
  try {
    return readFileSync(join(dir, 'cgroup.procs'), 'utf8').split('\n').filter(Boolean).map(Number);
  } catch {
    return [];
  }
}

/** Every pid in the container's cgroups, in any hierarchy. */
export function containerPids(cgroupsPath: string): number[] {
  const pids = new Set<number>();
  for (const mount of cgroupMounts()) for (const dir of cgroupTree(join(mount, cgroupsPath))) for (const pid of pidsIn(dir)) pids.add(pid);
  return [...pids];
}

/** Thaws a frozen cgroup (a SIGKILL waits until then): v1's freezer.state, v2's cgroup.freeze. */
function thaw(dir: string): void {
  for (const [file, value] of [['freezer.state', 'THAWED'], ['cgroup.freeze', '0']] as const) {
    try {
      writeFileSync(join(dir, file), value);
    } catch {
      // not this hierarchy's file
    }
  }
}

/** SIGKILLs what is left in the container's cgroups and waits (up to `ms`) until they are empty; returns how many were killed. */
export function killContainerProcesses(cgroupsPath: string, ms = 5000): number {
  const killed = new Set<number>();
  const deadline = Date.now() + ms;
  for (;;) {
    const pids = containerPids(cgroupsPath).filter((pid) => pid !== process.pid);
    if (pids.length === 0 || Date.now() > deadline) break;
    for (const mount of cgroupMounts()) for (const dir of cgroupTree(join(mount, cgroupsPath))) thaw(dir);
    for (const pid of pids) {
      try {
        process.kill(pid, 'SIGKILL');
        killed.add(pid);
      } catch {
        // gone already
      }
    }
    Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, 20);
  }
  return killed.size;
}

/** Removes the container's cgroups in every hierarchy, and the shared parent where no other
 *  container is left in it; returns how many cgroups were removed. A cgroup with processes
 *  still inside is left (EBUSY). */
export function removeContainerCgroups(cgroupsPath: string): number {
  let removed = 0;
  for (const mount of cgroupMounts()) {
    const dir = join(mount, cgroupsPath);
    for (const cgroup of cgroupTree(dir)) {
      try {
        rmdirSync(cgroup);
        removed++;
      } catch {
        // EBUSY (processes still inside) or gone: leave it
      }
    }
    // The shared parent (/cttrace) goes too once no other container is in it, so that nothing
    // of cttrace's stays in the hierarchies; rmdir refuses while it has children.
    if (dirname(cgroupsPath) === CGROUP_PARENT) {
      try {
        rmdirSync(dirname(dir));
      } catch {
        // another container's cgroup is still there, or it is gone already
      }
    }
  }
  return removed;
}

/** The container ids with a cgroup under /cttrace in some hierarchy, each with its cgroup's age in ms (the youngest). */
export function containerCgroups(): Map<string, number> {
  const found = new Map<string, number>();
  for (const mount of cgroupMounts()) {
    const parent = join(mount, CGROUP_PARENT);
    let ids: string[];
    try {
      ids = readdirSync(parent);
    } catch {
      continue;
    }
    for (const id of ids) {
      try {
        const age = Date.now() - statSync(join(parent, id)).mtimeMs;
        found.set(id, Math.min(found.get(id) ?? Infinity, age));
      } catch {
        // gone meanwhile
      }
    }
  }
  return found;
}
