// `cttrace summary FILE...`: where the time went, per syscall, per process and per phase of
// container creation; several traces side by side by phase.
import { containerPhases, PHASE_NAMES, type Phase } from '../analysis/phases.js';
import { formatSummary, summarize } from '../format/summary.js';
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
  }));
  if (options.json) {
    print(process.stdout, `${JSON.stringify(results.length === 1 ? results[0] : results)}\n`);
    return 0;
  }
  if (results.length === 1) {
    const [only] = results;
    const phases = only!.phases.length > 1 ? `\n\n${phaseTable(['this trace'], [only!.phases])}` : '';
    print(process.stdout, `${formatSummary(only!.summary)}${phases}\n`);
    return 0;
  }
  const names = results.map((result, index) => result.runtime ?? (result.command[0] === 'attach' ? 'attached' : `#${index + 1}`));
  const legend = results.map((result, index) => `${names[index]}: ${result.file} (${result.command.join(' ')})`);
  print(process.stdout, `${phaseTable(names, results.map((result) => result.phases))}\n\n${legend.join('\n')}\n`);
  return 0;
}
