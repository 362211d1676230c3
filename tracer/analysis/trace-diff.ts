// Two container start-ups compared: the time of each phase in A and in B, and per role (the
// runtime, its stages, the container's pid 1, the rest) the calls only one made and those made
// with other arguments. Pure: `cttrace diff` prints it, --json gives it as it is.
import type { TraceHeader, TraceRecord } from '../trace/records.js';
import { type CallLine, diffCalls, runMasks } from './call-diff.js';
import { containerPhases, PHASE_NAMES, type PhaseName } from './phases.js';
import { pairRoles, processRoles, type RoleKind, type RolePair, roleLabel } from './roles.js';

export interface TraceSide {
  readonly header: TraceHeader;
  readonly records: readonly TraceRecord[];
}

export interface PhaseTimes {
  readonly name: PhaseName | 'total';
  /** ns; null when the phase was not found in that trace */
  readonly a: number | null;
  readonly b: number | null;
}

export interface RoleDiff {
  readonly kind: RoleKind;
  readonly a: string | null;
  readonly b: string | null;
  readonly lines: readonly CallLine[];
  readonly counts: { readonly same: number; readonly onlyA: number; readonly onlyB: number; readonly changed: number };
}

export interface TraceDiff {
  readonly phases: readonly PhaseTimes[];
  readonly roles: readonly RoleDiff[];
  /** true when no role has a call only on one side or changed */
  readonly same: boolean;
}

function phaseTimes(a: TraceSide, b: TraceSide): PhaseTimes[] {
  const pa = containerPhases(a.records, a.header);
  const pb = containerPhases(b.records, b.header);
  const length = (phases: typeof pa, name: PhaseName) => {
    const found = phases.find((phase) => phase.name === name);
    return found ? found.end - found.start : null;
  };
  const total = (phases: typeof pa) => (phases.length ? phases[phases.length - 1]!.end - phases[0]!.start : null);
  return [
    ...PHASE_NAMES.map((name) => ({ name, a: length(pa, name), b: length(pb, name) })).filter((phase) => phase.a !== null || phase.b !== null),
    { name: 'total' as const, a: total(pa), b: total(pb) },
  ];
}

function pidsOf(records: readonly TraceRecord[]): number[] {
  return records.flatMap((record) => (record.type === 'process' ? [record.pid] : []));
}

function roleDiff(pair: RolePair, masks: { a: ReturnType<typeof runMasks>; b: ReturnType<typeof runMasks> }): RoleDiff {
  const lines = diffCalls(pair.a?.calls ?? [], pair.b?.calls ?? [], masks.a, masks.b);
  const count = (kind: CallLine['kind']) => lines.filter((line) => line.kind === kind).length;
  return {
    kind: pair.kind,
    a: pair.a ? roleLabel(pair.a) : null,
    b: pair.b ? roleLabel(pair.b) : null,
    lines,
    counts: { same: count('same'), onlyA: count('only-a'), onlyB: count('only-b'), changed: count('changed') },
  };
}

export function diffTraces(a: TraceSide, b: TraceSide): TraceDiff {
  const masks = { a: runMasks(a.header, pidsOf(a.records)), b: runMasks(b.header, pidsOf(b.records)) };
  const pairs = pairRoles(processRoles(a.records, a.header), processRoles(b.records, b.header));
  const roles = pairs.map((pair) => roleDiff(pair, masks));
  const same = roles.every((role) => role.counts.onlyA === 0 && role.counts.onlyB === 0 && role.counts.changed === 0);
  return { phases: phaseTimes(a, b), roles, same };
}
