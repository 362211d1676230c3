// What trace, attach and run share: choose syscalls, run the engine, decode, print, save.
import { closeSync, openSync, readFileSync, writeSync } from 'node:fs';
import { Decoder } from '../decode/decoder.js';
import { startSession, type SessionTarget } from '../engine/session.js';
import { COLOUR_STYLE, type LineTimes, PLAIN_STYLE, TerminalFormatter } from '../format/terminal.js';
import { lineOptionsOf, type LineFlags } from './line-options.js';
import { errnoName } from '../tables/xlat.js';
import { TraceFileWriter } from '../trace/file-writer.js';
import { makeTraceHeader } from '../trace/header.js';
import type { TraceHeader, TraceRecord } from '../trace/records.js';
import { backendOf } from './backend-option.js';
import { engineTablesFor, selectSyscalls } from './engine-tables.js';
import { print } from './output.js';
import { runUntilStopped } from './session-lifetime.js';
import { redactorFor, type RedactOptions } from './redact-option.js';
import { ptraceDeniedMessage } from './ptrace-denied.js';
import { UserError } from './user-error.js';

export interface OutputOptions extends LineTimes, LineFlags, RedactOptions {
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
  /** ptrace or ebpf (--backend); each command has its default */
  readonly backend?: string;
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
  prefilterVisible:
    'the prefilter is a seccomp filter in the traced processes: they can see it (prctl(PR_GET_SECCOMP) returns 2, /proc/PID/status says Seccomp: 2) and cannot enter strict mode; --all installs none',
  noNewPrivs:
    'cttrace lacks CAP_SYS_ADMIN, so the prefilter was installed after setting no_new_privs: set-user-ID programs in the trace do not gain privileges; --all needs no prefilter',
  ebpfAttach: 'attached to running processes: what they did before the attach is not in the trace',
  ebpf:
    'eBPF backend: user memory not resident when a call was made is recorded as unreadable, never guessed; events lost to a full ring buffer are counted in lost records, by CPU and time, said at the end and in the end record; only the thread a stop signal is delivered to shows the group-stop',
  cgroupFiles: 'default set: open, write, mkdir, dup2 and the like were recorded only for files under /sys/fs/cgroup, and close not at all; name them in -e trace= (e.g. default,openat,close) to see them all',
} as const;

const CAP_SYS_ADMIN = 21;

/** Whether this process holds a capability in its effective set (/proc/self/status CapEff). */
function hasCapability(bit: number): boolean {
  try {
    const effective = /^CapEff:\s*([0-9a-f]+)$/m.exec(readFileSync('/proc/self/status', 'utf8'))?.[1];
    return effective !== undefined && ((BigInt(`0x${effective}`) >> BigInt(bit)) & 1n) === 1n;
  } catch {
    return false;
  }
}

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
  lineOptionsOf(options);
  if (redactorFor(options) && options.rawOutput) {
    throw new UserError("--raw-output saves the engine's bytes as they came, secrets included: it cannot be redacted; leave out --raw-output or --redact");
  }
  backendOf(options, 'trace');
}

export async function runTracedSession(request: TracedSessionRequest): Promise<number> {
  const { options, target } = request;
  const { expression, cgroupOnly } = selectSyscalls(options);
  const tables = engineTablesFor(options);
  const attached = target.kind === 'attach';
  const pinned = options.pin !== false;
  const backend = backendOf(options, attached ? 'attach' : request.runtime ? 'run' : 'trace');
  const ebpf = backend === 'ebpf';
  // Everything below sees records only after this: terminal, --json, the file, the live viewer.
  const redactor = redactorFor(options);
  const recorded = makeTraceHeader({
    backend,
    command: [...request.command],
    image: request.image ?? null,
    runtime: request.runtime ?? null,
    filter: {
      mode: attached ? 'attach' : options.all ? 'all' : ebpf ? 'ebpf' : 'seccomp',
      expression,
      caveats: [
        ...(attached
          ? [ebpf ? CAVEATS.ebpfAttach : CAVEATS.attach]
          : options.all || ebpf
            ? []
            : [CAVEATS.seccomp, CAVEATS.prefilterVisible, ...(hasCapability(CAP_SYS_ADMIN) ? [] : [CAVEATS.noNewPrivs])]),
        ...(ebpf ? [CAVEATS.ebpf] : []),
        ...(cgroupOnly.size ? [CAVEATS.cgroupFiles] : []),
        ...(request.notes ?? []),
      ],
    },
  });
  const header = redactor ? redactor.header(recorded) : recorded;
  const writer = TraceFileWriter.create(request.outputPath, header);
  request.onHeader?.(header);
  const decoder = new Decoder();
  const formatter = new TerminalFormatter(process.stderr.isTTY ? COLOUR_STYLE : PLAIN_STYLE, options, lineOptionsOf(options));
  const rawFd = options.rawOutput ? openRawOutput(options.rawOutput) : null;
  let count = 0;
  let engineError: string | null = null;
  let lostEvents = 0;
  let sawTask = false;
  let startErrorLine: string | null = null;
  // -q with nothing live (no --json, no --web): decode and save once the traced command is done.
  const watchedLive = !options.quiet || options.json === true || request.onRecord !== undefined;
  const session = startSession({
    target,
    backend,
    traceAll: options.all ?? false,
    pinTracer: pinned,
    deferRecords: !watchedLive,
    tables,
    onRawChunk: rawFd === null ? undefined : (chunk) => writeSync(rawFd, chunk),
    onRecord(raw) {
      const decoded = decoder.decode(raw);
      if (!decoded) return;
      const record = redactor ? redactor.record(decoded) : decoded;
      if (record.type === 'lost') lostEvents = record.total;
      else if (record.type === 'error') engineError ??= record.message;
      count++;
      writer.write(record);
      if (options.json) print(process.stdout, `${JSON.stringify(record)}\n`);
      // -q: no line to print, so none to format (it costs as much as JSON.stringify).
      const line = options.quiet ? null : formatter.line(record);
      // An error before any task (the eBPF programs refused) is said once, as the command's error.
      if (line !== null && record.type === 'error' && !sawTask) startErrorLine = line;
      else if (line !== null) print(process.stderr, `${line}\n`);
      sawTask ||= record.type === 'process';
      request.onRecord?.(record);
    },
  });
  const status = await runUntilStopped(session, request.durationSeconds, async () => {
    await writer.close();
    if (rawFd !== null) closeSync(rawFd);
  });
  // eBPF says why it cannot run here (no BTF, no CAP_BPF, lockdown) in its error record.
  if (startErrorLine !== null && status >= 0) print(process.stderr, `${startErrorLine}\n`);
  if (status < 0) throw new UserError(ebpf && engineError ? `cannot trace ${request.subject} with eBPF: ${engineError}` : engineErrorMessage(-status, request.subject, target), 1);
  if (!options.quiet) print(process.stderr, `cttrace: ${count} records saved to ${redactor ? redactor.redactString(request.outputPath) : request.outputPath}\n`);
  if (lostEvents) print(process.stderr, `cttrace: ${lostEvents} events were lost (the eBPF ring buffer was full): the trace misses them\n`);
  if (engineError && !(attached && status >= 0)) print(process.stderr, `cttrace: the engine reported: ${engineError}\n`);
  return status;
}
