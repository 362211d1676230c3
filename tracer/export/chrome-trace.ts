// A trace as Chrome's Trace Event Format (JSON object form), which Perfetto's UI
// (ui.perfetto.dev) and chrome://tracing open: every syscall a complete slice on its thread,
// threads grouped under their process, each named by the names it went by and its pid in its
// own PID namespace ("runc:[1:CHILD] → runc:[2:INIT] → sh (ns pid 1)");
// execs, signals, exits and namespace changes as instants; an arrow from each fork, vfork,
// clone and clone3 to the child it made; the phases of container creation on a track of their
// own. Times are the trace's own (µs since the session began). Pure: the CLI writes the lines.
import { containerPhases } from '../analysis/phases.js';
import { taskNames } from '../analysis/task-names.js';
import { syscallsWhere } from '../decode/signatures.js';
import type { ProcessRecord, SyscallRecord, TraceHeader, TraceRecord } from '../trace/records.js';

/** The phases' track: pid 0 is never a traced task (it is the kernel's idle task). */
const PHASES_PID = 0;
const NS_PER_US = 1000;
/** signatures.in's !forks */
const FORKING_CALLS = syscallsWhere((signature) => signature.forks);

export interface ChromeTraceEvent {
  readonly name: string;
  readonly ph: 'X' | 'i' | 'M' | 's' | 'f';
  readonly pid: number;
  readonly tid: number;
  readonly ts?: number;
  readonly dur?: number;
  readonly cat?: string;
  readonly s?: 't' | 'p';
  readonly id?: number;
  readonly bp?: 'e';
  readonly args?: Record<string, unknown>;
}

const us = (ns: number) => ns / NS_PER_US;

/** What a task is called: the names it went by, in order ("runc:[1:CHILD] → runc:[2:INIT] →
 *  sh"), and its pid in its own PID namespace where that is not the host's. */
function taskLabel(names: readonly string[], last: ProcessRecord): string {
  const inner = last.nspid[last.nspid.length - 1];
  const called = names.join(' → ');
  return inner !== undefined && inner !== last.pid ? `${called} (ns pid ${inner})` : called;
}

function syscallArgs(record: SyscallRecord): Record<string, unknown> {
  return {
    ...record.args,
    ret: record.ret,
    ...(record.err ? { err: record.err } : {}),
    ...(record.retPid ? { retPid: record.retPid } : {}),
    ...(record.childNspid ? { childNspid: record.childNspid } : {}),
    ...(record.unfinished ? { unfinished: true } : {}),
  };
}

/** The events of a trace, metadata first, in the order the records came. */
export function* chromeTraceEvents(records: readonly TraceRecord[], header: TraceHeader): Generator<ChromeTraceEvent> {
  // Each task's names in order, and its latest description (its thread group: tgid).
  const tasks = taskNames(records, header);
  const groupOf = (tid: number) => tasks.get(tid)?.last.tgid ?? tid;

  for (const [index, [tid, { names, last: task }]] of [...tasks].entries()) {
    const group = groupOf(tid);
    const label = taskLabel(names, task);
    if (task.tgid === tid) {
      yield { name: 'process_name', ph: 'M', pid: group, tid, args: { name: label } };
      yield { name: 'process_sort_index', ph: 'M', pid: group, tid, args: { sort_index: index + 1 } };
    }
    yield { name: 'thread_name', ph: 'M', pid: group, tid, args: { name: label } };
  }
  yield { name: 'process_name', ph: 'M', pid: PHASES_PID, tid: PHASES_PID, args: { name: `container start-up phases (${header.command.join(' ')})` } };
  yield { name: 'process_sort_index', ph: 'M', pid: PHASES_PID, tid: PHASES_PID, args: { sort_index: 0 } };

  for (const phase of containerPhases(records, header)) {
    yield { name: phase.name, ph: 'X', cat: 'phase', pid: PHASES_PID, tid: PHASES_PID, ts: us(phase.start), dur: us(phase.end - phase.start) };
  }

  // Arrows from a call that made a task to the task's first call. Found first: a vfork is
  // recorded when it returns, after its child's first calls.
  // Only to a task with a call of its own: an arrow needs a slice at each end.
  const flowFrom = new Map<SyscallRecord, number>();
  const flowInto = new Map<number, number>(); // child host tid → flow id
  const calling = new Set<number>();
  for (const record of records) if (record.type === 'syscall') calling.add(record.pid);
  for (const record of records) {
    const child = record.type === 'syscall' && FORKING_CALLS.has(record.name) ? record.retPid?.host : undefined;
    if (!child || !calling.has(child) || flowInto.has(child)) continue;
    flowFrom.set(record as SyscallRecord, flowFrom.size + 1);
    flowInto.set(child, flowFrom.size);
  }

  const seen = new Set<number>();
  for (const record of records) {
    if (record.type === 'end') continue;
    if (record.type === 'lost') {
      // the gap, on the engine's own row (pid 0, as its errors)
      const args = { count: record.count, total: record.total, cpus: record.cpus };
      yield { name: `lost ${record.count} events`, ph: 'X', cat: 'lost', pid: 0, tid: 0, ts: us(record.since), dur: us(record.t - record.since), args };
      continue;
    }
    const tid = record.pid;
    const pid = groupOf(tid);
    const ts = us(record.t);
    const arrives = flowInto.get(tid);
    if (arrives !== undefined && record.type === 'syscall') {
      // binds to the child's first slice: the arrow ends where the child's first call begins
      yield { name: 'fork', ph: 'f', cat: 'fork', id: arrives, pid, tid, ts, bp: 'e' };
      flowInto.delete(tid);
    }
    switch (record.type) {
      case 'process':
        if (seen.has(tid) && record.reason === 'ns') {
          yield { name: 'new namespaces', ph: 'i', s: 't', cat: 'namespaces', pid, tid, ts, args: { ns: record.ns } };
        }
        seen.add(tid);
        break;
      case 'syscall': {
        yield { name: record.name, ph: 'X', cat: record.family, pid, tid, ts, dur: us(record.dur), args: syscallArgs(record) };
        const leaves = flowFrom.get(record);
        // inside the call's slice, so that the arrow starts from it
        if (leaves !== undefined) yield { name: 'fork', ph: 's', cat: 'fork', id: leaves, pid, tid, ts: us(record.t + record.dur / 2) };
        break;
      }
      case 'exec':
        yield { name: `exec ${record.comm}`, ph: 'i', s: 't', cat: 'exec', pid, tid, ts, args: { comm: record.comm, formerPid: record.formerPid } };
        break;
      case 'signal':
        yield {
          name: record.stop ? `stopped by ${record.signal}` : record.signal,
          ph: 'i',
          s: 't',
          cat: 'signal',
          pid,
          tid,
          ts,
          args: { signo: record.signo, si_code: record.codeName ?? record.code, sender: record.sender },
        };
        break;
      case 'exit':
        yield { name: record.signal ? `killed by ${record.signal}` : `exit ${record.code}`, ph: 'i', s: 't', cat: 'exit', pid, tid, ts };
        break;
      case 'error':
        yield { name: `engine error: ${record.message}`, ph: 'i', s: 'p', cat: 'error', pid, tid, ts, args: { errno: record.errno } };
        break;
    }
  }
}

/** The JSON object around the events: the trace's header goes along as otherData. */
export function chromeTracePreamble(header: TraceHeader): string {
  const otherData = {
    tool: `cttrace ${header.cttrace}`,
    created: header.created,
    command: header.command.join(' '),
    kernel: header.kernel,
    arch: header.arch,
    ...(header.image ? { image: header.image } : {}),
    ...(header.runtime ? { runtime: header.runtime } : {}),
    filter: header.filter.expression,
  };
  return `{"displayTimeUnit":"ns","otherData":${JSON.stringify(otherData)},"traceEvents":[\n`;
}

export const CHROME_TRACE_END = '\n]}\n';
