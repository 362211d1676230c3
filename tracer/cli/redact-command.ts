// `cttrace redact IN -o OUT`: a saved trace with its secrets replaced by placeholders, to attach
// to a bug report. The input is left as it is.
import { resolve } from 'node:path';
import { TraceFileWriter } from '../trace/file-writer.js';
import { print } from './output.js';
import { readTraceForOutput, type RedactOptions } from './redact-option.js';
import { UserError } from './user-error.js';

/** trace.cttrace → trace.redacted.cttrace */
export function defaultRedactedPath(input: string): string {
  return input.endsWith('.cttrace') ? `${input.slice(0, -'.cttrace'.length)}.redacted.cttrace` : `${input}.redacted.cttrace`;
}

export async function redactCommand(input: string, options: { output?: string } & RedactOptions): Promise<number> {
  const output = options.output ?? defaultRedactedPath(input);
  if (resolve(output) === resolve(input)) throw new UserError(`-o ${output} is the trace being read: write the redacted trace to another file`);
  const { header, records } = await readTraceForOutput(input, { ...options, redact: true });
  const writer = TraceFileWriter.create(output, header);
  for (const record of records) writer.write(record);
  await writer.close();
  print(process.stderr, `cttrace: ${records.length} records redacted into ${output} (rules: ${header.redaction!.rules.join(', ')}${header.redaction!.patterns ? `, ${header.redaction!.patterns} pattern(s)` : ''})\n`);
  return 0;
}
