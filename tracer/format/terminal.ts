// One strace-like line per record, prefixed with host pid / in-namespace pid and comm.
import { renamedTo } from '../analysis/renamed.js';
import type { LostRecord, ProcessRecord, SyscallRecord, TraceRecord } from '../trace/records.js';
import { FdNames } from './fd-names.js';
import { alignmentPadding, callText } from './strace/line.js';
import { DEFAULT_LINE_OPTIONS, type LineOptions } from './strace/options.js';

export { formatPid } from './strace/line.js';

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

/** One call as strace prints it (tracer/format/strace), cttrace's notes after the result. */
export function formatSyscall(
  record: SyscallRecord,
  style: Style = PLAIN_STYLE,
  options: LineOptions = DEFAULT_LINE_OPTIONS,
  fdPath?: (fd: number, isResult: boolean) => string | null,
): string {
  const { call, result, notes } = callText(record, options, fdPath);
  const name = record.name;
  const shown = `${style.family(record.family, name)}${call.slice(name.length)}`;
  const coloured = record.err ? style.red(result) : result;
  return `${shown}${alignmentPadding(call, options)} = ${coloured}${notes.map((note) => style.bold(note)).join('')}`;
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

/** A note line, as strace's own ("strace: Process 12 detached"): what the trace misses, where. */
export function lostLine(record: LostRecord): string {
  const cpus = record.cpus.map(({ cpu, count }) => `cpu${cpu}:${count}`).join(' ');
  return `cttrace: lost ${record.count} events between ${seconds(record.since)} and ${seconds(record.t)} s (the eBPF ring buffer was full; by CPU: ${cpus}; ${record.total} in all)`;
}

/** Keeps the pid and comm of each task so every line can say who made the call. */
export class TerminalFormatter {
  private readonly processes = new Map<number, KnownProcess>();
  private readonly fds = new FdNames();
  private previousT: number | null = null;

  constructor(
    private readonly style: Style = PLAIN_STYLE,
    private readonly times: LineTimes = {},
    private readonly options: LineOptions = DEFAULT_LINE_OPTIONS,
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
        this.fds.noteProcess(record.pid, record.tgid);
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
        const fdPath = (fd: number, isResult: boolean) => this.fds.pathOf(record, fd, isResult);
        const line = shown ? `${this.prefix(record.pid, record.t)}${formatSyscall(record, this.style, this.options, fdPath)}${spent}` : null;
        this.fds.follow(record);
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
      case 'lost':
        return this.style.red(lostLine(record));
      case 'end':
        return null;
    }
  }
}
