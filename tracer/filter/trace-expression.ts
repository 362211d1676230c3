// strace's `-e trace=` expression: which syscalls to stop at.
//
//   trace=LIST    LIST is comma-separated items; a leading "!" inverts the whole list.
//   name          a syscall of the arch (open, clone3); or its number (435)
//   %class        a trace class (%process, %file, ... and cttrace's %namespace, %mount);
//                 strace's old spelling without the % (process, file) also works
//   /regex        every syscall whose name the regular expression matches
//   ?item         like item, but no error when the arch lacks it
//   all, none     everything, nothing
//   default       DEFAULT_TRACE_SET, the container-startup calls: "default,write" adds to it
import { ARCHES, SYSCALL_CLASSES, allSyscalls, syscallByName, syscallsInClass, type Arch } from '../tables/syscalls.js';
import { DEFAULT_TRACE_SET } from './default-trace-set.js';
import { closestMatch } from './edit-distance.js';

export { DEFAULT_TRACE_SET };

export interface TraceSelection {
  /** Trace every syscall, including numbers the table does not know. */
  readonly all: boolean;
  /** The numbers to trace; with `all`, every number the table knows. An inverted list
   *  ("!open") holds the known numbers minus those named. */
  readonly syscalls: ReadonlySet<number>;
}

/** A mistake in the expression, with a one-line message for the user that names the item and
 *  the fix. */
export class TraceExpressionError extends Error {
  override readonly name = 'TraceExpressionError';
  /** The item as the user wrote it. */
  readonly item: string;
  /** The name the item was probably meant to be, if one is close. */
  readonly suggestion: string | undefined;

  constructor(message: string, item: string, suggestion?: string) {
    super(message);
    this.item = item;
    this.suggestion = suggestion;
  }
}

const KEYWORDS = ['all', 'none', 'default'] as const;
// Syscall numbers are small; anything bigger is a typo, not a syscall the table lacks.
const MAX_SYSCALL_NR = 4095;
const EVERYTHING = 'all';

type Resolved = readonly number[] | typeof EVERYTHING;

export function parseTraceExpression(expression: string, arch: Arch = 'x86_64'): TraceSelection {
  let list = expression.trim().replace(/^trace=/, '');
  let invert = false;
  while (list.startsWith('!')) {
    invert = !invert;
    list = list.slice(1).trimStart();
  }
  if (list === '') {
    throw new TraceExpressionError('-e trace: the list is empty; name syscalls or classes, e.g. -e trace=%process,mount, or write "none"', expression);
  }

  const chosen = new Set<number>();
  let everything = false;
  for (const item of list.split(',')) {
    const resolved = resolveItem(item.trim(), arch);
    if (resolved === EVERYTHING) everything = true;
    else for (const nr of resolved) chosen.add(nr);
  }

  const known = allSyscalls(arch).map((info) => info.nr);
  if (everything) return invert ? selection(false, []) : selection(true, known);
  if (!invert) return selection(false, chosen);
  if (chosen.size === 0) return selection(true, known);
  return selection(false, known.filter((nr) => !chosen.has(nr)));
}

/** Whether a selection stops at syscall `nr`. */
export function isTraced(selection: TraceSelection, nr: number): boolean {
  return selection.all || selection.syscalls.has(nr);
}

function selection(all: boolean, syscalls: Iterable<number>): TraceSelection {
  return { all, syscalls: new Set(syscalls) };
}

function resolveItem(item: string, arch: Arch): Resolved {
  if (item === '') {
    throw new TraceExpressionError('-e trace: empty item in the list; remove the doubled or trailing comma', item);
  }
  if (item.startsWith('!')) {
    throw new TraceExpressionError(
      `-e trace: "${item}": "!" inverts the whole list and goes before the first item, e.g. -e trace=!${item.slice(1)}`,
      item,
    );
  }
  const optional = item.startsWith('?');
  const body = optional ? item.slice(1) : item;

  if (body === 'all') return EVERYTHING;
  if (body === 'none') return [];
  if (body === 'default') return resolveDefault(arch);
  if (body.startsWith('/')) return resolveRegex(item, body.slice(1), optional, arch);
  if (body.startsWith('%')) return resolveClass(item, body, optional, arch);
  if (/^[0-9]+$/.test(body)) return [syscallNumber(item, body)];

  const info = syscallByName(arch, body);
  if (info) return [info.nr];
  // strace's old class spelling: "process" for "%process". A syscall of that name wins (stat).
  if (SYSCALL_CLASSES.includes(`%${body}`)) return classMembers(`%${body}`, arch);
  if (optional) return [];
  throw unknownSyscall(item, body, arch);
}

function resolveDefault(arch: Arch): readonly number[] {
  const numbers: number[] = [];
  for (const item of DEFAULT_TRACE_SET) {
    const resolved = resolveItem(item, arch);
    if (resolved !== EVERYTHING) numbers.push(...resolved);
  }
  return numbers;
}

function resolveClass(item: string, cls: string, optional: boolean, arch: Arch): readonly number[] {
  // A class that no syscall of this arch has is still a class: it selects nothing.
  if (SYSCALL_CLASSES.includes(cls)) return classMembers(cls, arch);
  if (optional) return [];
  const suggestion = closestMatch(cls, SYSCALL_CLASSES);
  const fix = suggestion ? `did you mean "${suggestion}"?` : `classes are ${SYSCALL_CLASSES.join(', ')}`;
  throw new TraceExpressionError(`-e trace: unknown class "${cls}"; ${fix}`, item, suggestion);
}

function resolveRegex(item: string, source: string, optional: boolean, arch: Arch): readonly number[] {
  let pattern: RegExp;
  try {
    pattern = new RegExp(source);
  } catch (error) {
    const reason = error instanceof Error ? error.message : String(error);
    throw new TraceExpressionError(`-e trace: "${item}" is not a valid regular expression (${reason}); escape special characters with \\`, item);
  }
  const matches = allSyscalls(arch).filter((info) => pattern.test(info.name)).map((info) => info.nr);
  if (matches.length === 0 && !optional) {
    throw new TraceExpressionError(`-e trace: "${item}" matches no syscall on ${arch}; loosen the pattern, or write "?${item}" to allow that`, item);
  }
  return matches;
}

function syscallNumber(item: string, digits: string): number {
  const nr = Number(digits);
  if (nr > MAX_SYSCALL_NR) {
    throw new TraceExpressionError(`-e trace: "${item}" is not a syscall number (they run from 0 to ${MAX_SYSCALL_NR}); use a syscall name`, item);
  }
  return nr;
}

function classMembers(cls: string, arch: Arch): readonly number[] {
  return syscallsInClass(arch, cls).map((info) => info.nr);
}

function unknownSyscall(item: string, name: string, arch: Arch): TraceExpressionError {
  const elsewhere = ARCHES.filter((other) => other !== arch && syscallByName(other, name));
  if (elsewhere.length > 0) {
    return new TraceExpressionError(
      `-e trace: "${name}" is not a syscall on ${arch} (only on ${elsewhere.join(', ')}); write "?${name}" to trace it where it exists`,
      item,
    );
  }
  const candidates = [
    ...allSyscalls(arch).map((info) => info.name),
    ...KEYWORDS,
    ...SYSCALL_CLASSES,
  ];
  const suggestion = closestMatch(name, candidates, (candidate) => candidate.replace(/^%+/, ''));
  const fix = suggestion
    ? `did you mean "${suggestion}"?`
    : `check the spelling, or write "?${name}" to skip names this arch lacks`;
  return new TraceExpressionError(`-e trace: unknown syscall "${name}" on ${arch}; ${fix}`, item, suggestion);
}
