// `cttrace show FILE`: print a saved trace the way `trace` printed it live.
import { COLOUR_STYLE, type LineTimes, PLAIN_STYLE, TerminalFormatter } from '../format/terminal.js';
import { openTraceFile } from '../trace/file-reader.js';
import { lineOptionsOf, type LineFlags } from './line-options.js';
import { print, reportSkipped } from './output.js';
import { redactorFor, type RedactOptions } from './redact-option.js';

export async function showCommand(path: string, options: { json?: boolean; lenient?: boolean } & LineTimes & LineFlags & RedactOptions): Promise<number> {
  const lineOptions = lineOptionsOf(options);
  const redactor = redactorFor(options);
  const file = await openTraceFile(path, { lenient: options.lenient });
  const header = redactor ? redactor.header(file.header) : file.header;
  const formatter = new TerminalFormatter(process.stdout.isTTY ? COLOUR_STYLE : PLAIN_STYLE, options, lineOptions);
  const out: string[] = [];
  const flush = () => {
    if (out.length) print(process.stdout, `${out.join('\n')}\n`);
    out.length = 0;
  };
  if (options.json) out.push(JSON.stringify(header));
  for await (const stored of file.records) {
    const record = redactor ? redactor.record(stored) : stored;
    const line = options.json ? JSON.stringify(record) : formatter.line(record);
    if (line !== null) out.push(line);
    if (out.length >= 512) flush();
  }
  flush();
  reportSkipped(file.skipped());
  return 0;
}
