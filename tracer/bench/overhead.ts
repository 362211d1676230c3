// Measurement 1: what tracing costs a command, cttrace against strace and against no tracing.
//
// Each workload runs untraced, under `cttrace trace -q` (seccomp prefilter, default set), under
// `strace -f` restricted to the same set (plain, and with --seccomp-bpf, strace's own prefilter),
// under `cttrace trace -q --all`, and under plain `strace -f`; and under the floor tracer
// (floor.ts) with the default set's stops and with every syscall's: what ptrace alone costs. Runs are interleaved, the order of
// the variants rotating every round, so drifts of the machine spread over all of them. For
// cttrace two times: the traced span (the trace's end record: engine start to last exit) and
// the whole process (Node start-up, writing the file and exit included). Two start-up baselines
// (`node -e 0`, `cttrace --version`) tell how much of the whole is Node and module loading.
import { spawnSync } from 'node:child_process';
import { readFileSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { gunzipSync } from 'node:zlib';
import { engineTablesFor } from '../cli/engine-tables.js';
import { parseTraceExpression } from '../filter/trace-expression.js';
import { packageRoot } from '../paths.js';
import { syscallByNr } from '../tables/syscalls.js';
import { roundSummary, summarize, type Summary } from './stats.js';
import { floorCommand, floorStops, readFloorSpan } from './floor.js';
import { timeRun } from './stopwatch.js';
import type { Workload } from './workloads.js';

export const CLI = join(packageRoot, 'bin', 'cttrace.js');

export type VariantName =
  | 'untraced'
  | 'cttrace'
  | 'cttraceLive'
  | 'floorSet'
  | 'straceSet'
  | 'straceSetSeccomp'
  | 'cttraceAll'
  | 'cttraceAllLive'
  | 'floorAll'
  | 'straceAll'
  | 'ebpf'
  | 'ebpfAll';

interface Variant {
  readonly name: VariantName;
  readonly label: string;
  /** null: not a cttrace run, no trace file */
  readonly cttraceArgs: readonly string[] | null;
  readonly prefix: (traceSet: string) => readonly string[];
  /** the floor tracer, with the default set's stops or every syscall's */
  readonly floor?: 'set' | 'all';
}

const STRACE = ['strace', '-f', '-qq', '-o', '/dev/null'];

export const VARIANTS: readonly Variant[] = [
  { name: 'untraced', label: 'untraced', cttraceArgs: null, prefix: () => [] },
  { name: 'cttrace', label: 'cttrace trace -q (prefilter, default set)', cttraceArgs: ['-q'], prefix: () => [] },
  // Without -q the records are decoded, printed and saved while the command runs (to a file
  // here, as `2> FILE` would): what watching a trace live costs on top.
  { name: 'cttraceLive', label: 'cttrace trace (default set, lines printed live)', cttraceArgs: [], prefix: () => [] },
  { name: 'straceSet', label: 'strace -f -e trace=<same set>', cttraceArgs: null, prefix: (set) => [...STRACE, '-e', `trace=${set}`] },
  {
    name: 'straceSetSeccomp',
    label: 'strace -f --seccomp-bpf -e trace=<same set>',
    cttraceArgs: null,
    prefix: (set) => [...STRACE, '--seccomp-bpf', '-e', `trace=${set}`],
  },
  { name: 'floorSet', label: 'floor: a minimal ptrace tracer, the same stops', cttraceArgs: null, prefix: () => [], floor: 'set' },
  { name: 'cttraceAll', label: 'cttrace trace -q --all', cttraceArgs: ['-q', '--all'], prefix: () => [] },
  { name: 'cttraceAllLive', label: 'cttrace trace --all (lines printed live)', cttraceArgs: ['--all'], prefix: () => [] },
  { name: 'floorAll', label: 'floor: a minimal ptrace tracer, every syscall', cttraceArgs: null, prefix: () => [], floor: 'all' },
  { name: 'straceAll', label: 'strace -f (every syscall)', cttraceArgs: null, prefix: () => STRACE },
  { name: 'ebpf', label: 'cttrace trace -q --backend ebpf (default set)', cttraceArgs: ['-q', '--backend', 'ebpf'], prefix: () => [] },
  { name: 'ebpfAll', label: 'cttrace trace -q --backend ebpf --all', cttraceArgs: ['-q', '--backend', 'ebpf', '--all'], prefix: () => [] },
];

export interface VariantResult {
  readonly label: string;
  /** wall time of the whole process, ms */
  readonly wallMs: Summary;
  /** cttrace and the floor: the traced span (trace file's end record; the floor's own clock), ms */
  readonly spanMs?: Summary;
  /** cttrace only: records in the trace file (header excluded) */
  readonly records?: Summary;
}

export interface Ratios {
  /** cttrace filtered span / untraced wall: aim ≤ 1.3 */
  readonly filteredSpanVsUntraced: number;
  readonly filteredWallVsUntraced: number;
  /** cttrace --all span / strace -f wall */
  readonly allSpanVsStraceAll: number;
  /** what --all adds to the untraced run / what strace -f adds: aim ≤ 0.7 */
  readonly allOverheadVsStraceAll: number;
  readonly allWallVsStraceAll: number;
  readonly filteredSpanVsStraceSet: number;
  readonly filteredWallVsStraceSet: number;
  readonly filteredSpanVsStraceSetSeccomp: number;
  readonly filteredWallVsStraceSetSeccomp: number;
  readonly straceSetVsUntraced: number;
  readonly straceSetSeccompVsUntraced: number;
  readonly straceAllVsUntraced: number;
  /** the floor tracer's span / untraced: the least ptrace costs with the default set's stops */
  readonly floorSetVsUntraced: number;
  /** cttrace filtered span / the floor's */
  readonly filteredSpanVsFloor: number;
  /** what the floor tracer adds under every syscall / what strace -f adds */
  readonly floorAllOverheadVsStraceAll: number;
  /** the eBPF backend, default set: span / untraced (aim ≤ 1.10) */
  readonly ebpfSpanVsUntraced: number;
  /** the eBPF backend under --all: what it adds / what strace -f adds (aim ≤ 0.2) */
  readonly ebpfAllOverheadVsStraceAll: number;
  /** the same two as the aims, with lines printed live (no -q) */
  readonly filteredLiveSpanVsUntraced: number;
  readonly allLiveOverheadVsStraceAll: number;
}

/** Added time per trace record, µs: (traced − untraced medians) / records. The filtered variants
 *  are divided by the filtered trace's records, the others by the --all trace's (strace without
 *  --seccomp-bpf stops at every syscall whatever -e trace= says). */
export interface PerRecord {
  readonly cttraceSpan: number;
  readonly straceSetSeccomp: number;
  readonly cttraceAllSpan: number;
  readonly straceSet: number;
  readonly straceAll: number;
}

export interface WorkloadResult {
  readonly name: string;
  readonly label: string;
  readonly variants: Readonly<Record<VariantName, VariantResult>>;
  readonly ratios: Ratios;
  readonly addedUsPerRecord: PerRecord;
}

export interface OverheadResult {
  readonly runs: number;
  readonly warmups: number;
  /** the -e trace= list given to strace: the default set expanded to names */
  readonly straceTraceSet: string;
  /** names of the set this strace does not know (passed as ?name) */
  readonly straceLacks: readonly string[];
  readonly startup: { readonly nodeBareMs: Summary; readonly cttraceVersionMs: Summary };
  readonly workloads: readonly WorkloadResult[];
}

export interface TraceFileFacts {
  readonly spanMs: number;
  readonly records: number;
  readonly gzipBytes: number;
  readonly jsonBytes: number;
}

export function readTraceFile(path: string): TraceFileFacts {
  const compressed = readFileSync(path);
  const text = gunzipSync(compressed).toString('utf8');
  const lines = text.trimEnd().split('\n');
  const end = JSON.parse(lines[lines.length - 1]!) as { type: string; t: number };
  if (end.type !== 'end') throw new Error(`${path}: the last record is ${end.type}, not end`);
  return { spanMs: end.t / 1e6, records: lines.length - 1, gzipBytes: compressed.length, jsonBytes: Buffer.byteLength(text) };
}

/** The default set as strace names; names strace does not know get its "?" (skip if unknown). */
export function straceTraceSet(): { expression: string; lacks: string[] } {
  const names = [...parseTraceExpression('default').syscalls]
    .sort((a, b) => a - b)
    .map((nr) => syscallByNr('x86_64', nr)?.name)
    .filter((name): name is string => name !== undefined);
  const lacks: string[] = [];
  for (let attempt = 0; attempt <= names.length; attempt++) {
    const expression = names.map((name) => (lacks.includes(name) ? `?${name}` : name)).join(',');
    const probe = spawnSync('strace', ['-qq', '-o', '/dev/null', '-e', `trace=${expression}`, '/bin/true'], { encoding: 'utf8' });
    if (probe.status === 0) return { expression, lacks };
    const unknown = /invalid system call '([^']+)'/.exec(probe.stderr)?.[1];
    if (!unknown || lacks.includes(unknown)) throw new Error(`strace rejects the trace set: ${probe.stderr}`);
    lacks.push(unknown);
  }
  throw new Error('strace rejects the trace set');
}

function median(values: readonly number[]): number {
  return summarize(values).median;
}

export interface OverheadOptions {
  readonly runs: number;
  readonly warmups: number;
  readonly workloads: readonly Workload[];
  /** where the trace files go (each is read, then removed) */
  readonly tmp: string;
  readonly progress?: (text: string) => void;
}

export function measureOverhead(options: OverheadOptions): OverheadResult {
  const { runs, warmups, workloads, tmp } = options;
  const set = straceTraceSet();
  const stops = floorStops(engineTablesFor({}));
  const nodeBare: number[] = [];
  const cliStartup: number[] = [];
  type Samples = { wall: number[]; span: number[]; records: number[] };
  const samples = new Map<string, Map<VariantName, Samples>>();
  for (const workload of workloads) {
    samples.set(workload.name, new Map(VARIANTS.map((variant) => [variant.name, { wall: [], span: [], records: [] }])));
  }
  let serial = 0;
  for (let round = 0; round < warmups + runs; round++) {
    const keep = round >= warmups;
    const bare = timeRun([process.execPath, '-e', '0']);
    const version = timeRun([process.execPath, CLI, '--version']);
    if (keep) {
      nodeBare.push(bare);
      cliStartup.push(version);
    }
    for (const workload of workloads) {
      const perVariant = samples.get(workload.name)!;
      for (let k = 0; k < VARIANTS.length; k++) {
        const variant = VARIANTS[(k + round) % VARIANTS.length]!;
        const command = workload.next();
        const tracePath = join(tmp, `overhead-${++serial}.cttrace`);
        const spanPath = join(tmp, `overhead-${serial}.span`);
        const argv = variant.floor
          ? floorCommand(variant.floor === 'all' ? 'all' : stops, spanPath, command)
          : variant.cttraceArgs === null
            ? [...variant.prefix(set.expression), ...command]
            : [process.execPath, CLI, 'trace', ...variant.cttraceArgs, '-o', tracePath, '--', ...command];
        let wall: number;
        try {
          wall = timeRun(argv);
        } finally {
          workload.after();
        }
        const sample = perVariant.get(variant.name)!;
        if (variant.floor) {
          const span = readFloorSpan(spanPath);
          if (keep) sample.span.push(span);
        }
        if (variant.cttraceArgs !== null) {
          const facts = readTraceFile(tracePath);
          rmSync(tracePath, { force: true });
          if (keep) {
            sample.span.push(facts.spanMs);
            sample.records.push(facts.records);
          }
        }
        if (keep) sample.wall.push(wall);
      }
    }
    options.progress?.(keep ? '.' : 'w');
  }

  const results: WorkloadResult[] = workloads.map((workload) => {
    const perVariant = samples.get(workload.name)!;
    const variants = Object.fromEntries(
      VARIANTS.map((variant) => {
        const sample = perVariant.get(variant.name)!;
        const result: VariantResult = {
          label: variant.label,
          wallMs: roundSummary(summarize(sample.wall)),
          ...(sample.span.length ? { spanMs: roundSummary(summarize(sample.span)) } : {}),
          ...(sample.records.length ? { records: summarize(sample.records) } : {}),
        };
        return [variant.name, result];
      }),
    ) as Record<VariantName, VariantResult>;
    const wall = (name: VariantName) => median(perVariant.get(name)!.wall);
    const span = (name: VariantName) => median(perVariant.get(name)!.span);
    const r = (a: number, b: number) => Math.round((a / b) * 1000) / 1000;
    const records = (name: VariantName) => median(perVariant.get(name)!.records);
    const added = (time: number, count: number) => Math.round(((time - wall('untraced')) / count) * 1000 * 10) / 10;
    return {
      name: workload.name,
      label: workload.label,
      variants,
      ratios: {
        filteredSpanVsUntraced: r(span('cttrace'), wall('untraced')),
        filteredWallVsUntraced: r(wall('cttrace'), wall('untraced')),
        allSpanVsStraceAll: r(span('cttraceAll'), wall('straceAll')),
        allOverheadVsStraceAll: r(span('cttraceAll') - wall('untraced'), wall('straceAll') - wall('untraced')),
        allWallVsStraceAll: r(wall('cttraceAll'), wall('straceAll')),
        filteredSpanVsStraceSet: r(span('cttrace'), wall('straceSet')),
        filteredWallVsStraceSet: r(wall('cttrace'), wall('straceSet')),
        filteredSpanVsStraceSetSeccomp: r(span('cttrace'), wall('straceSetSeccomp')),
        filteredWallVsStraceSetSeccomp: r(wall('cttrace'), wall('straceSetSeccomp')),
        straceSetVsUntraced: r(wall('straceSet'), wall('untraced')),
        straceSetSeccompVsUntraced: r(wall('straceSetSeccomp'), wall('untraced')),
        straceAllVsUntraced: r(wall('straceAll'), wall('untraced')),
        floorSetVsUntraced: r(span('floorSet'), wall('untraced')),
        filteredSpanVsFloor: r(span('cttrace'), span('floorSet')),
        floorAllOverheadVsStraceAll: r(span('floorAll') - wall('untraced'), wall('straceAll') - wall('untraced')),
        ebpfSpanVsUntraced: r(span('ebpf'), wall('untraced')),
        ebpfAllOverheadVsStraceAll: r(span('ebpfAll') - wall('untraced'), wall('straceAll') - wall('untraced')),
        filteredLiveSpanVsUntraced: r(span('cttraceLive'), wall('untraced')),
        allLiveOverheadVsStraceAll: r(span('cttraceAllLive') - wall('untraced'), wall('straceAll') - wall('untraced')),
      },
      addedUsPerRecord: {
        cttraceSpan: added(span('cttrace'), records('cttrace')),
        straceSetSeccomp: added(wall('straceSetSeccomp'), records('cttrace')),
        cttraceAllSpan: added(span('cttraceAll'), records('cttraceAll')),
        straceSet: added(wall('straceSet'), records('cttraceAll')),
        straceAll: added(wall('straceAll'), records('cttraceAll')),
      },
    };
  });
  return {
    runs,
    warmups,
    straceTraceSet: set.expression,
    straceLacks: set.lacks,
    startup: { nodeBareMs: roundSummary(summarize(nodeBare)), cttraceVersionMs: roundSummary(summarize(cliStartup)) },
    workloads: results,
  };
}
