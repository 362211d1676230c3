// Lanes from the kept records: one per task lifetime, split into segments at each execve,
// placed in process-tree order (depth first, children by start time, threads under their leader).
import { renamedTo } from '../../../tracer/analysis/renamed.js';
import type { ExecRecord, ExitRecord, ProcessRecord, SyscallRecord } from '../../../tracer/trace/records.js';
import type { Lane, Segment } from './model-types.js';
import type { KeptRecord } from './record-ingest.js';

export interface LaneSpanStats {
  /** earliest span start per lane (Infinity if none) */
  readonly first: readonly number[];
  /** latest span end per lane (-Infinity if none) */
  readonly last: readonly number[];
  readonly count: readonly number[];
}

interface LaneFacts {
  processes: ProcessRecord[];
  execs: { seq: number; record: ExecRecord }[];
  execves: { seq: number; record: SyscallRecord }[];
  exit: ExitRecord | null;
  vanishedAt: number | null;
  firstKept: number;
  /** the first successful seccomp(SECCOMP_SET_MODE_FILTER) */
  filterAt: number | null;
  /** names the task gave itself (prctl PR_SET_NAME: runc:[1:CHILD], ctrun:[1:INIT]), in time order */
  renames: { t: number; name: string }[];
}

export function laneLabel(hostPid: number, nsPid: number, comm: string): string {
  return `${hostPid} / ${nsPid}  ${comm}`;
}

function gatherFacts(laneCount: number, kept: readonly KeptRecord[], laneTids: readonly number[]): LaneFacts[] {
  const facts: LaneFacts[] = Array.from({ length: laneCount }, () => ({
    processes: [], execs: [], execves: [], exit: null, vanishedAt: null, firstKept: Infinity, filterAt: null, renames: [],
  }));
  const latestLaneOfTid = new Map<number, number>();
  laneTids.forEach((tid, ordinal) => latestLaneOfTid.set(tid, ordinal));
  for (const { seq, lane, record } of kept) {
    const fact = facts[lane];
    if (!fact) continue;
    if (record.type !== 'end') fact.firstKept = Math.min(fact.firstKept, record.t);
    if (record.type === 'process') fact.processes.push(record);
    else if (record.type === 'exec') {
      fact.execs.push({ seq, record });
      if (record.formerPid !== record.pid) {
        // the exec'ing thread's own lane ends here: find its most recent lane before this exec
        for (let ordinal = laneTids.length - 1; ordinal >= 0; ordinal--) {
          if (laneTids[ordinal] === record.formerPid && ordinal !== lane) {
            facts[ordinal]!.vanishedAt ??= record.t;
            break;
          }
        }
      }
    } else if (record.type === 'exit') fact.exit = record;
    else if (record.type === 'syscall' && record.name === 'seccomp' && record.err === null && record.args.operation === 'SECCOMP_SET_MODE_FILTER') {
      fact.filterAt ??= record.t;
    }
    else if (record.type === 'syscall' && (record.name === 'execve' || record.name === 'execveat') && record.ret === 0) {
      fact.execves.push({ seq, record });
    } else if (record.type === 'syscall') {
      const name = renamedTo(record);
      if (name !== null) fact.renames.push({ t: record.t, name });
    }
  }
  for (const fact of facts) {
    fact.processes.sort((a, b) => a.t - b.t);
    fact.renames.sort((a, b) => a.t - b.t);
  }
  return facts;
}

function argvOf(record: SyscallRecord | undefined): readonly string[] | null {
  const argv = record?.args.argv;
  return Array.isArray(argv) && argv.every((item) => typeof item === 'string') ? (argv as string[]) : null;
}

/** The name a segment [start, end) ends with: its exec's comm, or the task's last rename in it. */
function nameIn(fact: LaneFacts, start: number, end: number, comm: string): string {
  return fact.renames.filter((rename) => rename.t >= start && rename.t <= end).at(-1)?.name ?? comm;
}

function segmentsOf(fact: LaneFacts, start: number, end: number, firstComm: string): Segment[] {
  const segments: Segment[] = [];
  let segmentStart = start;
  let comm = firstComm;
  let execSeq: number | null = null;
  let execve: SyscallRecord | undefined;
  const execs = [...fact.execs].sort((a, b) => a.record.t - b.record.t);
  for (const exec of execs) {
    segments.push({ start: segmentStart, end: exec.record.t, comm: nameIn(fact, segmentStart, exec.record.t, comm), execSeq, filename: stringArg(execve, 'filename'), argv: argvOf(execve) });
    const call = fact.execves.filter((e) => e.record.t <= exec.record.t).at(-1);
    segmentStart = exec.record.t;
    comm = exec.record.comm;
    execSeq = call?.seq ?? null;
    execve = call?.record;
  }
  const last = Math.max(end, segmentStart);
  segments.push({ start: segmentStart, end: last, comm: nameIn(fact, segmentStart, last, comm), execSeq, filename: stringArg(execve, 'filename'), argv: argvOf(execve) });
  return segments;
}

function stringArg(record: SyscallRecord | undefined, name: string): string | null {
  const value = record?.args[name];
  return typeof value === 'string' ? value : null;
}

/** The lane that was `tid` at time t: the latest one started at or before t, else the first. */
function laneAt(lanesOfTid: ReadonlyMap<number, number[]>, lanes: readonly { start: number }[], tid: number, t: number, except: number): number | null {
  const candidates = lanesOfTid.get(tid)?.filter((ordinal) => ordinal !== except);
  if (!candidates?.length) return null;
  let best: number | null = null;
  for (const ordinal of candidates) if (lanes[ordinal]!.start <= t) best = ordinal;
  return best ?? candidates[0]!;
}

export function deriveLanes(
  laneTids: readonly number[],
  kept: readonly KeptRecord[],
  stats: LaneSpanStats,
  traceEnd: number,
): { lanes: Lane[]; rows: number[] } {
  const facts = gatherFacts(laneTids.length, kept, laneTids);
  type Draft = Omit<Lane, 'parent' | 'children' | 'depth' | 'row' | 'seccomp'> & { parent: number | null; children: number[]; depth: number; row: number; seccomp: Lane['seccomp'] };
  const drafts: Draft[] = laneTids.map((tid, ordinal) => {
    const fact = facts[ordinal]!;
    const first = fact.processes[0];
    const last = fact.processes.at(-1);
    const lastExec = fact.execs.at(-1)?.record;
    const start = Math.min(first?.t ?? Infinity, stats.first[ordinal] ?? Infinity, fact.firstKept);
    const endT = fact.exit?.t ?? fact.vanishedAt;
    const lastRename = fact.renames.at(-1);
    const known = lastExec && (!last || lastExec.t >= last.t) ? lastExec : last;
    // the latest name the task had: from its last process or exec record, or a later PR_SET_NAME
    const comm = (lastRename && (!known || lastRename.t >= known.t) ? lastRename.name : known?.comm) ?? '';
    const nspid = last?.nspid ?? [tid];
    const tgid = last?.tgid ?? tid;
    const safeStart = Number.isFinite(start) ? start : 0;
    const segmentEnd = endT ?? Math.max(traceEnd, stats.last[ordinal] ?? -Infinity);
    return {
      ordinal,
      tid,
      tgid,
      ppid: first?.ppid ?? 0,
      nspid,
      hostPid: tid,
      nsPid: nspid.at(-1) ?? tid,
      comm,
      label: laneLabel(tid, nspid.at(-1) ?? tid, comm),
      isThread: tgid !== tid,
      uid: typeof last?.uid === 'number' ? last.uid : null,
      gid: typeof last?.gid === 'number' ? last.gid : null,
      start: safeStart,
      end: endT,
      exit: fact.exit ? { t: fact.exit.t, code: fact.exit.code, signal: fact.exit.signal } : null,
      segments: segmentsOf(fact, safeStart, segmentEnd, first?.comm ?? comm),
      nsHistory: fact.processes.map((record) => ({ t: record.t, ns: record.ns })),
      seccomp: fact.filterAt === null ? null : { t: fact.filterAt, lane: ordinal },
      parent: null,
      children: [],
      depth: 0,
      row: 0,
      spanCount: stats.count[ordinal] ?? 0,
    };
  });

  const lanesOfTid = new Map<number, number[]>();
  for (const draft of drafts) {
    const list = lanesOfTid.get(draft.tid) ?? [];
    list.push(draft.ordinal);
    lanesOfTid.set(draft.tid, list);
  }
  for (const draft of drafts) {
    const parentTid = draft.isThread ? draft.tgid : draft.ppid;
    const parent = laneAt(lanesOfTid, drafts, parentTid, draft.start, draft.ordinal);
    if (parent !== null && !createsCycle(drafts, draft.ordinal, parent)) {
      draft.parent = parent;
      drafts[parent]!.children.push(draft.ordinal);
    }
  }

  const byStart = (a: number, b: number) => drafts[a]!.start - drafts[b]!.start || a - b;
  const rows: number[] = [];
  const visit = (ordinal: number, depth: number) => {
    const draft = drafts[ordinal]!;
    draft.depth = depth;
    // a child made after its parent loaded a filter runs under it too
    const inherited = draft.parent === null ? null : drafts[draft.parent]!.seccomp;
    if (inherited && inherited.t <= draft.start && (draft.seccomp === null || inherited.t < draft.seccomp.t)) draft.seccomp = inherited;
    draft.row = rows.length;
    rows.push(ordinal);
    draft.children.sort(byStart);
    for (const child of draft.children) visit(child, depth + 1);
  };
  drafts.filter((draft) => draft.parent === null).map((draft) => draft.ordinal).sort(byStart).forEach((root) => visit(root, 0));
  return { lanes: drafts, rows };
}

function createsCycle(drafts: readonly { parent: number | null }[], child: number, parent: number): boolean {
  for (let at: number | null = parent; at !== null; at = drafts[at]!.parent) if (at === child) return true;
  return false;
}
