// `cttrace show FILE`: print a saved trace the way `trace` printed it live.
import { COLOUR_STYLE, type LineTimes, PLAIN_STYLE, TerminalFormatter } from '../format/terminal.js';
import { openTraceFile } from '../trace/file-reader.js';
import type { TraceHeader, TraceRecord } from '../trace/records.js';
import { type ContainerOption, restrictToContainer } from './container-option.js';
import { lineOptionsOf, type LineFlags } from './line-options.js';
import { print, reportSkipped } from './output.js';
import { readTraceForOutput, redactorFor, type RedactOptions } from './redact-option.js';

interface Shown {
  readonly header: TraceHeader;
  readonly records: AsyncIterable<TraceRecord> | Iterable<TraceRecord>;
  readonly skipped: () => string | null;
}

/** The records to print: streamed from the file, or (--container) the chosen container's, read whole to split the trace. */
async function recordsToShow(path: string, options: { lenient?: boolean } & RedactOptions & ContainerOption): Promise<Shown> {
  const redactor = redactorFor(options);
  if (options.container !== undefined) {
    const trace = restrictToContainer(await readTraceForOutput(path, options, redactor), options, path);
    return { header: trace.header, records: trace.records, skipped: () => trace.skipped };
  }
  const file = await openTraceFile(path, { lenient: options.lenient });
  const header = redactor ? redactor.header(file.header) : file.header;
  async function* redacted() {
    for await (const stored of file.records) yield redactor ? redactor.record(stored) : stored;
  }
  return { header, records: redacted(), skipped: () => file.skipped() };
}

export async function showCommand(path: string, options: { json?: boolean; lenient?: boolean } & LineTimes & LineFlags & RedactOptions & ContainerOption): Promise<number> {
  const lineOptions = lineOptionsOf(options);
  const shown = await recordsToShow(path, options);
  const header = shown.header;
  const formatter = new TerminalFormatter(process.stdout.isTTY ? COLOUR_STYLE : PLAIN_STYLE, options, lineOptions);
  const out: string[] = [];
  const flush = () => {
    if (out.length) print(process.stdout, `${out.join('\n')}\n`);
    out.length = 0;
  };
  if (options.json) out.push(JSON.stringify(header));
  for await (const record of shown.records) {
    const line = options.json ? JSON.stringify(record) : formatter.line(record);
    if (line !== null) out.push(line);
    if (out.length >= 512) flush();
  }
  flush();
  reportSkipped(shown.skipped());
  return 0;
}
