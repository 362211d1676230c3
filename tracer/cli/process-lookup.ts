// Finding processes to attach to: by pid, by name, and their descendants, from /proc.
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { UserError } from './user-error.js';

function readOrNull(path: string): string | null {
  try {
    return readFileSync(path, 'utf8');
  } catch {
    return null;
  }
}

function allPids(): number[] {
  return readdirSync('/proc').filter((name) => /^\d+$/.test(name)).map(Number);
}

export function checkPidExists(pid: number): void {
  if (!Number.isInteger(pid) || pid <= 0) throw new UserError(`"${pid}" is not a process id; give a positive number`);
  if (!existsSync(`/proc/${pid}`)) throw new UserError(`no process with pid ${pid}; check the pid (ps -e)`);
}

function parentOf(pid: number): number | null {
  const stat = readOrNull(`/proc/${pid}/stat`);
  // the comm in parentheses may hold spaces and parentheses: the fields follow the last ')'
  const ppid = stat ? Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[1]) : NaN;
  return Number.isInteger(ppid) && ppid > 0 ? ppid : null;
}

/** Whether `ancestor` is a parent, grandparent... of `pid`. */
function descendsFrom(pid: number, ancestor: number): boolean {
  for (let current = parentOf(pid), hops = 0; current !== null && hops < 4096; current = parentOf(current), hops++) {
    if (current === ancestor) return true;
  }
  return false;
}

/**
 * The one process whose comm is `name`; refuses none or several. A process and its own
 * descendants of the same name (a shell's fork before it execs, a daemon's workers) count as
 * one: the topmost, as pgrep -o would pick; --children adds the others.
 */
export function pidByName(name: string): number {
  const matches = allPids().filter((pid) => pid !== process.pid && readOrNull(`/proc/${pid}/comm`)?.trim() === name);
  if (matches.length === 0) throw new UserError(`no process is named "${name}"; check with: pgrep -l ${name}`);
  const roots = matches.filter((pid) => !matches.some((other) => other !== pid && descendsFrom(pid, other)));
  if (roots.length > 1) {
    throw new UserError(`${roots.length} processes are named "${name}" (${roots.slice(0, 8).join(', ')}); give one pid instead`);
  }
  return roots[0]!;
}

/** The living children of `pid`: the kernel lists each child under the thread that forked it, so every thread's list is read. */
export function childrenOf(pid: number): number[] {
  let tasks: string[];
  try {
    tasks = readdirSync(`/proc/${pid}/task`);
  } catch {
    return [];
  }
  const children = new Set<number>();
  for (const tid of tasks) {
    const listed = readOrNull(`/proc/${pid}/task/${tid}/children`)?.trim();
    for (const child of listed ? listed.split(/\s+/).map(Number) : []) children.add(child);
  }
  return [...children];
}

/** Every living descendant of `pid`, from the kernel's children lists. */
export function descendantsOf(pid: number): number[] {
  const found: number[] = [];
  const queue = [pid];
  while (queue.length) {
    for (const child of childrenOf(queue.shift()!)) {
      if (!found.includes(child)) {
        found.push(child);
        queue.push(child);
      }
    }
  }
  return found;
}
