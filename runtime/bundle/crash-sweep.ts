// What a `cttrace run` killed outright (kill -9, a crash, the machine's OOM killer) leaves, and
// its removal: the container's processes (killed), its cgroups in every hierarchy, its overlay
// (unmounted), its bundle and upper folders, the runtime's state folder, and unpacks in progress.
// Each of those names the process that made it (process-owner.ts); only what belongs to a
// process that is gone is touched. `cttrace run` sweeps first; `cttrace cleanup` only sweeps.
import { readdirSync, readFileSync, rmdirSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { cttraceHome, sweepStaleTemps } from '../image/home.js';
import { currentOwner, ownerAlive, ownerOfName, type ProcessOwner } from '../image/process-owner.js';
import { CGROUP_PARENT, containerCgroups, containerPids, killContainerProcesses, removeContainerCgroups } from './container-cgroups.js';
import { containerOwner, mountsUnder, removeContainerDir } from './overlay.js';
import { STATE_PARENT, stateRootOwnerTag } from './state-root.js';

export interface SweepReport {
  /** ids of the containers removed */
  readonly containers: string[];
  readonly mounts: number;
  readonly cgroups: number;
  readonly processes: number;
  /** runtime state folders removed */
  readonly states: string[];
  /** unpacks in progress removed */
  readonly temps: string[];
}

/** Something with no owner to say whose it is (made by an older cttrace) is left this long: it may be a live run's, just made. */
const UNOWNED_GRACE_MS = 10 * 60 * 1000;

const isOrphan = (owner: ProcessOwner) => owner.pid !== currentOwner().pid && !ownerAlive(owner);

function ageMs(path: string): number {
  try {
    return Date.now() - statSync(path).mtimeMs;
  } catch {
    return 0;
  }
}

function entries(dir: string): string[] {
  try {
    return readdirSync(dir);
  } catch {
    return [];
  }
}

/** The argv of every process but this one. */
function processArgvs(): Array<[number, string[]]> {
  const found: Array<[number, string[]]> = [];
  for (const name of entries('/proc')) {
    if (!/^\d+$/.test(name) || Number(name) === process.pid) continue;
    try {
      found.push([Number(name), readFileSync(`/proc/${name}/cmdline`, 'utf8').split('\0')]);
    } catch {
      // gone meanwhile
    }
  }
  return found;
}

/** Whether an argv names `path` as a runtime's bundle or state root (`--bundle PATH`, `--root=PATH`...). */
function namesAsRuntimeFolder(argv: readonly string[], path: string): boolean {
  return argv.some((arg, index) => ((arg === '--bundle' || arg === '-b' || arg === '--root') && argv[index + 1] === path) || arg === `--bundle=${path}` || arg === `--root=${path}`);
}

/** SIGKILLs the runtime processes working on `path` (a bundle or state folder) and waits until they are gone; returns how many. */
function killRuntimesOf(path: string): number {
  const pids = processArgvs().filter(([, argv]) => namesAsRuntimeFolder(argv, path)).map(([pid]) => pid);
  for (const pid of pids) {
    try {
      process.kill(pid, 'SIGKILL');
    } catch {
      // gone already
    }
  }
  const deadline = Date.now() + 2000;
  while (pids.some((pid) => ownerAlive({ pid, start: null })) && Date.now() < deadline) Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, 20);
  return pids.length;
}

/** Removes what crashed runs left under `home` (default $CTTRACE_HOME or /var/lib/cttrace) and in /run/cttrace and the cgroup hierarchies. */
export function sweepOrphans(home: string = cttraceHome()): SweepReport {
  const report = { containers: [] as string[], mounts: 0, cgroups: 0, processes: 0, states: [] as string[], temps: [] as string[] };
  const containersRoot = join(home, 'containers');
  for (const id of entries(containersRoot)) {
    const dir = join(containersRoot, id);
    const owner = containerOwner(dir);
    if (owner === null) {
      // made by a cttrace that wrote no owner, or this very moment (the owner file comes right after the folder): only an old empty one goes
      if (entries(dir).length === 0 && ageMs(dir) > UNOWNED_GRACE_MS) rmdirSync(dir);
      continue;
    }
    if (!isOrphan(owner)) continue;
    const cgroupsPath = `${CGROUP_PARENT}/${id}`;
    const processes = killRuntimesOf(dir) + killContainerProcesses(cgroupsPath);
    const cgroups = removeContainerCgroups(cgroupsPath);
    const mounts = mountsUnder(dir).length;
    try {
      removeContainerDir(dir);
    } catch {
      continue; // still busy: the next sweep
    }
    report.containers.push(id);
    report.processes += processes;
    report.cgroups += cgroups;
    report.mounts += mounts;
  }

  const runningArgvs = processArgvs();
  for (const name of entries(STATE_PARENT)) {
    const path = join(STATE_PARENT, name);
    const tag = stateRootOwnerTag(name);
    const owner = tag === null ? null : ownerOfName(tag);
    const orphan = owner ? isOrphan(owner) : ageMs(path) > UNOWNED_GRACE_MS && !runningArgvs.some(([, argv]) => namesAsRuntimeFolder(argv, path));
    if (!orphan) continue;
    report.processes += killRuntimesOf(path);
    // a runtime killed midway can leave mounts there (runc 1.1 bind-mounts a copy of its own
    // binary in its state folder): unmounted first, else the removal fails with EBUSY
    const mounts = mountsUnder(path).length;
    try {
      removeContainerDir(path);
    } catch {
      continue; // still busy: the next sweep
    }
    report.mounts += mounts;
    report.states.push(path);
  }

  // cgroups whose container folder is gone (a crash of an older cttrace between the two): only
  // empty ones, and not young ones (a container in another CTTRACE_HOME may be starting)
  for (const [id, age] of containerCgroups()) {
    const cgroupsPath = `${CGROUP_PARENT}/${id}`;
    if (entries(join(containersRoot, id)).length > 0 || age < UNOWNED_GRACE_MS || containerPids(cgroupsPath).length > 0) continue;
    report.cgroups += removeContainerCgroups(cgroupsPath);
  }

  report.temps.push(...sweepStaleTemps(home));
  return report;
}

const counted = (count: number, one: string, many = `${one}s`) => `${count} ${count === 1 ? one : many}`;

/** One line on what a sweep removed, or null if it found nothing. */
export function describeSweep(report: SweepReport): string | null {
  const parts: string[] = [];
  if (report.containers.length) {
    const details = [
      report.mounts ? `${counted(report.mounts, 'mount')} undone` : '',
      report.cgroups ? `${counted(report.cgroups, 'cgroup')} removed` : '',
      report.processes ? `${counted(report.processes, 'process', 'processes')} killed` : '',
    ].filter(Boolean);
    parts.push(`${counted(report.containers.length, 'container')} (${report.containers.join(', ')}${details.length ? `: ${details.join(', ')}` : ''})`);
  } else if (report.cgroups) parts.push(`${counted(report.cgroups, 'empty cgroup')}`);
  if (report.states.length) parts.push(counted(report.states.length, 'runtime state folder'));
  if (report.temps.length) parts.push(counted(report.temps.length, 'unfinished unpack'));
  return parts.length ? `removed what crashed runs left behind: ${parts.join('; ')}` : null;
}
