// `cttrace show FILE`: print a saved trace the way `trace` printed it live.
import { COLOUR_STYLE, type LineTimes, PLAIN_STYLE, TerminalFormatter } from '../format/terminal.js';
import { openTraceFile } from '../trace/file-reader.js';
import { print } from './output.js';
import { redactorFor, type RedactOptions } from './redact-option.js';

export async function showCommand(path: string, options: { json?: boolean } & LineTimes & RedactOptions): Promise<number> {
  const redactor = redactorFor(options);
  const file = await openTraceFile(path);
  const header = redactor ? redactor.header(file.header) : file.header;
  const formatter = new TerminalFormatter(process.stdout.isTTY ? COLOUR_STYLE : PLAIN_STYLE, options);
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
  return 0;
}
