// `cttrace export FILE [-o OUT]`: a saved trace as Chrome Trace Event JSON, for Perfetto's UI
// (ui.perfetto.dev: Open trace file) or chrome://tracing; with --html, as one self-contained
// page (the viewer and the trace) that opens from file:// with no server.
import { once } from 'node:events';
import { createWriteStream, openSync, readFileSync } from 'node:fs';
import { basename } from 'node:path';
import type { Writable } from 'node:stream';
import { CHROME_TRACE_END, chromeTraceEvents, chromeTracePreamble } from '../export/chrome-trace.js';
import { HtmlPageError, htmlPageWithTrace } from '../export/html-page.js';
import { readTraceHeader } from '../live/read-trace-header.js';
import { standaloneViewerPage } from '../live/viewer-dir.js';
import { encodeTraceFile } from '../trace/file-writer.js';
import type { TraceHeader, TraceRecord } from '../trace/records.js';
import { type ContainerOption, restrictToContainer } from './container-option.js';
import { print, reportSkipped } from './output.js';
import { readTraceForOutput, redactorFor, type RedactOptions } from './redact-option.js';
import { UserError } from './user-error.js';

export const EXPORT_FORMATS = ['chrome', 'html'] as const;
type ExportFormat = (typeof EXPORT_FORMATS)[number];
const EXTENSIONS: Readonly<Record<ExportFormat, string>> = { chrome: '.json', html: '.html' };

export interface ExportOptions extends RedactOptions, ContainerOption {
  readonly output?: string;
  readonly format?: string;
  readonly lenient?: boolean;
  /** the same as --format html */
  readonly html?: boolean;
}

/** trace.cttrace → trace.json (trace.html); anything else gets the extension added. */
export function defaultExportPath(input: string, format: ExportFormat = 'chrome'): string {
  const stem = input.endsWith('.cttrace') ? input.slice(0, -'.cttrace'.length) : input;
  return `${stem}${EXTENSIONS[format]}`;
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

function exportFormat(options: ExportOptions): ExportFormat {
  if (options.html && options.format !== undefined && options.format !== 'html') {
    throw new UserError(`--html and --format ${options.format} ask for two formats: give one`);
  }
  const format = options.html ? 'html' : (options.format ?? 'chrome');
  if (!(EXPORT_FORMATS as readonly string[]).includes(format)) {
    throw new UserError(`unknown export format "${format}": use --format ${EXPORT_FORMATS.join(' or ')} (or --html)`);
  }
  return format as ExportFormat;
}

/** Write the pieces to -o's file, or stdout for `-o -`; the path written, or null for stdout. */
export async function writeOutput(output: string, pieces: Iterable<string>): Promise<string | null> {
  if (output === '-') {
    await writeAll(process.stdout, pieces, 'to standard output');
    return null;
  }
  let fd: number;
  try {
    fd = openSync(output, 'w', 0o644);
  } catch (error) {
    throw new UserError(`cannot write ${output}: ${(error as NodeJS.ErrnoException).code ?? (error as Error).message}; choose another path with -o`, 1);
  }
  const file = createWriteStream('', { fd });
  await writeAll(file, pieces, output);
  await new Promise<void>((resolve, reject) => file.end((error?: NodeJS.ErrnoException | null) => (error ? reject(writeFailure(output, error)) : resolve())));
  return output;
}

/** The standalone viewer page (the one `export --html` and `diff --html` put traces in). */
export function readStandalonePage(): string {
  try {
    return readFileSync(standaloneViewerPage, 'utf8');
  } catch {
    throw new UserError(`the self-contained viewer is not built (no ${standaloneViewerPage}): run \`npm run build:web\``, 1);
  }
}

const kib = (bytes: number) => `${Math.ceil(bytes / 1024)} KiB`;

async function exportHtml(input: string, output: string, options: RedactOptions & ContainerOption & { readonly lenient?: boolean }): Promise<void> {
  const template = readStandalonePage();
  await readTraceHeader(input); // refuses what is not a trace before writing anything
  let trace: Buffer;
  if (redactorFor(options) || options.lenient || options.container !== undefined) {
    const { header, records, skipped } = restrictToContainer(await readTraceForOutput(input, options), options, input);
    reportSkipped(skipped);
    trace = encodeTraceFile(header, records);
  } else {
    await readTraceForOutput(input, options); // refuses a trace that breaks the schema before writing anything
    trace = readFileSync(input); // as stored: nothing to change
  }
  let page: string;
  try {
    page = htmlPageWithTrace(template, trace, basename(input));
  } catch (error) {
    if (error instanceof HtmlPageError) throw new UserError(error.message, 1);
    throw error;
  }
  const written = await writeOutput(output, [page]);
  if (written) {
    const size = Buffer.byteLength(page);
    print(process.stderr, `cttrace: ${written} written, ${kib(size)} (the trace: ${kib(trace.length)}, ${kib(Math.ceil(trace.length / 3) * 4)} as base64; the viewer: ${kib(Buffer.byteLength(template))}): open it in a browser, no server needed\n`);
  }
}

export async function exportCommand(input: string, options: ExportOptions): Promise<number> {
  const format = exportFormat(options);
  const output = options.output ?? defaultExportPath(input, format);
  if (format === 'html') {
    await exportHtml(input, output, options);
    return 0;
  }
  const { header, records, skipped } = restrictToContainer(await readTraceForOutput(input, options), options, input);
  reportSkipped(skipped);
  const counted = { events: 0 };
  const written = await writeOutput(output, jsonPieces(header, records, counted));
  if (written) print(process.stderr, `cttrace: ${counted.events} events written to ${written} (open it in ui.perfetto.dev or chrome://tracing)\n`);
  return 0;
}
