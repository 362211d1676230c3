// An strace log as trace records: what the log holds, no more. strace -f writes one file with
// each line's tid (`[pid N]` on a terminal, `N ` with -o), strace -ff one file per tid; with
// -t/-tt/-ttt each line has its time, with -T each call its duration, with -y each fd its path,
// with --pidns-translation each pid inside a PID namespace its host pid too. A call cut in two
// (<unfinished ...> ... <... resumed>) becomes one record at its start. The log says nothing of
// namespaces, uids or the kernel: those fields are left out or say "unknown". Pure.
import { basename } from 'node:path';
import { familyByName } from '../decode/families.js';
import { signatures } from '../decode/signatures.js';
import { syscallByName } from '../tables/syscalls.js';
import { xlat, xlatValue } from '../tables/xlat.js';
import type { ArgValue, PidPair, SyscallRecord, TraceHeader, TraceRecord } from '../trace/records.js';
import { TRACE_FORMAT, TRACE_FORMAT_VERSION } from '../trace/records.js';
import { cttraceVersion } from '../version.js';
import { parseStraceLine, StraceLineError, type StraceEvent } from './strace-lines.js';
import { parseValue, splitArguments } from './strace-values.js';

export class StraceImportError extends Error {}

/** One input: a file's text and, for -ff files (FILE.TID), the tid its lines belong to. */
export interface StraceSource {
  readonly name: string;
  readonly text: string;
  readonly pid: number | null;
}

interface Placed {
  readonly pid: number;
  readonly seconds: number | null;
  readonly event: StraceEvent;
  /** order within all inputs: file, then line */
  readonly order: number;
}

const FORKING = new Set(['clone', 'clone3', 'fork', 'vfork']);
/** calls that return the caller's own pid or tid */
const TID_VALUED = new Set(['getpid', 'gettid', 'set_tid_address']);
/** strace prints clone's arguments by name; cttrace's names are signatures.in's */
const CLONE_ARG_NAMES: Readonly<Record<string, string>> = { child_stack: 'stack', stack: 'stack', flags: 'flags', parent_tidptr: 'parent_tid', child_tidptr: 'child_tid', tls: 'tls' };
const COMM_LENGTH = 15;

function errnoValue(name: string): number | null {
  for (const set of [xlat.errno, xlat.errno_kernel]) {
    if (set.entries.some(([entry]) => entry === name)) return Number(xlatValue(set, name));
  }
  return null;
}

interface Returned {
  readonly ret: number | null;
  readonly err: string | null;
  /** the pid a pid-valued call returned, both views (--pidns-translation) */
  readonly pid: PidPair | null;
}

/** "0", "-1 ENOENT (No such file or directory)", "? ERESTARTSYS (...)", "?", "0x7f12...", "3</dev/null>", "2 /* 123 in strace's PID NS *\/" */
function parseReturn(text: string): Returned {
  let match = /^(?:-1|\?) (E[A-Z0-9_]+)/.exec(text);
  if (match) {
    const errno = errnoValue(match[1]!);
    return { ret: errno === null ? -1 : -errno, err: match[1]!, pid: null };
  }
  if (text === '?' || text.startsWith('? ')) return { ret: null, err: null, pid: null };
  match = /^(0x[0-9a-f]+|-?\d+)(?:<.*>)?(?: \/\* (\d+) in strace's PID NS \*\/)?/.exec(text);
  if (!match) throw new StraceLineError(`return value "${text}" not understood`);
  const ret = Number(match[1]!.startsWith('0x') ? BigInt(match[1]!) : match[1]!);
  return { ret, err: null, pid: match[2] ? { host: Number(match[2]), ns: ret } : null };
}

/** The arguments by signatures.in's names (arg0, arg1... for calls it does not know). */
function decodeArguments(name: string, text: string): { args: Record<string, ArgValue>; fdPaths: string[] } {
  const signature = signatures().get(name);
  const fdPaths: string[] = [];
  const args: Record<string, ArgValue> = {};
  splitArguments(text).forEach((part, index) => {
    const named = /^([a-z_]+)=(.*)$/s.exec(part);
    const key = named && name === 'clone' ? CLONE_ARG_NAMES[named[1]!] : undefined;
    const argName = key ?? signature?.args[index]?.name ?? `arg${index}`;
    args[argName] = parseValue(key ? named![2]! : part, (path) => fdPaths.push(path));
  });
  return { args, fdPaths };
}

function flagsOf(name: string, args: Record<string, ArgValue>): readonly ArgValue[] {
  const flags = name === 'clone3' ? (args.args as Record<string, ArgValue> | null)?.flags : args.flags;
  return Array.isArray(flags) ? flags : [];
}

interface Child {
  readonly parent: number;
  readonly thread: boolean;
  /** the child's pid inside its namespace, when --pidns-translation said it differs */
  readonly nsPid: number | null;
}

/** Every line of every input, with its tid; in time order when the lines have times. */
/** The tid of a file's lines that name none. strace -f on a terminal names a line's tid only once
 *  a second task exists: the lines before are the first task's, the one no traced call made.
 *  strace without -f names none: the tid its getpid(), gettid() or set_tid_address() (which
 *  every program linked with glibc calls) returned. Null: unknown. */
function unnamedPid(parsed: readonly { pid: number | null; event: StraceEvent }[]): number | null {
  const made = new Set<number>();
  for (const { event } of parsed) {
    if ((event.kind === 'call' || event.kind === 'resumed') && FORKING.has(event.name)) {
      const returned = parseReturn(event.ret);
      if (returned.ret !== null && returned.ret > 0) made.add(returned.pid?.host ?? returned.ret);
    }
  }
  const first = parsed.find(({ pid }) => pid !== null && !made.has(pid));
  if (first) return first.pid;
  const says = parsed.find(({ event }) => event.kind === 'call' && TID_VALUED.has(event.name));
  return says?.event.kind === 'call' ? parseReturn(says.event.ret).ret : null;
}

/** Every line of every input, with its tid; in time order when the lines have times. */
function placeLines(sources: readonly StraceSource[]): { lines: Placed[]; timed: boolean; guessedPid: boolean } {
  const lines: Placed[] = [];
  let order = 0;
  let guessedPid = false;
  for (const source of sources) {
    const parsed = source.text.split('\n').flatMap((text, index) => {
      if (text.trim() === '') return [];
      try {
        return [parseStraceLine(text)];
      } catch (error) {
        if (error instanceof StraceLineError) throw new StraceImportError(`${source.name} line ${index + 1}: ${error.message}: ${text.slice(0, 120)}`);
        throw error;
      }
    });
    let fallback = source.pid;
    if (fallback === null && parsed.some(({ pid }) => pid === null)) {
      fallback = unnamedPid(parsed);
      // a log of one process that never said its pid: it is called 1 here (the header says so)
      if (fallback === null) {
        fallback = 1;
        guessedPid = true;
      }
    }
    for (const line of parsed) lines.push({ pid: line.pid ?? fallback!, seconds: line.seconds, event: line.event, order: order++ });
  }
  const timed = lines.length > 0 && lines.every((line) => line.seconds !== null);
  if (timed) lines.sort((a, b) => a.seconds! - b.seconds! || a.order - b.order);
  return { lines, timed, guessedPid };
}

/** Each child's parent, whether it is a thread, and its pid inside: from the calls that made it;
 *  for a task no traced call made (the first), its parent from what its getppid() returned. */
function childrenOf(lines: readonly Placed[]): Map<number, Child> {
  const children = new Map<number, Child>();
  const parentSaid = new Map<number, number>();
  const pending = new Map<number, { name: string; args: string }>();
  for (const { pid, event } of lines) {
    let name: string;
    let args: string;
    let ret: string;
    if (event.kind === 'unfinished') {
      pending.set(pid, { name: event.name, args: event.args });
      continue;
    } else if (event.kind === 'resumed') {
      const started = pending.get(pid);
      pending.delete(pid);
      ({ name } = event);
      args = `${started?.args ?? ''}${event.args}`;
      ret = event.ret;
    } else if (event.kind === 'call') ({ name, args, ret } = event);
    else continue;
    if (name === 'getppid' && !parentSaid.has(pid)) {
      const said = parseReturn(ret);
      if (said.ret !== null && said.ret > 0) parentSaid.set(pid, said.pid?.host ?? said.ret);
    }
    if (!FORKING.has(name)) continue;
    const returned = parseReturn(ret);
    if (returned.ret === null || returned.ret <= 0) continue;
    const child = returned.pid?.host ?? returned.ret;
    const thread = flagsOf(name, decodeArguments(name, args).args).includes('CLONE_THREAD');
    children.set(child, { parent: pid, thread, nsPid: returned.pid ? returned.pid.ns : null });
  }
  for (const [pid, parent] of parentSaid) if (!children.has(pid)) children.set(pid, { parent, thread: false, nsPid: null });
  return children;
}

export interface ImportedTrace {
  readonly header: TraceHeader;
  readonly records: TraceRecord[];
}

export function importStrace(sources: readonly StraceSource[], arch = 'x86_64'): ImportedTrace {
  const { lines, timed, guessedPid } = placeLines(sources);
  if (lines.length === 0) throw new StraceImportError(`${sources.map((source) => source.name).join(', ')}: no strace lines in it`);
  const children = childrenOf(lines);
  const first = lines[0]!;
  const tOf = (line: Placed) => (timed ? Math.round((line.seconds! - first.seconds!) * 1e9) : line.order * 1000);
  const records: TraceRecord[] = [];
  const known = new Map<number, { tgid: number; ppid: number; nspid: number[]; comm: string }>();
  const pending = new Map<number, { name: string; args: string; t: number }>();
  const execFrom = new Map<number, number>(); // leader → the thread whose execve replaced it
  let command: string[] | null = null;
  let end = 0;

  const describe = (pid: number, t: number, comm: string) => {
    const child = children.get(pid);
    const parent = child ? known.get(child.parent) : undefined;
    const tgid = child?.thread && parent ? parent.tgid : pid;
    const nspid = child?.nsPid !== null && child?.nsPid !== undefined ? [pid, child.nsPid] : [pid];
    const task = { tgid, ppid: child?.parent ?? 0, nspid, comm: parent?.comm ?? comm };
    known.set(pid, task);
    records.push({ type: 'process', t, pid, tgid, ppid: task.ppid, nspid, comm: task.comm, ns: {}, reason: 'new' });
  };

  const call = (pid: number, t: number, name: string, argsText: string, retText: string | null, spent: number | null, endT: number) => {
    const { args, fdPaths } = decodeArguments(name, argsText);
    if (name === 'write' && fdPaths[0] !== undefined) args.path = fdPaths[0];
    const returned = retText === null ? { ret: null, err: null, pid: null } : parseReturn(retText);
    const signature = signatures().get(name);
    const record: SyscallRecord = {
      type: 'syscall',
      t,
      pid,
      name,
      nr: syscallByName(arch as 'x86_64', name)?.nr ?? -1,
      args,
      ret: returned.ret,
      err: returned.err,
      dur: spent !== null ? Math.round(spent * 1e9) : Math.max(0, endT - t),
      ...(returned.pid && signature?.returns === 'pid' ? { retPid: returned.pid } : {}),
      ...(FORKING.has(name) && returned.ret !== null && returned.ret > 0
        ? { childNspid: returned.pid ? [returned.pid.host!, returned.pid.ns] : [returned.ret] }
        : {}),
      raw: [],
      ...(retText === null ? { unfinished: true as const } : {}),
      family: familyByName(name),
    };
    records.push(record);
    if ((name === 'execve' || name === 'execveat') && returned.ret === 0) {
      const filename = typeof args.filename === 'string' ? args.filename : typeof args.pathname === 'string' ? args.pathname : '';
      const argv = Array.isArray(args.argv) ? args.argv.filter((word): word is string => typeof word === 'string') : [];
      const comm = basename(filename || argv[0] || '?').slice(0, COMM_LENGTH);
      command ??= argv.length ? argv : [filename];
      const task = known.get(pid)!;
      task.comm = comm;
      records.push({ type: 'exec', t: t + record.dur, pid, formerPid: execFrom.get(pid) ?? pid, comm });
      execFrom.delete(pid);
      records.push({ type: 'process', t: t + record.dur, pid, tgid: task.tgid, ppid: task.ppid, nspid: task.nspid, comm, ns: {}, reason: 'exec' });
    }
  };

  for (const line of lines) {
    const t = tOf(line);
    end = Math.max(end, t);
    const { pid, event } = line;
    if (!known.has(pid) && event.kind !== 'note') {
      // the first task's name: the program its first execve runs, when it starts with one
      const comm = event.kind === 'call' && event.name === 'execve' ? basename(String(parseValue(splitArguments(event.args)[0] ?? '?'))).slice(0, COMM_LENGTH) : '?';
      describe(pid, t, comm);
    }
    switch (event.kind) {
      case 'call':
        call(pid, t, event.name, event.args, event.ret, event.spent, t);
        break;
      case 'unfinished':
        pending.set(pid, { name: event.name, args: event.args, t });
        if (event.pidChangedTo !== null) execFrom.set(event.pidChangedTo, pid);
        break;
      case 'resumed': {
        const started = pending.get(pid);
        pending.delete(pid);
        call(pid, started?.t ?? t, event.name, `${started?.args ?? ''}${event.args}`, event.ret, event.spent, t);
        break;
      }
      case 'signal':
      case 'stopped': {
        const info = event.kind === 'signal' ? event.info : '';
        const field = (key: string) => new RegExp(`\\b${key}=([^,}]+)`).exec(info)?.[1];
        const codeText = field('si_code');
        const code = codeText === undefined ? 0 : /^-?\d+$/.test(codeText) ? Number(codeText) : codeValue(codeText);
        const sender = field('si_pid');
        records.push({
          type: 'signal',
          t,
          pid,
          signal: event.signal,
          signo: signalNumber(event.signal),
          code,
          codeName: codeText !== undefined && !/^-?\d+$/.test(codeText) ? codeText : null,
          sender: sender !== undefined ? { pid: Number(sender), uid: Number(field('si_uid') ?? 0) } : null,
          stop: event.kind === 'stopped',
        });
        break;
      }
      case 'exited':
      case 'killed': {
        const cut = pending.get(pid);
        if (cut) call(pid, cut.t, cut.name, cut.args, null, null, t);
        pending.delete(pid);
        records.push(event.kind === 'exited' ? { type: 'exit', t, pid, code: event.code } : { type: 'exit', t, pid, signal: event.signal, ...(event.core ? { core: true } : {}) });
        break;
      }
      case 'superseded':
      case 'note':
        break;
    }
  }
  for (const [pid, cut] of pending) call(pid, cut.t, cut.name, cut.args, null, null, end);
  const root = records.find((record) => record.type === 'process')?.pid;
  const rootExit = records.find((record): record is Extract<TraceRecord, { type: 'exit' }> => record.type === 'exit' && record.pid === root);
  records.push({ type: 'end', t: end, reason: 'done', status: rootExit ? (rootExit.code ?? 128 + signalNumber(rootExit.signal)) : 0 });
  const header: TraceHeader = {
    format: TRACE_FORMAT,
    version: TRACE_FORMAT_VERSION,
    cttrace: cttraceVersion,
    created: new Date().toISOString(),
    kernel: 'unknown (imported from an strace log)',
    arch,
    command: command ?? ['?'],
    image: null,
    runtime: null,
    filter: {
      mode: 'import',
      expression: `strace log: ${sources.map((source) => basename(source.name)).join(', ')}`,
      caveats: [
        'imported from an strace log: only what strace printed (no namespace inodes, uids or raw registers; strings as long as strace cut them)',
        ...(timed ? [] : ['the log has no times (strace -tt or -ttt): the records are in the log\'s order, 1 µs apart']),
        ...(guessedPid ? ['the log names no process id (strace without -f): its process is called 1 here'] : []),
      ],
    },
    host: { pid: 0, ns: {} },
  };
  return { header, records };
}

function codeValue(name: string): number {
  for (const set of Object.values(xlat)) {
    if (set.name.endsWith('_codes') && set.entries.some(([entry]) => entry === name)) return Number(xlatValue(set, name));
  }
  return 0;
}

/** SIGTERM → 15, SIGRT_2 → 34 (strace's names for real-time signals, from the kernel's SIGRTMIN 32) */
function signalNumber(name: string | undefined): number {
  if (!name) return 0;
  const realTime = /^SIGRT_(\d+)$/.exec(name);
  if (realTime) return 32 + Number(realTime[1]);
  return xlat.signals.entries.some(([entry]) => entry === name) ? Number(xlatValue(xlat.signals, name)) : 0;
}
