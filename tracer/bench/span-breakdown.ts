// Where the traced span goes: the engine driven in this process (no CLI, no Node start-up, no
// trace file), step by step. The floor is the prefilter machinery with nothing selected (fork,
// exec and clone events, task announcements from /proc); then the default set with the records
// only split, then decoded and serialised like the CLI does; then --all the same two ways.
// Interleaved with untraced runs started from this same process.
//
// Runs in a child process of run.ts (`node span-breakdown.js --runs N --warmups N --tmp DIR
// --out FILE`): the engine's tracee inherits this process's stdout, which goes to /dev/null there,
// and the bench's own big buffers stay out of the forked address space.
import { spawnSync } from 'node:child_process';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { engineTablesFor } from '../cli/engine-tables.js';
import { resolveCommand } from '../cli/resolve-command.js';
import { buildEngineTables, type EngineTables } from '../decode/capture-table.js';
import { Decoder } from '../decode/decoder.js';
import { startSession } from '../engine/session.js';
import type { RawRecord } from '../protocol/raw-records.js';
import { RuncBundle } from './runc-bundle.js';
import { roundSummary, summarize, type Summary } from './stats.js';
import { timeRun } from './stopwatch.js';
import { loopWorkload, runcWorkload, unshareWorkload, type Workload } from './workloads.js';

type StepName = 'untraced' | 'floor' | 'set' | 'setDecoded' | 'all' | 'allDecoded';

interface Step {
  readonly name: StepName;
  readonly label: string;
  readonly tables?: EngineTables;
  readonly traceAll?: boolean;
  readonly decode?: boolean;
}

export interface StepResult {
  readonly label: string;
  /** untraced: wall time from spawn to reaping (stopwatch.ts); engine steps: end record − engine start */
  readonly spanMs: Summary;
  readonly records: number;
}

export interface BreakdownResult {
  readonly runs: number;
  /** what the child had to remove or could not (should be empty) */
  readonly cleanup?: readonly string[];
  readonly workloads: readonly { readonly name: string; readonly steps: Readonly<Record<StepName, StepResult>> }[];
}

interface EngineRun {
  readonly spanMs: number;
  readonly records: number;
}

async function runEngine(command: readonly string[], tables: EngineTables, traceAll: boolean, decode: boolean): Promise<EngineRun> {
  let start = 0;
  let end = 0;
  let records = 0;
  const decoder = new Decoder();
  const session = startSession({
    target: { kind: 'command', path: resolveCommand(command[0]!), argv: command },
    traceAll,
    tables,
    pinTracer: true, // as the CLI does by default
    onRecord(raw: RawRecord) {
      records++;
      if (raw.type === 'hello') start = raw.startNs;
      else if (raw.type === 'end') end = raw.time;
      if (decode) {
        const record = decoder.decode(raw);
        if (record) JSON.stringify(record);
      }
    },
  });
  const status = await session.done;
  if (status !== 0) throw new Error(`engine run of ${command.join(' ')} ended with status ${status}`);
  return { spanMs: (end - start) / 1e6, records };
}

function runUntraced(command: readonly string[]): EngineRun {
  return { spanMs: timeRun(command), records: 0 };
}

export async function measureBreakdown(options: {
  readonly runs: number;
  readonly warmups: number;
  readonly workloads: readonly Workload[];
  readonly progress?: (text: string) => void;
}): Promise<BreakdownResult> {
  // The tables the CLI builds for no -e, and for --all; the floor selects nothing.
  const set = engineTablesFor({});
  const none = buildEngineTables('x86_64', new Set(), { env: false });
  const all = engineTablesFor({ all: true });
  const steps: readonly Step[] = [
    { name: 'untraced', label: 'untraced (posix_spawn stopwatch)' },
    { name: 'floor', label: 'engine, prefilter selecting nothing', tables: none },
    { name: 'set', label: 'engine, default set, records split only', tables: set },
    { name: 'setDecoded', label: 'engine, default set, decoded + JSON.stringify', tables: set, decode: true },
    { name: 'all', label: 'engine --all, records split only', tables: all, traceAll: true },
    { name: 'allDecoded', label: 'engine --all, decoded + JSON.stringify', tables: all, traceAll: true, decode: true },
  ];
  const samples = new Map<string, Map<StepName, { span: number[]; records: number[] }>>();
  for (const workload of options.workloads) {
    samples.set(workload.name, new Map(steps.map((step) => [step.name, { span: [], records: [] }])));
  }
  for (let round = 0; round < options.warmups + options.runs; round++) {
    for (const workload of options.workloads) {
      for (let k = 0; k < steps.length; k++) {
        const step = steps[(k + round) % steps.length]!;
        const command = workload.next();
        let run: EngineRun;
        try {
          run = step.tables ? await runEngine(command, step.tables, step.traceAll ?? false, step.decode ?? false) : runUntraced(command);
        } finally {
          workload.after();
        }
        if (round >= options.warmups) {
          const sample = samples.get(workload.name)!.get(step.name)!;
          sample.span.push(run.spanMs);
          sample.records.push(run.records);
        }
      }
    }
    options.progress?.(round >= options.warmups ? '.' : 'w');
  }
  return {
    runs: options.runs,
    workloads: options.workloads.map((workload) => ({
      name: workload.name,
      steps: Object.fromEntries(
        steps.map((step) => {
          const sample = samples.get(workload.name)!.get(step.name)!;
          return [step.name, { label: step.label, spanMs: roundSummary(summarize(sample.span)), records: summarize(sample.records).median }];
        }),
      ) as Record<StepName, StepResult>,
    })),
  };
}

/** Run the breakdown in a child process (see the top of this file). */
export function measureBreakdownInChild(options: { readonly runs: number; readonly warmups: number; readonly tmp: string }): BreakdownResult {
  const out = join(options.tmp, 'breakdown.json');
  const child = spawnSync(
    process.execPath,
    [fileURLToPath(import.meta.url), '--runs', String(options.runs), '--warmups', String(options.warmups), '--tmp', options.tmp, '--out', out],
    { stdio: ['ignore', 'ignore', 'inherit'], timeout: 600_000 },
  );
  if (child.status !== 0) throw new Error(`span breakdown failed (${child.error?.message ?? `status ${child.status}`})`);
  return JSON.parse(readFileSync(out, 'utf8')) as BreakdownResult;
}

async function childMain(argv: readonly string[]): Promise<void> {
  const option = (name: string) => {
    const at = argv.indexOf(name);
    if (at < 0 || at + 1 >= argv.length) throw new Error(`span-breakdown: ${name} is required`);
    return argv[at + 1]!;
  };
  const bundle = new RuncBundle(join(option('--tmp'), `runc-breakdown-${process.pid}`));
  let result: BreakdownResult;
  let forced: string[] = [];
  try {
    result = await measureBreakdown({
      runs: Number(option('--runs')),
      warmups: Number(option('--warmups')),
      workloads: [unshareWorkload(), runcWorkload(bundle), loopWorkload()],
      progress: (text) => process.stderr.write(text),
    });
  } finally {
    forced = bundle.dispose();
  }
  writeFileSync(option('--out'), JSON.stringify({ ...result, cleanup: forced }));
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  childMain(process.argv.slice(2)).catch((error: unknown) => {
    process.stderr.write(`span-breakdown: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`);
    process.exitCode = 1;
  });
}
