// `cttrace diff A B [--json | --html]`: two container start-ups compared by phase and by the role
// of each process. Exits as diff does: 0 when the calls are the same, 1 when they differ.
import { readFileSync } from 'node:fs';
import { basename } from 'node:path';
import { runMasks } from '../analysis/call-diff.js';
import { containerPhases, PHASE_NAMES } from '../analysis/phases.js';
import { diffTraces, type TraceDiff } from '../analysis/trace-diff.js';
import { comparePage } from '../export/compare-page.js';
import { HtmlPageError } from '../export/html-page.js';
import { COLOUR_DIFF, formatDiff, PLAIN_DIFF, type DiffSide } from '../format/diff.js';
import { encodeTraceFile } from '../trace/file-writer.js';
import type { TraceHeader, TraceRecord } from '../trace/records.js';
import { readStandalonePage, writeOutput } from './export-command.js';
import { restrictToContainer, severalContainersNote } from './container-option.js';
import { print } from './output.js';
import { readTraceForOutput, redactorFor, type RedactOptions } from './redact-option.js';
import { UserError } from './user-error.js';

interface Trace {
  readonly header: TraceHeader;
  readonly records: TraceRecord[];
}

export interface DiffOptions extends RedactOptions {
  /** --container: the same id (prefix) in both traces, or A's and B's as ID_A,ID_B */
  readonly container?: string;
  readonly json?: boolean;
  /** the two viewers side by side and the diff, in one page */
  readonly html?: boolean;
  readonly output?: string;
}

function describe(header: TraceHeader): string {
  return `${header.runtime ?? (header.command[0] === 'attach' ? 'attached' : 'command')}: ${header.command.join(' ')}`;
}

function side(file: string, header: TraceHeader, records: readonly TraceRecord[]): DiffSide {
  const pids = records.flatMap((record) => (record.type === 'process' ? [record.pid] : []));
  return { file, description: describe(header), masks: runMasks(header, pids) };
}

function printJson(diff: TraceDiff, fileA: string, a: Trace, fileB: string, b: Trace): void {
  const json = {
    a: { file: fileA, runtime: a.header.runtime, command: a.header.command },
    b: { file: fileB, runtime: b.header.runtime, command: b.header.command },
    same: diff.same,
    phases: diff.phases.map((phase) => ({ ...phase, change: phase.a !== null && phase.b !== null ? phase.b - phase.a : null })),
    roles: diff.roles.map((role) => ({
      kind: role.kind,
      a: role.a,
      b: role.b,
      counts: role.counts,
      onlyA: role.lines.flatMap((line) => (line.kind === 'only-a' ? [line.a] : [])),
      onlyB: role.lines.flatMap((line) => (line.kind === 'only-b' ? [line.b] : [])),
      changed: role.lines.flatMap((line) => (line.kind === 'changed' ? [{ a: line.a, b: line.b, flags: line.flags }] : [])),
    })),
  };
  print(process.stdout, `${JSON.stringify(json)}\n`);
}

/** Where the two timelines line up: the start of the first phase past "runtime start" that both have. */
function alignment(a: Trace, b: Trace): { offsetA: number; offsetB: number; text: string } {
  const pa = containerPhases(a.records, a.header);
  const pb = containerPhases(b.records, b.header);
  for (const name of PHASE_NAMES.slice(1)) {
    const x = pa.find((phase) => phase.name === name);
    const y = pb.find((phase) => phase.name === name);
    if (x && y) return { offsetA: x.start, offsetB: y.start, text: `lined up at the start of their "${name}" phase` };
  }
  return { offsetA: 0, offsetB: 0, text: 'both from their start' };
}

/** The places (after the header) of the records each side's marked calls are: only in it, or changed. */
function differences(diff: TraceDiff, a: Trace, b: Trace): { a: number[]; b: number[] } {
  const placeA = new Map(a.records.map((record, index) => [record, index]));
  const placeB = new Map(b.records.map((record, index) => [record, index]));
  const inA: number[] = [];
  const inB: number[] = [];
  for (const line of diff.roles.flatMap((role) => role.lines)) {
    if (line.kind === 'only-a' || line.kind === 'changed') inA.push(placeA.get(line.a)!);
    if (line.kind === 'only-b' || line.kind === 'changed') inB.push(placeB.get(line.b)!);
  }
  return { a: inA.sort((x, y) => x - y), b: inB.sort((x, y) => x - y) };
}

/** trace a.cttrace and b.cttrace → a-vs-b.html beside A */
export function defaultComparePath(fileA: string, fileB: string): string {
  const stem = (file: string) => file.replace(/\.cttrace$/, '');
  return `${stem(fileA)}-vs-${basename(stem(fileB))}.html`;
}

async function writeComparePage(fileA: string, a: Trace, fileB: string, b: Trace, diff: TraceDiff, options: DiffOptions): Promise<void> {
  const template = readStandalonePage();
  // as stored, or (redacted, one container) as the diff read it: the page holds what the diff shows
  const bytes = (file: string, trace: Trace) => (redactorFor(options) || options.container !== undefined ? encodeTraceFile(trace.header, trace.records) : readFileSync(file));
  const { offsetA, offsetB, text } = alignment(a, b);
  const marked = differences(diff, a, b);
  let page: string;
  try {
    page = comparePage(
      template,
      { name: basename(fileA), bytes: bytes(fileA, a), offset: offsetA, differences: marked.a },
      { name: basename(fileB), bytes: bytes(fileB, b), offset: offsetB, differences: marked.b },
      formatDiff(diff, side(fileA, a.header, a.records), side(fileB, b.header, b.records), PLAIN_DIFF),
      text,
    );
  } catch (error) {
    if (error instanceof HtmlPageError) throw new UserError(error.message, 1);
    throw error;
  }
  const output = options.output ?? defaultComparePath(fileA, fileB);
  const written = await writeOutput(output, [page]);
  if (written) print(process.stderr, `cttrace: ${written} written: the two start-ups side by side (${text}) and their diff; open it in a browser, no server needed\n`);
}

/** --container ID for both sides, or ID_A,ID_B (an empty side compares that whole trace: ID_A, or ,ID_B). */
function containerPerSide(option: string | undefined): [string | undefined, string | undefined] {
  if (option === undefined) return [undefined, undefined];
  const parts = option.split(',');
  if (parts.length > 2) throw new UserError(`--container ${option}: give one id for both traces, or two as A,B`);
  if (parts.length === 1) return [option, option];
  return [parts[0] || undefined, parts[1] || undefined];
}

export async function diffCommand(fileA: string, fileB: string, options: DiffOptions): Promise<number> {
  if (options.json && options.html) throw new UserError('--json and --html ask for two outputs: give one');
  if (options.output !== undefined && !options.html) throw new UserError('-o is for --html (the page); the diff itself goes to stdout');
  const redactor = redactorFor(options);
  const [inA, inB] = containerPerSide(options.container);
  const a = restrictToContainer(await readTraceForOutput(fileA, options, redactor), { container: inA }, fileA);
  const b = restrictToContainer(await readTraceForOutput(fileB, options, redactor), { container: inB }, fileB);
  for (const [file, trace, chosen] of [[fileA, a, inA], [fileB, b, inB]] as const) {
    const note = chosen === undefined ? severalContainersNote(trace, file) : null;
    if (note) print(process.stderr, `cttrace: ${note}\n`);
  }
  const diff = diffTraces(a, b);
  if (options.json) printJson(diff, fileA, a, fileB, b);
  else if (options.html) await writeComparePage(fileA, a, fileB, b, diff, options);
  else print(process.stdout, formatDiff(diff, side(fileA, a.header, a.records), side(fileB, b.header, b.records), process.stdout.isTTY ? COLOUR_DIFF : PLAIN_DIFF));
  return diff.same ? 0 : 1;
}
