// One strace-like line per record, prefixed with host pid / in-namespace pid and comm.
import { renamedTo } from '../analysis/renamed.js';
import { signatures } from '../decode/signatures.js';
import type { ArgValue, PidPair, ProcessRecord, SyscallRecord, TraceRecord } from '../trace/records.js';

const LIST_TYPES = new Set(['strings', 'env', 'ints', 'fds_out']);
/** Text from the tracee: always quoted, even when it looks like a number ("32233" written to cgroup.procs). */
const TEXT_TYPES = new Set(['path', 'string', 'bytes', 'mount_data', 'fsconfig_value']);

interface Style {
  readonly dim: (text: string) => string;
  readonly bold: (text: string) => string;
  readonly red: (text: string) => string;
  readonly family: (family: string, text: string) => string;
}

const ansi = (code: string) => (text: string) => `\x1b[${code}m${text}\x1b[0m`;
const FAMILY_COLOURS: Readonly<Record<string, string>> = {
  namespaces: '1;35',
  mounts: '1;34',
  process: '1;32',
  exec: '1;33',
  cgroups: '1;36',
  ids: '1;31',
};

export const COLOUR_STYLE: Style = {
  dim: ansi('2'),
  bold: ansi('1'),
  red: ansi('31'),
  family: (family, text) => (FAMILY_COLOURS[family] ? ansi(FAMILY_COLOURS[family]!)(text) : text),
};

const identity = (text: string) => text;
export const PLAIN_STYLE: Style = { dim: identity, bold: identity, red: identity, family: (_family, text) => text };

/** clone3's fields the kernel reads only with one of these flags: shown only then, as strace does
 *  (glibc fills child_tid and pidfd for every thread; without the flag they mean nothing). The
 *  trace file keeps every field. */
const CLONE_ARGS_FIELD_FLAGS: Readonly<Record<string, readonly string[]>> = {
  pidfd: ['CLONE_PIDFD'],
  child_tid: ['CLONE_CHILD_SETTID', 'CLONE_CHILD_CLEARTID'],
  parent_tid: ['CLONE_PARENT_SETTID'],
  tls: ['CLONE_SETTLS'],
  cgroup: ['CLONE_INTO_CGROUP'],
};

/** struct clone_args as strace prints it: the fields in use, stack_size in hex. */
function formatCloneArgs(value: Record<string, ArgValue>): string {
  const flags = Array.isArray(value.flags) ? value.flags : [];
  const inUse = ([key, field]: [string, ArgValue]) => {
    const needs = CLONE_ARGS_FIELD_FLAGS[key];
    if (needs) return needs.some((flag) => flags.includes(flag));
    if (key === 'set_tid' || key === 'set_tid_size') return typeof value.set_tid_size === 'number' && value.set_tid_size > 0;
    return field !== undefined;
  };
  const fields = Object.entries(value)
    .filter(inUse)
    .map(([key, field]) => `${key}=${key === 'stack_size' && typeof field === 'number' && field > 0 ? `0x${field.toString(16)}` : formatValue(field, false)}`);
  return `{${fields.join(', ')}}`;
}

function isPidPair(value: ArgValue): value is PidPair {
  return typeof value === 'object' && value !== null && !Array.isArray(value) && 'ns' in value && 'host' in value;
}

export function formatPid(pid: PidPair): string {
  return pid.host === null || pid.host === pid.ns ? String(pid.ns) : `${pid.ns} (host ${pid.host})`;
}

function formatValue(value: ArgValue, asList: boolean): string {
  if (value === null) return 'NULL';
  if (typeof value === 'string') return /^[A-Z_0-9]+$|^0x[0-9a-f]+$|^0[0-7]*$|^-?\d+$/.test(value) ? value : JSON.stringify(value);
  if (typeof value === 'number' || typeof value === 'boolean') return String(value);
  if (Array.isArray(value)) {
    if (asList) return `[${value.map((item) => (typeof item === 'string' ? JSON.stringify(item) : formatValue(item, false))).join(', ')}]`;
    return value.length === 0 ? '0' : value.join('|');
  }
  if (isPidPair(value)) return formatPid(value);
  const fields = Object.entries(value as Record<string, ArgValue>).map(
    ([key, field]) => `${key}=${formatValue(field, false)}`,
  );
  return `{${fields.join(', ')}}`;
}

export function formatSyscall(record: SyscallRecord, style: Style = PLAIN_STYLE): string {
  const signature = signatures().get(record.name);
  const args = Object.entries(record.args)
    .filter(([name]) => !(name === 'path' && record.name === 'write'))
    .map(([name, value]) => {
      const type = signature?.args.find((arg) => arg.name === name)?.type ?? '';
      if (type === 'status_out' && typeof value === 'string' && !value.startsWith('0x')) return `[${value}]`;
      if (TEXT_TYPES.has(type) && typeof value === 'string') return JSON.stringify(value);
      if (type === 'clone_args' && value !== null && typeof value === 'object' && !Array.isArray(value)) return formatCloneArgs(value as Record<string, ArgValue>);
      return formatValue(value, LIST_TYPES.has(type));
    });
  let result: string;
  if (record.ret === null) result = '?';
  else if (record.err) result = style.red(`-1 ${record.err}`);
  else if (record.retPid) result = formatPid(record.retPid);
  else result = String(record.ret);
  const childView = record.childNspid?.[record.childNspid.length - 1];
  if (childView !== undefined && childView !== record.ret) result += style.bold(` [child is pid ${childView} in its namespace]`);
  const where = record.name === 'write' && typeof record.args.path === 'string' ? style.dim(` <${record.args.path}>`) : '';
  return `${style.family(record.family, record.name)}(${args.join(', ')}) = ${result}${where}`;
}

interface KnownProcess {
  nsPid: number;
  comm: string;
  ns: ProcessRecord['ns'];
}

/** Times on each line, as strace's -r and -T show them, and the time since the trace began; and
 *  strace's -Z, only the calls that failed. */
export interface LineTimes {
  /** -r: seconds since the previous line's event (a call's entry), before the pid */
  readonly relative?: boolean;
  /** --elapsed: seconds since the trace began, before the pid */
  readonly elapsed?: boolean;
  /** -T: the time spent in each call, after its result */
  readonly durations?: boolean;
  /** -Z: of the calls, only those that failed (the other lines stay), as strace's -Z */
  readonly failedOnly?: boolean;
}

/** ns as seconds with microseconds, as strace prints times: 0.000123 */
function seconds(ns: number): string {
  const micros = Math.max(0, Math.round(ns / 1000));
  return `${Math.floor(micros / 1e6)}.${String(micros % 1e6).padStart(6, '0')}`;
}

/** Keeps the pid and comm of each task so every line can say who made the call. */
export class TerminalFormatter {
  private readonly processes = new Map<number, KnownProcess>();
  private previousT: number | null = null;

  constructor(
    private readonly style: Style = PLAIN_STYLE,
    private readonly times: LineTimes = {},
  ) {}

  private prefix(pid: number, t: number): string {
    const known = this.processes.get(pid);
    const ids = known && known.nsPid !== pid ? `${pid}/${known.nsPid}` : String(pid);
    let clock = '';
    if (this.times.elapsed) clock += `${seconds(t).padStart(13)} `;
    if (this.times.relative) clock += `${seconds(this.previousT === null ? 0 : t - this.previousT).padStart(13)} `;
    this.previousT = t;
    return this.style.dim(`${clock}${ids.padEnd(12)} ${(known?.comm ?? '?').padEnd(15)} `);
  }

  /** The line for a record, or null for records that only update what the formatter knows. */
  line(record: TraceRecord): string | null {
    switch (record.type) {
      case 'process': {
        const previous = this.processes.get(record.pid);
        this.processes.set(record.pid, { nsPid: record.nspid[record.nspid.length - 1] ?? record.pid, comm: record.comm, ns: record.ns });
        if (record.reason !== 'ns' || !previous) return null;
        // A kind can vanish: pid_for_children has no inode until its first process exists.
        const kinds = [...new Set([...Object.keys(previous.ns), ...Object.keys(record.ns)])] as (keyof ProcessRecord['ns'])[];
        const changes = kinds
          .filter((kind) => record.ns[kind] !== previous.ns[kind])
          .map((kind) => `${kind}:[${previous.ns[kind] ?? '?'}]→[${record.ns[kind] ?? 'new, not yet entered'}]`);
        return `${this.prefix(record.pid, record.t)}--- new namespaces ${changes.join(' ')} ---`;
      }
      case 'exec': {
        const known = this.processes.get(record.formerPid);
        if (record.formerPid !== record.pid && known) this.processes.set(record.pid, known);
        const current = this.processes.get(record.pid);
        if (current) current.comm = record.comm;
        return null;
      }
      case 'syscall': {
        const shown = !this.times.failedOnly || record.err !== null;
        // a call that never returned (exit_group, one cut short) has no time spent to show, as in strace
        const spent = this.times.durations && record.ret !== null ? this.style.dim(` <${seconds(record.dur)}>`) : '';
        const line = shown ? `${this.prefix(record.pid, record.t)}${formatSyscall(record, this.style)}${spent}` : null;
        const renamed = renamedTo(record);
        const known = this.processes.get(record.pid);
        if (renamed !== null && known) known.comm = renamed;
        return line;
      }
      case 'signal':
        return record.stop
          ? `${this.prefix(record.pid, record.t)}--- stopped by ${record.signal} ---`
          : `${this.prefix(record.pid, record.t)}--- ${record.signal} {si_code=${record.codeName ?? record.code}, si_pid=${record.sender?.pid ?? 0}} ---`;
      case 'exit':
        return record.signal
          ? `${this.prefix(record.pid, record.t)}+++ killed by ${record.signal}${record.core ? ' (core dumped)' : ''} +++`
          : `${this.prefix(record.pid, record.t)}+++ exited with ${record.code} +++`;
      case 'error':
        return this.style.red(`cttrace engine: ${record.message} (${record.errno})`);
      case 'end':
        return null;
    }
  }
}
