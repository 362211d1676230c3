// Who made something that must not outlive its maker (a container, a runtime state folder, an
// unpack in progress): the maker's pid and its start time (field 22 of /proc/PID/stat, clock
// ticks since boot), so that after a crash a pid reused by another process is not taken for the
// maker. Written into names (`PID.START`) and owner files; read back by the crash sweep.
import { readFileSync } from 'node:fs';

export interface ProcessOwner {
  readonly pid: number;
  /** start time in clock ticks since boot; null for records made before it was kept (pid only) */
  readonly start: number | null;
}

/** A process's start time, or null if it is gone (or a zombie: it will never clean up). */
export function startTimeOf(pid: number): number | null {
  let stat: string;
  try {
    stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
  } catch {
    return null;
  }
  // comm (field 2) may hold spaces and parentheses: the fields after it follow the last ')'
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  if (fields[0] === 'Z' || fields[0] === 'X') return null;
  const start = Number(fields[19]);
  return Number.isSafeInteger(start) ? start : null;
}

let self: ProcessOwner | null = null;

/** This process, as an owner. */
export function currentOwner(): ProcessOwner {
  self ??= { pid: process.pid, start: startTimeOf(process.pid) };
  return self;
}

/** Whether the owner still runs: the same pid with the same start time. */
export function ownerAlive(owner: ProcessOwner): boolean {
  const start = startTimeOf(owner.pid);
  if (start === null) return false;
  return owner.start === null || owner.start === start;
}

/** `PID.START`, for names. */
export function ownerTag(owner: ProcessOwner = currentOwner()): string {
  return `${owner.pid}.${owner.start ?? 0}`;
}

/** The owner at the start of a name made with ownerTag (`PID.START-...`), or a bare `PID-...` of older names; null if neither. */
export function ownerOfName(name: string): ProcessOwner | null {
  const tagged = /^(\d+)\.(\d+)(?:-|$)/.exec(name);
  if (tagged) return { pid: Number(tagged[1]), start: Number(tagged[2]) };
  const bare = /^(\d+)(?:-|$)/.exec(name);
  return bare ? { pid: Number(bare[1]), start: null } : null;
}

/** An owner file's text: JSON {pid, start}, or a bare pid as older versions wrote it. */
export function parseOwner(text: string): ProcessOwner | null {
  const trimmed = text.trim();
  if (/^\d+$/.test(trimmed)) return { pid: Number(trimmed), start: null };
  try {
    const value = JSON.parse(trimmed) as { pid?: unknown; start?: unknown };
    if (Number.isSafeInteger(value.pid) && (value.start === null || Number.isSafeInteger(value.start))) {
      return { pid: value.pid as number, start: value.start as number | null };
    }
  } catch {
    // not an owner file
  }
  return null;
}
