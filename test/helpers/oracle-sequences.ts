// The oracle test's model: what strace -ff wrote and what a .cttrace file holds, both turned into
// one sequence of events per task, then into comparable tokens per task named by its place in
// the process tree (tids differ between two runs of the same command).
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { TraceRecord } from '../../tracer/trace/records.js';

/** One thing that happened to a task, in the task's own order. */
export type TaskEvent =
  | {
      readonly kind: 'syscall';
      readonly name: string;
      /** as returned to the task; null when it never returned */
      readonly ret: number | null;
      /** errno name when the call failed (ENOENT, ERESTARTNOHAND, ...) */
      readonly err: string | null;
      /** fork, vfork, clone, clone3: the child's host tid, to build the tree */
      readonly childHost?: number;
    }
  | { readonly kind: 'signal'; readonly signal: string; readonly stop: boolean; readonly code?: string }
  | { readonly kind: 'exit'; readonly code?: number; readonly signal?: string; readonly core?: boolean }
  /** the task was a thread group leader and a non-leader thread's execve replaced it */
  | { readonly kind: 'superseded' }
  /** the task was a non-leader thread whose execve made it the leader (it has the leader's tid now) */
  | { readonly kind: 'exec-moved'; readonly name: string };

export interface Run {
  /** the started command's tid */
  readonly root: number;
  /** pids that are not the run's tasks but may be returned (getppid of the root: the tracer) */
  readonly tracerPid: number;
  readonly tasks: ReadonlyMap<number, readonly TaskEvent[]>;
}

const CREATING = new Set(['clone', 'clone3', 'fork', 'vfork']);
/** Calls whose return value is a pid or tid (in the caller's PID namespace). */
const PID_VALUED = new Set([...CREATING, 'wait4', 'waitpid', 'getpid', 'gettid', 'getppid', 'getpgid', 'getsid', 'setsid', 'set_tid_address']);
/** Calls whose return value is an address: different in every run (ASLR). */
const ADDRESS_VALUED = new Set(['mmap', 'mremap', 'brk', 'shmat']);

// ---------------------------------------------------------------------------------------------
// strace -ff -o PREFIX: one file a tid, PREFIX.TID

const SIGNAL_LINE = /^--- (SIG\w+) (?:\{si_signo=\w+, si_code=(-?\w+))?/;
const STOPPED_LINE = /^--- stopped by (SIG\w+) ---$/;
const EXITED_LINE = /^\+\+\+ exited with (\d+) \+\+\+$/;
const KILLED_LINE = /^\+\+\+ killed by (SIG\w+)( \(core dumped\))? \+\+\+$/;
const SUPERSEDED_LINE = /^\+\+\+ superseded by execve in pid \d+ \+\+\+$/;
const PID_CHANGED_LINE = /^(\w+)\(.* <pid changed to \d+ \.\.\.>$/;
const UNFINISHED_LINE = /^(\w+)\(.* <unfinished \.\.\.>$/;
const RESUMED_LINE = /^<\.\.\. (\w+) resumed>.*\) += (.*)$/;
// Greedy: the last ") = " on the line ends the arguments (strings in them may hold ") = ").
const CALL_LINE = /^(\w+)\(.*\) += (.*)$/;
const DETACHED_LINE = /^\+\+\+ (?:detached|exited)/;

interface ParsedReturn {
  ret: number | null;
  err: string | null;
  /** strace --pidns-translation's "/* 12345 in strace's PID NS *\/" */
  host?: number;
}

/** "0", "-1 ENOENT (No such file...)", "? ERESTARTNOHAND (To be restarted...)", "?", "0x7f12...", "2 /* 123 in strace's PID NS *\/" */
export function parseStraceReturn(text: string): ParsedReturn {
  const value = text.trim();
  let match = /^-1 (E\w+)/.exec(value);
  if (match) return { ret: -1, err: match[1]! };
  match = /^\? (E\w+)/.exec(value);
  if (match) return { ret: -1, err: match[1]! };
  if (value === '?' || value.startsWith('? ')) return { ret: null, err: null };
  match = /^(0x[0-9a-f]+|-?\d+)(?: \/\* (\d+) in strace's PID NS \*\/)?/.exec(value);
  if (!match) throw new Error(`strace return value not understood: "${text}"`);
  const ret = Number(match[1]!.startsWith('0x') ? BigInt(match[1]!) : match[1]!);
  return match[2] ? { ret, err: null, host: Number(match[2]) } : { ret, err: null };
}

function straceCall(name: string, returned: ParsedReturn): TaskEvent {
  const childHost = CREATING.has(name) && returned.ret !== null && returned.ret > 0 ? (returned.host ?? returned.ret) : undefined;
  return { kind: 'syscall', name, ret: returned.ret, err: returned.err, ...(childHost !== undefined ? { childHost } : {}) };
}

/** The events of one strace -ff file. */
export function parseStraceLines(text: string, where = 'strace output'): TaskEvent[] {
  const events: TaskEvent[] = [];
  let pending: string | null = null; // a call printed <unfinished ...>, waiting for its "resumed" line
  const flushPending = () => {
    if (pending !== null) events.push({ kind: 'syscall', name: pending, ret: null, err: null });
    pending = null;
  };
  for (const line of text.split('\n')) {
    if (line === '') continue;
    let match: RegExpExecArray | null;
    if ((match = STOPPED_LINE.exec(line))) {
      events.push({ kind: 'signal', signal: match[1]!, stop: true });
    } else if ((match = SIGNAL_LINE.exec(line))) {
      events.push({ kind: 'signal', signal: match[1]!, stop: false, ...(match[2] !== undefined ? { code: match[2] } : {}) });
    } else if ((match = EXITED_LINE.exec(line))) {
      flushPending();
      events.push({ kind: 'exit', code: Number(match[1]) });
    } else if ((match = KILLED_LINE.exec(line))) {
      flushPending();
      events.push({ kind: 'exit', signal: match[1]!, core: match[2] !== undefined });
    } else if (SUPERSEDED_LINE.test(line)) {
      flushPending();
      events.push({ kind: 'superseded' });
    } else if ((match = PID_CHANGED_LINE.exec(line))) {
      events.push({ kind: 'exec-moved', name: match[1]! });
    } else if ((match = RESUMED_LINE.exec(line))) {
      // After "superseded", the leader's file continues with the execing thread's call.
      pending = null;
      events.push(straceCall(match[1]!, parseStraceReturn(match[2]!)));
    } else if ((match = UNFINISHED_LINE.exec(line))) {
      flushPending();
      pending = match[1]!;
    } else if ((match = CALL_LINE.exec(line))) {
      flushPending();
      events.push(straceCall(match[1]!, parseStraceReturn(match[2]!)));
    } else if (DETACHED_LINE.test(line)) {
      flushPending();
    } else {
      throw new Error(`${where}: line not understood: ${line}`);
    }
  }
  flushPending();
  return events;
}

/** Every PREFIX.TID file in `dir`. */
export function readStraceRun(dir: string, prefix: string, tracerPid: number): Run {
  const tasks = new Map<number, TaskEvent[]>();
  for (const file of readdirSync(dir)) {
    if (!file.startsWith(`${prefix}.`)) continue;
    const tid = Number(file.slice(prefix.length + 1));
    if (!Number.isInteger(tid)) continue;
    tasks.set(tid, parseStraceLines(readFileSync(join(dir, file), 'utf8'), file));
  }
  return { root: findRoot(tasks, 'strace'), tracerPid, tasks };
}

/** The one task no other task created. */
function findRoot(tasks: ReadonlyMap<number, readonly TaskEvent[]>, what: string): number {
  const created = new Set<number>();
  for (const events of tasks.values()) for (const event of events) if (event.kind === 'syscall' && event.childHost) created.add(event.childHost);
  const roots = [...tasks.keys()].filter((tid) => !created.has(tid));
  if (roots.length !== 1) throw new Error(`${what}: expected one root task, found ${roots.length}: ${roots.join(', ')}`);
  return roots[0]!;
}

// ---------------------------------------------------------------------------------------------
// a .cttrace file's records

export function cttraceRun(records: readonly TraceRecord[]): Run {
  const tasks = new Map<number, TaskEvent[]>();
  const of = (tid: number) => {
    let events = tasks.get(tid);
    if (!events) tasks.set(tid, (events = []));
    return events;
  };
  let root: number | null = null;
  let tracerPid = 0;
  for (const record of records) {
    switch (record.type) {
      case 'process':
        if (root === null) {
          root = record.pid;
          tracerPid = record.ppid;
        }
        of(record.pid);
        break;
      case 'syscall': {
        const childHost =
          CREATING.has(record.name) && record.ret !== null && record.ret > 0
            ? (record.retPid?.host ?? record.childNspid?.[0] ?? record.ret)
            : undefined;
        of(record.pid).push({
          kind: 'syscall',
          name: record.name,
          ret: record.ret,
          err: record.ret !== null && record.ret < 0 ? record.err ?? `errno ${-record.ret}` : null,
          ...(childHost !== undefined && childHost !== null ? { childHost } : {}),
        });
        break;
      }
      case 'signal':
        of(record.pid).push({ kind: 'signal', signal: record.signal, stop: record.stop, code: record.codeName ?? String(record.code) });
        break;
      case 'exit':
        of(record.pid).push(
          record.signal !== undefined ? { kind: 'exit', signal: record.signal, core: record.core === true } : { kind: 'exit', code: record.code ?? 0 },
        );
        break;
      case 'exec':
        if (record.formerPid !== record.pid) {
          // A non-leader thread exec'd: strace ends the thread's file with "execve(...) <pid
          // changed to LEADER ...>" and the leader's with "+++ superseded by execve +++".
          of(record.formerPid).push({ kind: 'exec-moved', name: 'execve' });
          of(record.pid).push({ kind: 'superseded' });
        }
        break;
      default:
        break;
    }
  }
  if (root === null) throw new Error('cttrace: the trace holds no process record');
  return { root, tracerPid, tasks };
}

// ---------------------------------------------------------------------------------------------
// tokens, per task named by tree position

export interface TokenOptions {
  /** signals whose delivery time races with the task's own calls: left out */
  readonly ignoreSignals?: ReadonlySet<string>;
  /** syscalls left out of both sides (say why where they are chosen) */
  readonly ignoreSyscalls?: ReadonlySet<string>;
}

/**
 * Names every task by its place in the tree: the root is "1", the k-th task created by task N
 * (fork, vfork, clone, clone3 in N's order, threads included) is "N.k". Returns the tokens of
 * each named task.
 */
export function tokenize(run: Run, options: TokenOptions = {}): Map<string, string[]> {
  const names = new Map<number, string>();
  const queue: number[] = [run.root];
  names.set(run.root, '1');
  while (queue.length > 0) {
    const tid = queue.shift()!;
    let children = 0;
    for (const event of run.tasks.get(tid) ?? []) {
      if (event.kind !== 'syscall' || event.childHost === undefined) continue;
      children++;
      if (!names.has(event.childHost)) {
        names.set(event.childHost, `${names.get(tid)!}.${children}`);
        queue.push(event.childHost);
      }
    }
  }
  for (const tid of run.tasks.keys()) if (!names.has(tid)) names.set(tid, `orphan(tid ${tid})`);

  // Pid values are in the caller's PID namespace. A value that is one of the run's host tids
  // becomes that task's name; the tracer itself (getppid of the root) becomes TRACER; any other
  // value stays a number: inside a PID namespace that the command creates, pids are small and
  // the same in both runs (1, 2, 3...).
  const pidToken = (value: number): string => {
    const name = names.get(value);
    if (name !== undefined) return `<${name}>`;
    if (value === run.tracerPid) return '<TRACER>';
    return String(value);
  };
  const result = new Map<string, string[]>();
  for (const [tid, events] of run.tasks) {
    const tokens: string[] = [];
    let droppedSignal = false;
    for (const event of events) {
      const afterDroppedSignal = droppedSignal;
      droppedSignal = false;
      switch (event.kind) {
        case 'syscall': {
          if (options.ignoreSyscalls?.has(event.name)) break;
          // The handler of a signal left out made no traced call: its rt_sigreturn goes too.
          if (afterDroppedSignal && event.name === 'rt_sigreturn') break;
          let value: string;
          if (event.ret === null) value = '?';
          else if (event.err !== null) value = `-${event.err}`;
          else if (PID_VALUED.has(event.name) && event.ret > 0) value = pidToken(event.ret);
          // rt_sigreturn returns what the interrupted call returned: a pid after wait4
          else if (event.name === 'rt_sigreturn' && names.has(event.ret)) value = pidToken(event.ret);
          else if (ADDRESS_VALUED.has(event.name)) value = 'ADDR';
          else value = String(event.ret);
          tokens.push(`${event.name} = ${value}`);
          break;
        }
        case 'signal':
          if (options.ignoreSignals?.has(event.signal)) {
            droppedSignal = true;
            break;
          }
          tokens.push(event.stop ? `--- stopped by ${event.signal} ---` : `--- ${event.signal} ${event.code ?? '?'} ---`);
          break;
        case 'exit':
          tokens.push(
            event.signal !== undefined
              ? `+++ killed by ${event.signal}${event.core ? ' (core dumped)' : ''} +++`
              : `+++ exited with ${event.code} +++`,
          );
          break;
        case 'superseded':
          tokens.push('+++ superseded by execve +++');
          break;
        case 'exec-moved':
          tokens.push(`${event.name} <pid changed to the leader's>`);
          break;
      }
    }
    result.set(names.get(tid)!, tokens);
  }
  return result;
}

// ---------------------------------------------------------------------------------------------
// comparison

const CONTEXT = 3;

function showAround(tokens: readonly string[], at: number): string {
  const from = Math.max(0, at - CONTEXT);
  const lines: string[] = [];
  for (let i = from; i < Math.min(tokens.length, at + CONTEXT + 1); i++) lines.push(`${i === at ? '>' : ' '} ${String(i).padStart(4)}  ${tokens[i]}`);
  if (at >= tokens.length) lines.push(`> ${String(at).padStart(4)}  (end: ${tokens.length} events)`);
  return lines.join('\n');
}

/** Every difference between the two runs' tasks, each told readably; empty when they agree. */
export function compareTokens(expected: ReadonlyMap<string, readonly string[]>, actual: ReadonlyMap<string, readonly string[]>): string[] {
  const problems: string[] = [];
  const byTree = (a: string, b: string) => {
    const x = a.split('.').map(Number);
    const y = b.split('.').map(Number);
    for (let i = 0; i < Math.min(x.length, y.length); i++) if (x[i] !== y[i]) return x[i]! - y[i]!;
    return x.length - y.length;
  };
  const names = [...new Set([...expected.keys(), ...actual.keys()])].sort(byTree);
  for (const name of names) {
    const want = expected.get(name);
    const got = actual.get(name);
    if (!want) {
      problems.push(`task ${name}: only in cttrace's trace (${got!.length} events):\n${showAround(got!, 0)}`);
      continue;
    }
    if (!got) {
      problems.push(`task ${name}: only in strace's output (${want.length} events):\n${showAround(want, 0)}`);
      continue;
    }
    let at = 0;
    while (at < want.length && at < got.length && want[at] === got[at]) at++;
    if (at === want.length && at === got.length) continue;
    problems.push(
      `task ${name}: first difference at event ${at} (strace ${want.length} events, cttrace ${got.length})\n` +
        `  strace:\n${showAround(want, at)}\n  cttrace:\n${showAround(got, at)}`,
    );
  }
  return problems;
}
