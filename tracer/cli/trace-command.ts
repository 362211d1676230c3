// `cttrace trace -- CMD...`: run a command under the engine, print and save what it does.
import { closeSync, openSync, writeSync } from 'node:fs';
import { machine, release } from 'node:os';
import { basename } from 'node:path';
import { buildEngineTables } from '../decode/capture-table.js';
import { Decoder } from '../decode/decoder.js';
import { startSession, type Session } from '../engine/session.js';
import { parseTraceExpression, TraceExpressionError } from '../filter/trace-expression.js';
import { COLOUR_STYLE, PLAIN_STYLE, TerminalFormatter } from '../format/terminal.js';
import { MAX_SYSCALL } from '../protocol/layout.js';
import { allSyscalls } from '../tables/syscalls.js';
import { TraceFileWriter } from '../trace/file-writer.js';
import { namespacesOf } from '../trace/host-namespaces.js';
import type { TraceHeader, TraceRecord } from '../trace/records.js';
import { TRACE_FORMAT, TRACE_FORMAT_VERSION } from '../trace/records.js';
import { errnoName } from '../tables/xlat.js';
import { cttraceVersion } from '../version.js';
import { print } from './output.js';
import { resolveCommand } from './resolve-command.js';
import { UserError } from './user-error.js';

export interface TraceOptions {
  readonly output?: string;
  readonly expression?: string;
  readonly all?: boolean;
  readonly json?: boolean;
  readonly env?: boolean;
  readonly quiet?: boolean;
  /** save the engine's raw record stream too */
  readonly rawOutput?: string;
}

const SECCOMP_CAVEAT =
  "filtered by a seccomp prefilter: a tracee's own seccomp filter that returns ERRNO or KILL outranks TRACE, so such calls do not appear; use --all to see them";

function defaultOutputPath(command: readonly string[], now = new Date()): string {
  const stamp = now.toISOString().replace(/[-:]/g, '').replace('T', '-').slice(0, 15);
  const name = basename(command[0] ?? 'trace').replace(/[^A-Za-z0-9_.-]/g, '_');
  return `cttrace-${stamp}-${name}.cttrace`;
}

function engineErrorMessage(errno: number, command: string): string {
  if (errno === 1 || errno === 13) {
    return `cannot trace ${command}: ptrace is not permitted (EPERM); run as root, or set kernel.yama.ptrace_scope=0`;
  }
  if (errno === 16) return 'another trace session is already running in this process';
  return `cannot trace ${command}: ${errnoName(errno) ?? `errno ${errno}`}`;
}

export async function traceCommand(command: readonly string[], options: TraceOptions): Promise<number> {
  if (command.length === 0) throw new UserError('no command given: cttrace trace -- CMD [ARGS...]');
  const expression = options.expression?.replace(/^trace=/, '') ?? 'default';
  let selection;
  try {
    selection = parseTraceExpression(expression);
  } catch (error) {
    if (error instanceof TraceExpressionError) throw new UserError(error.message);
    throw error;
  }
  const path = resolveCommand(command[0]!);
  const traced = options.all ? new Set(allSyscalls('x86_64').map((info) => info.nr)) : selection.syscalls;
  const tables = buildEngineTables('x86_64', traced, { env: options.env ?? false });
  if (options.all) tables.bitmap.fill(0xff, 0, MAX_SYSCALL / 8);

  const outputPath = options.output ?? defaultOutputPath(command);
  const decoder = new Decoder();
  const formatter = new TerminalFormatter(process.stderr.isTTY ? COLOUR_STYLE : PLAIN_STYLE);
  let count = 0;
  const header: TraceHeader = {
    format: TRACE_FORMAT,
    version: TRACE_FORMAT_VERSION,
    cttrace: cttraceVersion,
    created: new Date().toISOString(),
    kernel: release(),
    arch: machine(),
    command: [...command],
    image: null,
    runtime: null,
    filter: {
      mode: options.all ? 'all' : 'seccomp',
      expression: options.all ? 'all' : expression,
      caveats: options.all ? [] : [SECCOMP_CAVEAT],
    },
    host: { pid: process.pid, ns: namespacesOf('self') },
  };
  const writer = TraceFileWriter.create(outputPath, header);
  const emit = (record: TraceRecord) => {
    count++;
    writer.write(record);
    if (options.json) print(process.stdout, `${JSON.stringify(record)}\n`);
    const line = formatter.line(record);
    if (line !== null && !options.quiet) print(process.stderr, `${line}\n`);
  };
  const rawFd = options.rawOutput ? openSync(options.rawOutput, 'w') : null;
  let engineError: string | null = null;
  const session: Session = startSession({
    target: { kind: 'command', path, argv: command },
    traceAll: options.all ?? false,
    tables,
    onRawChunk: rawFd === null ? undefined : (chunk) => writeSync(rawFd, chunk),
    onRecord(raw) {
      const record = decoder.decode(raw);
      if (record) {
        if (record.type === 'error') engineError ??= record.message;
        emit(record);
      }
    },
  });
  const stop = () => session.stop();
  process.on('SIGINT', stop);
  process.on('SIGTERM', stop);
  process.on('SIGHUP', stop);
  let status: number;
  try {
    status = await session.done;
  } finally {
    process.off('SIGINT', stop);
    process.off('SIGTERM', stop);
    process.off('SIGHUP', stop);
    await writer.close();
    if (rawFd !== null) closeSync(rawFd);
  }
  if (status < 0) throw new UserError(engineErrorMessage(-status, command[0]!), 1);
  if (!options.quiet) print(process.stderr, `cttrace: ${count} records saved to ${outputPath}\n`);
  if (engineError) print(process.stderr, `cttrace: the engine reported: ${engineError}\n`);
  return status;
}
