// strace -c style tables: count, errors and time per syscall, and per process.
import type { TraceRecord } from '../trace/records.js';
import { renamedTo } from '../analysis/renamed.js';

export interface SyscallTotals {
  readonly name: string;
  calls: number;
  errors: number;
  totalNs: number;
}

export interface ProcessTotals {
  readonly pid: number;
  nsPid: number;
  comm: string;
  calls: number;
  errors: number;
  totalNs: number;
  firstT: number;
  lastT: number;
  exit: string;
}

export interface Summary {
  readonly syscalls: SyscallTotals[];
  readonly processes: ProcessTotals[];
  /** events the eBPF backend lost (lost records): the counts above miss them */
  readonly lostEvents: number;
}

export function summarize(records: Iterable<TraceRecord>): Summary {
  const syscalls = new Map<string, SyscallTotals>();
  const processes = new Map<number, ProcessTotals>();
  const processOf = (pid: number, t: number): ProcessTotals => {
    let totals = processes.get(pid);
    if (!totals) {
      totals = { pid, nsPid: pid, comm: '?', calls: 0, errors: 0, totalNs: 0, firstT: t, lastT: t, exit: '' };
      processes.set(pid, totals);
    }
    totals.lastT = Math.max(totals.lastT, t);
    return totals;
  };
  let lostEvents = 0;
  for (const record of records) {
    if (record.type === 'lost') lostEvents += record.count;
    if (record.type === 'end' || record.type === 'lost') continue;
    const proc = processOf(record.pid, record.t);
    switch (record.type) {
      case 'process':
        proc.comm = record.comm;
        proc.nsPid = record.nspid[record.nspid.length - 1] ?? record.pid;
        break;
      case 'exec':
        proc.comm = record.comm;
        break;
      case 'syscall': {
        let totals = syscalls.get(record.name);
        if (!totals) {
          totals = { name: record.name, calls: 0, errors: 0, totalNs: 0 };
          syscalls.set(record.name, totals);
        }
        totals.calls++;
        totals.totalNs += record.dur;
        proc.calls++;
        proc.totalNs += record.dur;
        proc.comm = renamedTo(record) ?? proc.comm;
        if (record.err) {
          totals.errors++;
          proc.errors++;
        }
        break;
      }
      case 'exit':
        proc.exit = record.signal ? `killed by ${record.signal}` : `exited ${record.code}`;
        break;
      default:
        break;
    }
  }
  return {
    syscalls: [...syscalls.values()].sort((a, b) => b.totalNs - a.totalNs || b.calls - a.calls),
    processes: [...processes.values()].sort((a, b) => a.firstT - b.firstT),
    lostEvents,
  };
}

const seconds = (ns: number) => (ns / 1e9).toFixed(6);

export function formatSummary(summary: Summary): string {
  const lines: string[] = [];
  const total = summary.syscalls.reduce((sum, row) => sum + row.totalNs, 0) || 1;
  lines.push('% time     seconds  usecs/call     calls    errors syscall');
  lines.push('------ ----------- ----------- --------- --------- ----------------');
  let calls = 0;
  let errors = 0;
  for (const row of summary.syscalls) {
    calls += row.calls;
    errors += row.errors;
    lines.push(
      `${((100 * row.totalNs) / total).toFixed(2).padStart(6)} ${seconds(row.totalNs).padStart(11)} ${String(Math.round(row.totalNs / row.calls / 1000)).padStart(11)} ${String(row.calls).padStart(9)} ${(row.errors ? String(row.errors) : '').padStart(9)} ${row.name}`,
    );
  }
  lines.push('------ ----------- ----------- --------- --------- ----------------');
  lines.push(`100.00 ${seconds(total === 1 ? 0 : total).padStart(11)} ${''.padStart(11)} ${String(calls).padStart(9)} ${(errors ? String(errors) : '').padStart(9)} total`);
  lines.push('');
  lines.push('     pid   ns pid comm               calls    errors  syscall s   lifetime s  end');
  for (const proc of summary.processes) {
    lines.push(
      `${String(proc.pid).padStart(8)} ${String(proc.nsPid).padStart(8)} ${proc.comm.padEnd(16)} ${String(proc.calls).padStart(7)} ${(proc.errors ? String(proc.errors) : '').padStart(9)} ${seconds(proc.totalNs).padStart(10)} ${seconds(proc.lastT - proc.firstT).padStart(12)}  ${proc.exit}`,
    );
  }
  if (summary.lostEvents) {
    lines.push('');
    lines.push(`${summary.lostEvents} events were lost (the eBPF ring buffer was full): the counts above miss the calls they were`);
  }
  return lines.join('\n');
}
