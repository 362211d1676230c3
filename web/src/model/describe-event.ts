// What the details panel says about a selection, as plain data: headings, rows of label/value,
// explanations. The panel turns this into DOM text; vitest checks it without a browser.
import type { ExitRecord, NamespaceInodes, SignalRecord, SyscallRecord, TraceRecord } from '../../../tracer/trace/records.js';
import { explainErrno, explainFlag, explainNamespaceKind, explainPhase, explainSyscall } from '../explanations.js';
import { flagNamesIn, formatArg, formatDuration, formatPidPair, formatTimestamp } from './format.js';
import type { Lane, NamespaceObject, Phase, TraceModel } from './model-types.js';
import { NAMESPACE_TABLE_KINDS, namespacesAt } from './namespaces.js';

export interface DetailRow {
  readonly label: string;
  readonly value: string;
  /** a hint for styling: the value differs from the host's, or is an error */
  readonly tone?: 'differs' | 'error' | 'muted';
}

export interface DetailSection {
  readonly title: string;
  readonly rows: readonly DetailRow[];
}

export interface Explanation {
  readonly term: string;
  readonly text: string;
}

export interface EventDetails {
  readonly heading: string;
  readonly summary: string;
  readonly sections: readonly DetailSection[];
  readonly explanations: readonly Explanation[];
}

function laneTitle(lane: Lane | undefined): string {
  return lane ? lane.label : 'unknown task';
}

export function namespaceRows(ns: NamespaceInodes, host: NamespaceInodes, model: TraceModel): DetailRow[] {
  return NAMESPACE_TABLE_KINDS.filter((kind) => ns[kind] !== undefined).map((kind) => {
    const inode = ns[kind]!;
    const differs = host[kind] !== undefined && host[kind] !== inode;
    const shared = model.namespaceTable.shares.get(`${kind}:${inode}`) ?? 0;
    return {
      label: kind,
      value: `${inode}${differs ? ` (host: ${host[kind]})` : ' (the host’s)'}${shared > 1 ? `, shared by ${shared} processes` : ''}`,
      tone: differs ? 'differs' : 'muted',
    };
  });
}

function resultText(record: SyscallRecord): string {
  if (record.ret === null) return record.unfinished ? 'did not return (the task exited or exec’d first)' : '?';
  if (record.err) return `${record.ret} ${record.err}`;
  return String(record.ret);
}

export function describeSyscall(model: TraceModel, record: SyscallRecord, laneOrdinal: number): EventDetails {
  const lane = model.lanes[laneOrdinal];
  const args = Object.entries(record.args);
  const call = `${record.name}(${args.map(([, value]) => formatArg(value)).join(', ')})`;
  const overview: DetailRow[] = [
    { label: 'result', value: resultText(record), tone: record.err ? 'error' : undefined },
    { label: 'family', value: record.family },
    { label: 'started', value: formatTimestamp(record.t) },
    { label: 'duration', value: formatDuration(record.dur) },
    { label: 'task', value: laneTitle(lane) },
  ];
  if (lane) {
    overview.push({ label: 'host pid', value: String(lane.hostPid) });
    overview.push({ label: 'pid in its namespace', value: String(lane.nsPid) });
    if (lane.nspid.length > 2) overview.push({ label: 'pid chain (host → innermost)', value: lane.nspid.join(' → ') });
  }
  const sections: DetailSection[] = [{ title: 'Call', rows: overview }];
  if (args.length) sections.push({ title: 'Arguments', rows: args.map(([name, value]) => ({ label: name, value: formatArg(value) })) });
  const pids: DetailRow[] = [];
  if (record.retPid) {
    pids.push({ label: 'returned pid, as the caller sees it', value: String(record.retPid.ns) });
    pids.push({ label: 'the same pid on the host', value: record.retPid.host === null ? 'unknown' : String(record.retPid.host) });
  }
  if (record.childNspid) pids.push({ label: 'child’s pid chain (host → its own)', value: record.childNspid.join(' → ') });
  for (const [name, value] of args) {
    if (value && typeof value === 'object' && !Array.isArray(value) && 'host' in value && 'ns' in value) {
      pids.push({ label: `${name} (both views)`, value: formatPidPair(value as never) });
    }
  }
  if (pids.length) sections.push({ title: 'Pids', rows: pids });
  if (record.raw.length) sections.push({ title: 'Raw registers', rows: record.raw.map((raw, i) => ({ label: `arg${i}`, value: raw })) });
  if (lane) sections.push({ title: 'Namespaces of the task at that time', rows: namespaceRows(namespacesAt(lane, record.t), model.header.host.ns, model) });

  const explanations: Explanation[] = [];
  const callText = explainSyscall(record.name);
  if (callText) explanations.push({ term: record.name, text: callText });
  const flags = new Set<string>();
  for (const [, value] of args) flagNamesIn(value, flags);
  for (const flag of flags) {
    const text = explainFlag(flag);
    if (text) explanations.push({ term: flag, text });
  }
  if (record.err) {
    const text = explainErrno(record.err);
    explanations.push({ term: record.err, text: text ?? 'The call failed with this error.' });
    if (lane && lane.seccomp && lane.seccomp.t <= record.t) {
      const loader = model.lanes[lane.seccomp.lane];
      explanations.push({
        term: 'seccomp filter',
        text:
          `This task runs under the seccomp filter ${loader ? loader.label : 'a runtime'} loaded at ${formatTimestamp(lane.seccomp.t)}: ` +
          'a filter fails the calls its profile does not allow before the kernel runs them (docker’s default profile answers EPERM, ' +
          'for example to unshare, mount or setns without CAP_SYS_ADMIN), so this error may be the filter’s.',
      });
    }
  }
  return { heading: record.name, summary: `${call} = ${resultText(record)}`, sections, explanations };
}

export function describeLane(model: TraceModel, lane: Lane): EventDetails {
  const parent = lane.parent === null ? null : model.lanes[lane.parent];
  const rows: DetailRow[] = [
    { label: 'host pid', value: String(lane.hostPid) },
    { label: 'pid in its namespace', value: String(lane.nsPid) },
    { label: 'pid chain (host → innermost)', value: lane.nspid.join(' → ') },
    { label: lane.isThread ? 'thread of' : 'parent', value: parent ? parent.label : `${lane.isThread ? lane.tgid : lane.ppid} (not traced)` },
    ...(lane.uid !== null ? [{ label: 'uid / gid (as the host sees them)', value: `${lane.uid} / ${lane.gid ?? '?'}` }] : []),
    { label: 'first seen', value: formatTimestamp(lane.start) },
    { label: 'exit', value: exitText(lane) },
    { label: 'syscalls', value: String(lane.spanCount) },
  ];
  const segments = lane.segments.map((segment, i) => ({
    label: `${i + 1}. ${segment.comm}`,
    value: `${formatTimestamp(segment.start)} → ${formatTimestamp(segment.end)}${segment.argv ? `  ${segment.argv.map((arg) => JSON.stringify(arg)).join(' ')}` : ''}`,
  }));
  const last = lane.nsHistory.at(-1)?.ns ?? {};
  return {
    heading: lane.label,
    summary: lane.segments.length > 1 ? `${lane.segments.map((segment) => segment.comm).join(' → ')} (execve made ${lane.segments.length} segments)` : lane.comm,
    sections: [
      { title: lane.isThread ? 'Thread' : 'Process', rows },
      { title: 'Programs (segments between execs)', rows: segments },
      { title: 'Namespaces (last seen)', rows: namespaceRows(last, model.header.host.ns, model) },
    ],
    explanations: lane.nspid.length > 1 ? [{ term: 'two pids', text: explainFlag('CLONE_NEWPID')! }] : [],
  };
}

function exitText(lane: Lane): string {
  if (!lane.exit) return lane.end !== null ? `gone at ${formatTimestamp(lane.end)} (its thread exec’d)` : 'still running when the trace ended';
  const how = lane.exit.signal ? `killed by ${lane.exit.signal}` : `status ${lane.exit.code ?? '?'}`;
  return `${how} at ${formatTimestamp(lane.exit.t)}`;
}

export function describeNamespace(model: TraceModel, ns: NamespaceObject): EventDetails {
  const who = (event: NamespaceObject['createdBy']) =>
    event ? `${event.call} by ${laneTitle(model.lanes[event.lane])} at ${formatTimestamp(event.t)}` : 'before the trace (seen, not created, here)';
  const rows: DetailRow[] = [
    { label: 'kind', value: ns.kind },
    { label: 'inode', value: String(ns.inode) },
    { label: 'the host’s', value: ns.isHost ? 'yes: the tracer runs in it' : `no (host: ${model.header.host.ns[ns.kind] ?? '?'})`, tone: ns.isHost ? 'muted' : 'differs' },
    { label: 'created', value: ns.isHost ? 'the host’s own' : who(ns.createdBy) },
    { label: 'lifetime', value: `${formatTimestamp(ns.start)} → ${ns.end === null ? 'after the trace' : formatTimestamp(ns.end)}` },
    { label: 'processes in it', value: String(ns.processCount) },
  ];
  const members = ns.members.map((member) => ({ label: 'member', value: laneTitle(model.lanes[member]) }));
  const joins = ns.joinedBy.map((event) => ({ label: 'joined', value: who(event) }));
  const explanations: Explanation[] = [];
  const kindText = explainNamespaceKind(ns.kind);
  if (kindText) explanations.push({ term: ns.kind, text: kindText });
  const flag = Object.entries({ mnt: 'CLONE_NEWNS', pid: 'CLONE_NEWPID', net: 'CLONE_NEWNET', ipc: 'CLONE_NEWIPC', uts: 'CLONE_NEWUTS', user: 'CLONE_NEWUSER', cgroup: 'CLONE_NEWCGROUP', time: 'CLONE_NEWTIME' }).find(([kind]) => kind === ns.kind)?.[1];
  if (flag && !ns.isHost) explanations.push({ term: flag, text: explainFlag(flag)! });
  return {
    heading: `${ns.kind} namespace ${ns.inode}`,
    summary: ns.isHost ? 'the host’s namespace' : who(ns.createdBy),
    sections: [{ title: 'Namespace', rows }, ...(joins.length ? [{ title: 'Joined by (setns)', rows: joins }] : []), { title: 'Members', rows: members }],
    explanations,
  };
}

export function describePhase(phase: Phase): EventDetails {
  return {
    heading: `phase: ${phase.name}`,
    summary: `${formatTimestamp(phase.start)} → ${formatTimestamp(phase.end)} (${formatDuration(phase.end - phase.start)})`,
    sections: [],
    explanations: [{ term: phase.name, text: explainPhase(phase.name) ?? '' }],
  };
}

export function describeOther(model: TraceModel, record: Exclude<TraceRecord, SyscallRecord>, laneOrdinal: number): EventDetails {
  const lane = model.lanes[laneOrdinal];
  const rows: DetailRow[] = [{ label: 'time', value: formatTimestamp(record.t) }, { label: 'task', value: laneTitle(lane) }];
  if (record.type === 'signal') {
    const signal = record as SignalRecord;
    rows.push({ label: 'signal', value: `${signal.signal} (${signal.signo})` });
    if (!signal.stop) rows.push({ label: 'si_code', value: signal.codeName ? `${signal.codeName} (${signal.code})` : String(signal.code) });
    rows.push({ label: 'sender', value: signal.sender ? `pid ${signal.sender.pid} (in the receiver’s namespace), uid ${signal.sender.uid}` : 'the kernel' });
    if (signal.stop) rows.push({ label: 'kind', value: 'group-stop (the process was stopped)' });
  }
  if (record.type === 'exit') {
    const exit = record as ExitRecord;
    rows.push({ label: 'status', value: exit.signal ? `killed by ${exit.signal}${exit.core ? ' (core dumped)' : ''}` : String(exit.code ?? '?') });
  }
  return { heading: record.type, summary: `${record.type} of ${laneTitle(lane)}`, sections: [{ title: record.type, rows }], explanations: [] };
}
