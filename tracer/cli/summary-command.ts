// `cttrace summary FILE...`: where the time went, per syscall, per process and per phase of
// container creation, the phases per container the trace holds; several traces side by side by phase.
import { shortIds } from '../analysis/container-ids.js';
import { phasesOfContainer } from '../analysis/container-records.js';
import { findContainers, type Container } from '../analysis/containers.js';
import { containerPhases, PHASE_NAMES, type Phase } from '../analysis/phases.js';
import { formatSummary, summarize } from '../format/summary.js';
import type { TraceHeader, TraceRecord } from '../trace/records.js';
import { print, reportSkipped } from './output.js';
import { readTraceForOutput, redactorFor, type RedactOptions } from './redact-option.js';

const ms = (ns: number) => (ns / 1e6).toFixed(2);

function phaseTable(names: readonly string[], phasesPerTrace: readonly (readonly Phase[])[]): string {
  const width = Math.max(12, ...names.map((name) => name.length)) + 2;
  const lines = [`${'phase (ms)'.padEnd(14)}${names.map((name) => name.padStart(width)).join('')}`];
  for (const phase of PHASE_NAMES) {
    const cells = phasesPerTrace.map((phases) => {
      const found = phases.find((candidate) => candidate.name === phase);
      return (found ? ms(found.end - found.start) : '-').padStart(width);
    });
    if (cells.some((cell) => cell.trim() !== '-')) lines.push(`${phase.padEnd(14)}${cells.join('')}`);
  }
  const totals = phasesPerTrace.map((phases) => ms(phases.length ? phases.at(-1)!.end - phases[0]!.start : 0).padStart(width));
  lines.push(`${'total'.padEnd(14)}${totals.join('')}`);
  return lines.join('\n');
}

interface ContainerSummary extends Container {
  readonly phases: readonly Phase[];
}

function containersOf(header: TraceHeader, records: readonly TraceRecord[]): ContainerSummary[] {
  return findContainers(records, header).containers.map((container) => ({ ...container, phases: phasesOfContainer(records, container, header) }));
}

/** `69a6099b562d  runc, image busybox, PID 1 28491: sh -c 'echo hi', 67 tasks` */
function containerLine(container: ContainerSummary, shortId: string): string {
  const parts = [
    container.runtime === 'other' || container.runtime === null ? (container.program ?? 'runtime not in the trace') : container.runtime,
    container.image ? `image ${container.image}` : null,
    container.init ? `PID 1 ${container.init.pid}${container.init.argv ? `: ${container.init.argv.join(' ')}` : ''}` : 'no PID 1 in the trace',
    `${container.tasks.length} task${container.tasks.length === 1 ? '' : 's'}`,
  ];
  return `${shortId}  ${parts.filter((part) => part !== null).join(', ')}`;
}

interface Column {
  readonly name: string;
  readonly phases: readonly Phase[];
}

export async function summaryCommand(paths: readonly string[], options: { json?: boolean; lenient?: boolean } & RedactOptions): Promise<number> {
  const redactor = redactorFor(options);
  const traces = await Promise.all(paths.map((path) => readTraceForOutput(path, options, redactor)));
  for (const trace of traces) reportSkipped(trace.skipped);
  const results = traces.map(({ header, records }, index) => ({
    file: paths[index]!,
    command: header.command,
    runtime: header.runtime,
    summary: summarize(records),
    phases: containerPhases(records, header),
    containers: containersOf(header, records),
  }));
  if (options.json) {
    print(process.stdout, `${JSON.stringify(results.length === 1 ? results[0] : results)}\n`);
    return 0;
  }
  // a column per container; a trace with none (no namespaces made) keeps its whole-trace phases
  const columns = (result: (typeof results)[number], name: string): Column[] => {
    if (result.containers.length === 0) return [{ name, phases: result.phases }];
    const ids = shortIds(result.containers);
    return result.containers.map((container, index) => ({ name: result.containers.length === 1 && name !== '' ? name : ids[index]!, phases: container.phases }));
  };
  const legendOf = (result: (typeof results)[number]) => {
    const ids = shortIds(result.containers);
    return result.containers.map((container, index) => `  ${containerLine(container, ids[index]!)}`);
  };
  if (results.length === 1) {
    const [only] = results;
    const shown = columns(only!, only!.containers.length ? '' : 'this trace').filter((column) => column.phases.length > 1);
    const containers = only!.containers.length ? `\n\n${only!.containers.length} container${only!.containers.length === 1 ? '' : 's'}:\n${legendOf(only!).join('\n')}` : '';
    const phases = shown.length ? `\n\n${phaseTable(shown.map((column) => column.name), shown.map((column) => column.phases))}` : '';
    print(process.stdout, `${formatSummary(only!.summary)}${containers}${phases}\n`);
    return 0;
  }
  const names = results.map((result, index) => result.runtime ?? (result.command[0] === 'attach' ? 'attached' : `#${index + 1}`));
  const shown = results.flatMap((result, index) => columns(result, names[index]!));
  const legend = results.flatMap((result, index) => [`${names[index]}: ${result.file} (${result.command.join(' ')})`, ...(result.containers.length > 1 ? legendOf(result) : [])]);
  print(process.stdout, `${phaseTable(shown.map((column) => column.name), shown.map((column) => column.phases))}\n\n${legend.join('\n')}\n`);
  return 0;
}
