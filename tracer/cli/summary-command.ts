// `cttrace summary FILE`: where the time went, per syscall and per process.
import { formatSummary, summarize } from '../format/summary.js';
import { readTraceFile } from '../trace/file-reader.js';

export async function summaryCommand(path: string, options: { json?: boolean }): Promise<number> {
  const { records } = await readTraceFile(path);
  const summary = summarize(records);
  process.stdout.write(options.json ? `${JSON.stringify(summary)}\n` : `${formatSummary(summary)}\n`);
  return 0;
}
