// One line of an strace log, read: who (`[pid N] ` or `N ` with -f), when (-t, -tt, -ttt), and
// what: a call (with its arguments' text, its return and -T's time), its first half
// (<unfinished ...>) or second (<... NAME resumed>), a signal, a stop, an exit. Pure.

export type StraceEvent =
  | { readonly kind: 'call'; readonly name: string; readonly args: string; readonly ret: string; readonly spent: number | null }
  | { readonly kind: 'unfinished'; readonly name: string; readonly args: string; readonly pidChangedTo: number | null }
  | { readonly kind: 'resumed'; readonly name: string; readonly args: string; readonly ret: string; readonly spent: number | null }
  | { readonly kind: 'signal'; readonly signal: string; readonly info: string }
  | { readonly kind: 'stopped'; readonly signal: string }
  | { readonly kind: 'exited'; readonly code: number }
  | { readonly kind: 'killed'; readonly signal: string; readonly core: boolean }
  | { readonly kind: 'superseded'; readonly by: number }
  /** strace's own notes (attached, detached, a resumed call it could not finish): nothing happened to the task */
  | { readonly kind: 'note' };

export interface StraceLine {
  /** the tid, when the line names it (-f with one output) */
  readonly pid: number | null;
  /** seconds (since the epoch for -ttt, since midnight for -t and -tt), when the line has a time */
  readonly seconds: number | null;
  readonly event: StraceEvent;
}

export class StraceLineError extends Error {}

const PID_PREFIX = /^(?:\[pid\s+(\d+)\]|(\d+))\s+/;
const CLOCK = /^(\d\d):(\d\d):(\d\d)(?:\.(\d+))?\s+/;
const EPOCH = /^(\d{9,})\.(\d+)\s+/;
/** -T's time spent, at the end of a line */
const SPENT = /\s+<(\d+\.\d+)>$/;

const fraction = (digits: string | undefined) => (digits ? Number(`0.${digits}`) : 0);

/** The call's return text and -T's time, from what follows the arguments' closing ") = ". */
function returned(text: string): { ret: string; spent: number | null } {
  const spent = SPENT.exec(text);
  return { ret: (spent ? text.slice(0, spent.index) : text).trim(), spent: spent ? Number(spent[1]) : null };
}

/** Where the arguments end: the last ") = " that is not inside a string (strings may hold one). */
function splitCall(rest: string): { args: string; ret: string } | null {
  let inString = false;
  let end = -1;
  for (let i = 0; i < rest.length; i++) {
    const c = rest[i];
    if (inString) {
      if (c === '\\') i++;
      else if (c === '"') inString = false;
    } else if (c === '"') inString = true;
    else if (c === ')' && /^\)\s+= /.test(rest.slice(i))) end = i;
  }
  if (end < 0) return null;
  return { args: rest.slice(0, end), ret: rest.slice(end).replace(/^\)\s+=\s*/, '') };
}

function parseEvent(body: string): StraceEvent {
  let match: RegExpExecArray | null;
  if ((match = /^--- stopped by (SIG\w+) ---$/.exec(body))) return { kind: 'stopped', signal: match[1]! };
  if ((match = /^--- (SIG\w+) (\{.*\}) ---$/.exec(body)) || (match = /^--- (SIG\w+) ---$/.exec(body))) return { kind: 'signal', signal: match[1]!, info: match[2] ?? '' };
  if ((match = /^\+\+\+ exited with (\d+) \+\+\+$/.exec(body))) return { kind: 'exited', code: Number(match[1]) };
  if ((match = /^\+\+\+ killed by (SIG\w+)( \(core dumped\))? \+\+\+$/.exec(body))) return { kind: 'killed', signal: match[1]!, core: match[2] !== undefined };
  if ((match = /^\+\+\+ superseded by execve in pid (\d+) \+\+\+$/.exec(body))) return { kind: 'superseded', by: Number(match[1]) };
  if (/^\+\+\+ (?:detached|exited)/.test(body) || /^(?:strace: |Process \d+ (?:attached|detached))/.test(body)) return { kind: 'note' };
  if ((match = /^<\.\.\. (\w+) resumed>(.*)$/.exec(body))) {
    const rest = match[2]!;
    if (/\s*<unfinished \.\.\.>\)?\s*= \?$/.test(rest) || /^\s*\)?\s*= \? <unavailable>$/.test(rest)) return { kind: 'note' };
    const call = splitCall(rest);
    if (!call) throw new StraceLineError(`a resumed ${match[1]} with no return value`);
    return { kind: 'resumed', name: match[1]!, args: call.args, ...returned(call.ret) };
  }
  if ((match = /^(\w+)\((.*?)\s*<pid changed to (\d+) \.\.\.>$/.exec(body))) return { kind: 'unfinished', name: match[1]!, args: match[2]!, pidChangedTo: Number(match[3]) };
  if ((match = /^(\w+)\((.*?)\s*<unfinished \.\.\.>$/.exec(body))) return { kind: 'unfinished', name: match[1]!, args: match[2]!, pidChangedTo: null };
  if ((match = /^(\w+)\((.*)$/.exec(body))) {
    const call = splitCall(match[2]!);
    if (call) return { kind: 'call', name: match[1]!, args: call.args, ...returned(call.ret) };
  }
  throw new StraceLineError('not a line strace writes');
}

/** One line; `defaultPid`: the tid of an -ff file (its lines do not name it). */
export function parseStraceLine(line: string): StraceLine {
  let rest = line;
  let pid: number | null = null;
  let match = PID_PREFIX.exec(rest);
  // "12:00:01.123 ..." and "1701234567.123 ..." start with digits too: a pid is followed by a space
  if (match) {
    pid = Number(match[1] ?? match[2]);
    rest = rest.slice(match[0].length);
  }
  let seconds: number | null = null;
  if ((match = CLOCK.exec(rest))) {
    seconds = Number(match[1]) * 3600 + Number(match[2]) * 60 + Number(match[3]) + fraction(match[4]);
    rest = rest.slice(match[0].length);
  } else if ((match = EPOCH.exec(rest))) {
    seconds = Number(match[1]) + fraction(match[2]);
    rest = rest.slice(match[0].length);
  }
  return { pid, seconds, event: parseEvent(rest.trim()) };
}
