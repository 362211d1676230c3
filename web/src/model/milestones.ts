// Milestones (pivot_root, chroot, successful execve) and the phases of container creation:
//   runtime start → cgroup → namespaces → rootfs → pivot_root → exec → running → teardown.
// A trace that creates no namespace has no phases at all.
import { containerPhases, type Phase } from '../../../tracer/analysis/phases.js';
import type { SyscallRecord, TraceHeader, TraceRecord } from '../../../tracer/trace/records.js';
import { FAMILIES, familyIndex } from './family-index.js';
import type { Milestone } from './model-types.js';
import type { KeptRecord } from './record-ingest.js';
import { SPAN_FAILED, type SpanColumns } from './span-columns.js';

type KeptSyscall = KeptRecord & { record: SyscallRecord };

const succeeded = (record: SyscallRecord) => record.ret !== null && Number(record.ret) >= 0 && record.err === null;

function keptSyscalls(kept: readonly KeptRecord[]): KeptSyscall[] {
  return kept.filter((item): item is KeptSyscall => item.record.type === 'syscall').sort((a, b) => a.record.t - b.record.t);
}

export function deriveMilestones(kept: readonly KeptRecord[]): Milestone[] {
  const milestones: Milestone[] = [];
  for (const item of keptSyscalls(kept)) {
    const { record } = item;
    if (!succeeded(record)) continue;
    const kind = record.name === 'execveat' ? 'execve' : record.name;
    if (kind !== 'pivot_root' && kind !== 'chroot' && kind !== 'execve') continue;
    const target = kind === 'execve' ? record.args.filename ?? record.args.pathname : record.args.new_root ?? record.args.path;
    milestones.push({
      kind,
      t: record.t + record.dur,
      lane: item.lane,
      seq: item.seq,
      span: item.span,
      label: typeof target === 'string' ? `${kind} ${target}` : kind,
    });
  }
  return milestones;
}

/**
 * The phases come from tracer/analysis/phases.ts, the one definition the CLI's summary uses too.
 * It reads whole records in trace order; the model keeps whole only the structural ones, so it
 * is given those plus light stand-ins (no arguments) for the spans it looks at: cgroup calls,
 * mount calls, chdir/umount2, and what the process that pivoted (or chrooted) did until its next
 * execve. Other spans cannot move a phase marker. The container split (containers.ts) reads them too.
 */
export function phaseRecords(columns: SpanColumns, kept: readonly KeptRecord[]): TraceRecord[] {
  const pivots = keptSyscalls(kept).filter((call) => (call.record.name === 'pivot_root' || call.record.name === 'chroot') && succeeded(call.record));
  const pivotFrom = new Map<number, number>();
  for (const call of pivots) if (!pivotFrom.has(call.lane)) pivotFrom.set(call.lane, call.record.t);
  const execAfterPivot = new Map<number, number>();
  for (const call of keptSyscalls(kept)) {
    const from = pivotFrom.get(call.lane);
    if (from !== undefined && call.record.t > from && (call.record.name === 'execve' || call.record.name === 'execveat') && !execAfterPivot.has(call.lane)) {
      execAfterPivot.set(call.lane, call.record.t);
    }
  }
  const cgroups = familyIndex('cgroups');
  const mounts = familyIndex('mounts');
  const tidOfLane = new Map<number, number>();
  for (const item of kept) if (item.record.type !== 'end' && item.record.type !== 'lost' && !tidOfLane.has(item.lane)) tidOfLane.set(item.lane, item.record.pid);
  const keptSpans = new Set(kept.map((item) => item.span));
  const light: { seq: number; record: TraceRecord }[] = [];
  // one pass over every span (a million in a big trace, again at each live rebuild): typed-array
  // reads first, names by id, the Set and Maps only for the few spans that can move a phase
  const chdir = columns.names.indexOf('chdir');
  const umount2 = columns.names.indexOf('umount2');
  const { lane: laneOf, start, family: familyOf, name: nameOf } = columns;
  const anyPivot = pivotFrom.size > 0;
  for (let id = 0; id < columns.count; id++) {
    const family = familyOf[id]!;
    const nameId = nameOf[id]!;
    const t = start[id]!;
    let wanted = family === cgroups || family === mounts || nameId === chdir || nameId === umount2;
    if (!wanted && anyPivot) {
      const from = pivotFrom.get(laneOf[id]!);
      wanted = from !== undefined && t >= from && t <= (execAfterPivot.get(laneOf[id]!) ?? Infinity);
    }
    if (!wanted || keptSpans.has(id)) continue;
    const lane = laneOf[id]!;
    const name = columns.nameOf(id);
    const failed = (columns.flags[id]! & SPAN_FAILED) !== 0;
    light.push({
      seq: columns.seq[id]!,
      record: {
        type: 'syscall', t, pid: tidOfLane.get(lane) ?? -1, name, nr: -1, args: {}, ret: failed ? -1 : 0, err: failed ? 'E' : null,
        dur: columns.dur[id]!, raw: [], family: FAMILIES[family]!,
      },
    });
  }
  return [...kept, ...light].sort((a, b) => a.seq - b.seq).map((item) => item.record);
}

export function derivePhases(header: TraceHeader, columns: SpanColumns, kept: readonly KeptRecord[], traceEnd: number): Phase[] {
  const phases = containerPhases(phaseRecords(columns, kept), header);
  if (!phases.some((phase) => phase.name === 'namespaces')) return [];
  return phases.map((phase, i) => (i === phases.length - 1 ? { ...phase, end: Math.max(phase.end, traceEnd) } : phase));
}
