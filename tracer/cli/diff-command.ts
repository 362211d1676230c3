// `cttrace diff A B [--json]`: two container start-ups compared by phase and by the role of each
// process. Exits as diff does: 0 when the calls are the same, 1 when they differ.
import { runMasks } from '../analysis/call-diff.js';
import { diffTraces } from '../analysis/trace-diff.js';
import { COLOUR_DIFF, formatDiff, PLAIN_DIFF, type DiffSide } from '../format/diff.js';
import type { TraceHeader, TraceRecord } from '../trace/records.js';
import { print } from './output.js';
import { readTraceForOutput, redactorFor, type RedactOptions } from './redact-option.js';

function describe(header: TraceHeader): string {
  return `${header.runtime ?? (header.command[0] === 'attach' ? 'attached' : 'command')}: ${header.command.join(' ')}`;
}

function side(file: string, header: TraceHeader, records: readonly TraceRecord[]): DiffSide {
  const pids = records.flatMap((record) => (record.type === 'process' ? [record.pid] : []));
  return { file, description: describe(header), masks: runMasks(header, pids) };
}

export async function diffCommand(fileA: string, fileB: string, options: { json?: boolean } & RedactOptions): Promise<number> {
  const redactor = redactorFor(options);
  const a = await readTraceForOutput(fileA, options, redactor);
  const b = await readTraceForOutput(fileB, options, redactor);
  const diff = diffTraces(a, b);
  if (options.json) {
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
  } else {
    print(process.stdout, formatDiff(diff, side(fileA, a.header, a.records), side(fileB, b.header, b.records), process.stdout.isTTY ? COLOUR_DIFF : PLAIN_DIFF));
  }
  return diff.same ? 0 : 1;
}
