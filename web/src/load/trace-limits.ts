// What the viewer refuses, and the messages that say why.
import { TRACE_FORMAT_VERSION, type TraceHeader } from '../../../tracer/trace/records.js';
import { completeHeader, headerProblem, isCttraceHeader, missingHeaderFields, newerVersion } from '../../../tracer/trace/schema/trace-schema.js';
import { formatCount } from '../model/format.js';

export const LIMITS = {
  /** a .cttrace file larger than this (compressed) is refused before reading */
  maxFileBytes: 1024 * 1024 * 1024,
  /** decompressed text held in memory (where it cannot spill to disk: see text-store.ts) */
  maxTextBytes: 1536 * 1024 * 1024,
  /** decompressed text in all (a 10M-event trace is about 1.5 GiB) */
  maxInflatedBytes: 8 * 1024 * 1024 * 1024,
  /** at about 60 bytes a syscall in the tab (columns and lane index), 12M stay under 1 GiB */
  maxRecords: 12_000_000,
};

export class TraceOpenError extends Error {
  override readonly name = 'TraceOpenError';
}

const mib = (bytes: number) => `${(bytes / 1024 / 1024).toFixed(0)} MiB`;

export function tooBigFile(name: string, bytes: number): TraceOpenError {
  return new TraceOpenError(`${name} is too big to open here: ${mib(bytes)} compressed; this viewer opens traces up to ${mib(LIMITS.maxFileBytes)}. Record a narrower trace (cttrace trace -e trace=...).`);
}

export function tooBigText(name: string, limit = LIMITS.maxTextBytes): TraceOpenError {
  return new TraceOpenError(`${name} is too big to open here: more than ${mib(limit)} once decompressed. Record a narrower trace (cttrace trace -e trace=...).`);
}

export function tooManyRecords(name: string): TraceOpenError {
  return new TraceOpenError(
    `${name} is too big to open here: more than ${formatCount(LIMITS.maxRecords)} records; this viewer holds up to that many. Record a narrower trace (cttrace trace -e trace=...).`,
  );
}

export function corruptGzip(name: string, detail: string): TraceOpenError {
  return new TraceOpenError(`${name} is truncated or corrupt: the gzip data could not be read to its end (${detail || 'decompression failed'}). Was the trace still being written?`);
}

export function notGzip(name: string): TraceOpenError {
  return new TraceOpenError(`${name} is not a cttrace trace: it is not gzip data (a .cttrace file is gzip'd JSON lines).`);
}

/** The header (absent optional fields filled in) and the names of those absent, or a TraceOpenError saying why it is none. */
export function checkTraceHeader(name: string, line: string | undefined): { header: TraceHeader; missing: string[] } {
  if (line === undefined || line.trim() === '') throw new TraceOpenError(`${name} is empty: it holds no cttrace header.`);
  let value: unknown;
  try {
    value = JSON.parse(line);
  } catch {
    throw new TraceOpenError(`${name} is not a cttrace trace: its first line is not JSON.`);
  }
  if (!isCttraceHeader(value)) throw new TraceOpenError(`${name} is not a cttrace trace: its first line is not a cttrace header.`);
  const newer = newerVersion(value);
  if (newer !== null) {
    throw new TraceOpenError(`${name} is a cttrace format version ${newer} trace, newer than this viewer reads (version ${TRACE_FORMAT_VERSION}): open it with a newer cttrace.`);
  }
  const problem = headerProblem(value);
  if (problem !== null) throw new TraceOpenError(`${name} line 1 (the header): ${problem}.`);
  return { header: completeHeader(value as TraceHeader), missing: missingHeaderFields(value as object) };
}
