// `cttrace export FILE [-o OUT]`: a saved trace as Chrome Trace Event JSON, for Perfetto's UI
// (ui.perfetto.dev: Open trace file) or chrome://tracing.
import { closeSync, openSync, writeSync } from 'node:fs';
import { CHROME_TRACE_END, chromeTraceEvents, chromeTracePreamble } from '../export/chrome-trace.js';
import { readTraceFile } from '../trace/file-reader.js';
import { print } from './output.js';
import { UserError } from './user-error.js';

export const EXPORT_FORMATS = ['chrome'] as const;

export interface ExportOptions {
  readonly output?: string;
  readonly format?: string;
}

/** trace.cttrace → trace.json; anything else gets .json added. */
export function defaultExportPath(input: string): string {
  return input.endsWith('.cttrace') ? `${input.slice(0, -'.cttrace'.length)}.json` : `${input}.json`;
}

export async function exportCommand(input: string, options: ExportOptions): Promise<number> {
  const format = options.format ?? 'chrome';
  if (!(EXPORT_FORMATS as readonly string[]).includes(format)) {
    throw new UserError(`unknown export format "${format}": use --format ${EXPORT_FORMATS.join(' or ')}`);
  }
  const { header, records } = await readTraceFile(input);
  const toStdout = options.output === '-';
  const output = toStdout ? null : (options.output ?? defaultExportPath(input));
  let fd: number;
  try {
    fd = output === null ? 1 : openSync(output, 'w', 0o644);
  } catch (error) {
    throw new UserError(`cannot write ${output}: ${(error as NodeJS.ErrnoException).code ?? (error as Error).message}; choose another path with -o`, 1);
  }
  let events = 0;
  try {
    const chunk: string[] = [chromeTracePreamble(header)];
    let first = true;
    for (const event of chromeTraceEvents(records, header)) {
      chunk.push(`${first ? '' : ',\n'}${JSON.stringify(event)}`);
      first = false;
      events++;
      if (chunk.length >= 4096) writeSync(fd, chunk.splice(0).join(''));
    }
    chunk.push(CHROME_TRACE_END);
    writeSync(fd, chunk.join(''));
  } finally {
    if (output !== null) closeSync(fd);
  }
  if (output !== null) print(process.stderr, `cttrace: ${events} events written to ${output} (open it in ui.perfetto.dev or chrome://tracing)\n`);
  return 0;
}
