// `cttrace export FILE [-o OUT]`: a saved trace as Chrome Trace Event JSON, for Perfetto's UI
// (ui.perfetto.dev: Open trace file) or chrome://tracing.
import { once } from 'node:events';
import { createWriteStream, openSync } from 'node:fs';
import type { Writable } from 'node:stream';
import { CHROME_TRACE_END, chromeTraceEvents, chromeTracePreamble } from '../export/chrome-trace.js';
import { readTraceFile } from '../trace/file-reader.js';
import type { TraceHeader, TraceRecord } from '../trace/records.js';
import { print, reportSkipped } from './output.js';
import { UserError } from './user-error.js';

export const EXPORT_FORMATS = ['chrome'] as const;

export interface ExportOptions {
  readonly output?: string;
  readonly format?: string;
  readonly lenient?: boolean;
}

/** trace.cttrace → trace.json; anything else gets .json added. */
export function defaultExportPath(input: string): string {
  return input.endsWith('.cttrace') ? `${input.slice(0, -'.cttrace'.length)}.json` : `${input}.json`;
}

/** The JSON text in pieces of about 4096 events, for a stream to take one at a time. */
function* jsonPieces(header: TraceHeader, records: readonly TraceRecord[], counted: { events: number }): Generator<string> {
  const piece: string[] = [chromeTracePreamble(header)];
  for (const event of chromeTraceEvents(records, header)) {
    piece.push(`${counted.events === 0 ? '' : ',\n'}${JSON.stringify(event)}`);
    counted.events++;
    if (piece.length >= 4096) yield piece.splice(0).join('');
  }
  piece.push(CHROME_TRACE_END);
  yield piece.join('');
}

/** A write that failed (not a reader gone away) as one line naming where and why. */
function writeFailure(where: string, error: NodeJS.ErrnoException): UserError {
  const why = error.code === 'ENOSPC' ? 'ENOSPC (no space left on the device)' : (error.code ?? error.message);
  return new UserError(`cannot write ${where}: ${why}; choose another place with -o`, 1);
}

/** Write every piece, waiting when the stream asks to; stop quietly if its reader went away (`| head`). */
async function writeAll(stream: Writable, pieces: Iterable<string>, where: string): Promise<void> {
  let gone = false;
  let failure: NodeJS.ErrnoException | null = null;
  const onError = (error: NodeJS.ErrnoException) => {
    if (error.code === 'EPIPE') gone = true;
    else failure ??= error;
  };
  stream.on('error', onError);
  try {
    for (const piece of pieces) {
      if (failure) throw writeFailure(where, failure);
      if (gone) return;
      // once() rejects on the stream's error, which onError has seen
      if (!stream.write(piece)) await Promise.race([once(stream, 'drain'), once(stream, 'close')]).catch(() => undefined);
    }
    if (failure) throw writeFailure(where, failure);
  } finally {
    stream.off('error', onError);
  }
}

export async function exportCommand(input: string, options: ExportOptions): Promise<number> {
  const format = options.format ?? 'chrome';
  if (!(EXPORT_FORMATS as readonly string[]).includes(format)) {
    throw new UserError(`unknown export format "${format}": use --format ${EXPORT_FORMATS.join(' or ')}`);
  }
  const { header, records, skipped } = await readTraceFile(input, { lenient: options.lenient });
  reportSkipped(skipped);
  const counted = { events: 0 };
  if (options.output === '-') {
    await writeAll(process.stdout, jsonPieces(header, records, counted), 'to standard output');
    return 0;
  }
  const output = options.output ?? defaultExportPath(input);
  let fd: number;
  try {
    fd = openSync(output, 'w', 0o644);
  } catch (error) {
    throw new UserError(`cannot write ${output}: ${(error as NodeJS.ErrnoException).code ?? (error as Error).message}; choose another path with -o`, 1);
  }
  const file = createWriteStream('', { fd });
  await writeAll(file, jsonPieces(header, records, counted), output);
  await new Promise<void>((resolve, reject) => file.end((error?: NodeJS.ErrnoException | null) => (error ? reject(writeFailure(output, error)) : resolve())));
  print(process.stderr, `cttrace: ${counted.events} events written to ${output} (open it in ui.perfetto.dev or chrome://tracing)\n`);
  return 0;
}
