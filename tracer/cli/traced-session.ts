// What trace, attach and run share: choose syscalls, run the engine, decode, print, save.
import { closeSync, openSync, writeSync } from 'node:fs';
import { Decoder } from '../decode/decoder.js';
import { startSession, type SessionTarget } from '../engine/session.js';
import { COLOUR_STYLE, type LineTimes, PLAIN_STYLE, TerminalFormatter } from '../format/terminal.js';
import { errnoName } from '../tables/xlat.js';
import { TraceFileWriter } from '../trace/file-writer.js';
import { makeTraceHeader } from '../trace/header.js';
import type { TraceHeader, TraceRecord } from '../trace/records.js';
import { engineTablesFor, selectSyscalls } from './engine-tables.js';
import { print } from './output.js';
import { ptraceDeniedMessage } from './ptrace-denied.js';
import { UserError } from './user-error.js';

export interface OutputOptions extends LineTimes {
  readonly output?: string;
  readonly expression?: string;
  readonly all?: boolean;
  readonly json?: boolean;
  readonly env?: boolean;
  readonly quiet?: boolean;
  /** save the engine's raw record stream too */
  readonly rawOutput?: string;
  /** false: let the engine thread move between CPUs (--no-pin) */
  readonly pin?: boolean;
}

export interface TracedSessionRequest {
  readonly target: SessionTarget;
  /** what the header's `command` says was traced */
  readonly command: readonly string[];
  readonly outputPath: string;
  readonly image?: string | null;
  readonly runtime?: string | null;
  readonly options: OutputOptions;
  /** stop the session after this many seconds (attach --duration) */
  readonly durationSeconds?: number;
  /** caveats about this run to put in the header */
  readonly notes?: readonly string[];
  /** a name for error messages: the command, or "process 1234" */
  readonly subject: string;
  /** every decoded record, after it was printed and saved (the live server listens here) */
  readonly onRecord?: (record: TraceRecord) => void;
  readonly onHeader?: (header: TraceHeader) => void;
}

const CAVEATS = {
  seccomp:
    "filtered by a seccomp prefilter: a tracee's own seccomp filter that returns ERRNO or KILL outranks TRACE, so such calls do not appear; use --all to see them",
  attach: 'attached to running processes: what they did before the attach, and threads born during it before they were seized, are not in the trace',
  cgroupFiles: 'default set: open, write, mkdir, dup2 and the like were recorded only for files under /sys/fs/cgroup, and close not at all; name them in -e trace= (e.g. default,openat,close) to see them all',
} as const;

function engineErrorMessage(errno: number, subject: string, target: SessionTarget): string {
  if (errno === 1 || errno === 13) return ptraceDeniedMessage(subject, errnoName(errno) ?? `errno ${errno}`, target.kind === 'attach' ? target.pids : []);
  if (errno === 3) return `cannot trace ${subject}: no such process`;
  if (errno === 16) return 'another trace session is already running in this process';
  return `cannot trace ${subject}: ${errnoName(errno) ?? `errno ${errno}`}`;
}

function openRawOutput(path: string): number {
  try {
    return openSync(path, 'w');
  } catch (error) {
    throw new UserError(`cannot write the raw stream to ${path}: ${(error as NodeJS.ErrnoException).code ?? (error as Error).message}; choose another path with --raw-output`, 1);
  }
}

/** Validate the options before anything starts (a typo in -e must not start a container). */
export function checkOutputOptions(options: OutputOptions): void {
  selectSyscalls(options);
}

export async function runTracedSession(request: TracedSessionRequest): Promise<number> {
  const { options, target } = request;
  const { expression, cgroupOnly } = selectSyscalls(options);
  const tables = engineTablesFor(options);
  const attached = target.kind === 'attach';
  const pinned = options.pin !== false;
  const header = makeTraceHeader({
    command: [...request.command],
    image: request.image ?? null,
    runtime: request.runtime ?? null,
    filter: {
      mode: attached ? 'attach' : options.all ? 'all' : 'seccomp',
      expression,
      caveats: [
        ...(attached ? [CAVEATS.attach] : options.all ? [] : [CAVEATS.seccomp]),
        ...(cgroupOnly.size ? [CAVEATS.cgroupFiles] : []),
        ...(request.notes ?? []),
      ],
    },
  });
  const writer = TraceFileWriter.create(request.outputPath, header);
  request.onHeader?.(header);
  const decoder = new Decoder();
  const formatter = new TerminalFormatter(process.stderr.isTTY ? COLOUR_STYLE : PLAIN_STYLE, options);
  const rawFd = options.rawOutput ? openRawOutput(options.rawOutput) : null;
  let count = 0;
  let engineError: string | null = null;
  // -q with nothing live (no --json, no --web): decode and save once the traced command is done.
  const watchedLive = !options.quiet || options.json === true || request.onRecord !== undefined;
  const session = startSession({
    target,
    traceAll: options.all ?? false,
    pinTracer: pinned,
    deferRecords: !watchedLive,
    tables,
    onRawChunk: rawFd === null ? undefined : (chunk) => writeSync(rawFd, chunk),
    onRecord(raw) {
      const record = decoder.decode(raw);
      if (!record) return;
      if (record.type === 'error') engineError ??= record.message;
      count++;
      writer.write(record);
      if (options.json) print(process.stdout, `${JSON.stringify(record)}\n`);
      // -q: no line to print, so none to format (it costs as much as JSON.stringify).
      const line = options.quiet ? null : formatter.line(record);
      if (line !== null) print(process.stderr, `${line}\n`);
      request.onRecord?.(record);
    },
  });
  const stop = () => session.stop();
  const signals = ['SIGINT', 'SIGTERM', 'SIGHUP'] as const;
  for (const signal of signals) process.on(signal, stop);
  const timer = request.durationSeconds ? setTimeout(stop, request.durationSeconds * 1000) : undefined;
  let status: number;
  try {
    status = await session.done;
  } finally {
    clearTimeout(timer);
    for (const signal of signals) process.off(signal, stop);
    await writer.close();
    if (rawFd !== null) closeSync(rawFd);
  }
  if (status < 0) throw new UserError(engineErrorMessage(-status, request.subject, target), 1);
  if (!options.quiet) print(process.stderr, `cttrace: ${count} records saved to ${request.outputPath}\n`);
  if (engineError && !(attached && status >= 0)) print(process.stderr, `cttrace: the engine reported: ${engineError}\n`);
  return status;
}
