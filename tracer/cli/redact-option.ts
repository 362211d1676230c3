// --redact and --redact-pattern, for every command that prints or writes records: the one
// redactor each command runs its header and records through before any output.
import { localIdentity } from '../redact/local-identity.js';
import { Redactor } from '../redact/redactor.js';
import { readTraceFile } from '../trace/file-reader.js';
import type { TraceHeader, TraceRecord } from '../trace/records.js';
import { UserError } from './user-error.js';

export interface RedactOptions {
  readonly redact?: boolean;
  /** --redact-pattern, repeatable; giving one implies --redact */
  readonly redactPattern?: readonly string[];
}

function compile(source: string): RegExp {
  try {
    return new RegExp(source);
  } catch (error) {
    throw new UserError(`--redact-pattern ${JSON.stringify(source)} is not a regular expression (${(error as Error).message.replace(/^Invalid regular expression: /, '')}): write it as JavaScript's RegExp reads it`);
  }
}

/** The redactor the options ask for (a fresh random key: placeholders are this trace's own), or null. */
export function redactorFor(options: RedactOptions): Redactor | null {
  const patterns = (options.redactPattern ?? []).map(compile);
  if (!options.redact && patterns.length === 0) return null;
  return new Redactor({ identity: localIdentity(), patterns });
}

/** A saved trace (records that break the schema skipped with --lenient), redacted when the
 *  options ask for it (the header first: its command line teaches the redactor). Traces read to
 *  be compared share one redactor: the same secret then has the same placeholder in each. */
export async function readTraceForOutput(
  path: string,
  options: RedactOptions & { readonly lenient?: boolean },
  redactor = redactorFor(options),
): Promise<{ header: TraceHeader; records: TraceRecord[]; skipped: string | null }> {
  const trace = await readTraceFile(path, { lenient: options.lenient });
  if (!redactor) return trace;
  const header = redactor.header(trace.header);
  return { header, records: trace.records.map((record) => redactor.record(record)), skipped: trace.skipped };
}
