// Two sequences of calls side by side, as diff -u sets two files' lines side by side: the
// longest common subsequence of calls that are the same once what differs between any two runs
// is masked (addresses, pids, the container's id, bundle and state paths), then, among the calls
// left over, those of the same name paired as "changed", with their flags added and removed.
// Pure.
import { DEFAULT_LINE_OPTIONS, type LineOptions } from '../format/strace/options.js';
import { formatSyscall, PLAIN_STYLE } from '../format/terminal.js';

/** diff -u lines carry no padding before " = " */
const UNALIGNED: LineOptions = { ...DEFAULT_LINE_OPTIONS, alignment: 0 };
import type { ArgValue, PidPair, SyscallRecord, TraceHeader } from '../trace/records.js';

/** What differs between any two runs of the same start-up, as text to replace. */
export interface RunMasks {
  /** [value, stand-in], longest value first */
  readonly strings: readonly (readonly [string, string])[];
  /** host pids of the trace's tasks */
  readonly pids: ReadonlySet<number>;
}

/** The OCI runtime command line (runc's, shared by crun and ctrun): its state root, bundle,
 *  container id and the files it names are the run's own. */
const RUNTIME_PATH_OPTIONS: Readonly<Record<string, string>> = {
  '--root': '<root>',
  '--bundle': '<bundle>',
  '-b': '<bundle>',
  '--pid-file': '<pid-file>',
  '--console-socket': '<console-socket>',
  '--log': '<log>',
};
const RUNTIME_ACTIONS = new Set(['run', 'create', 'start', 'exec', 'delete', 'kill', 'state']);

export function runMasks(header: Pick<TraceHeader, 'command'>, pids: Iterable<number>): RunMasks {
  const strings: [string, string][] = [];
  const command = header.command;
  let action = false;
  command.forEach((argument, index) => {
    const stand = RUNTIME_PATH_OPTIONS[argument];
    const value = command[index + 1];
    if (stand && value) strings.push([value, stand]);
    if (RUNTIME_ACTIONS.has(argument)) action = true;
  });
  // the container id: the last argument after the action, when it is no option's value
  const id = command[command.length - 1];
  if (action && id && !id.startsWith('-') && !RUNTIME_PATH_OPTIONS[command[command.length - 2] ?? ''] && !RUNTIME_ACTIONS.has(id)) strings.push([id, '<id>']);
  strings.sort((x, y) => y[0].length - x[0].length);
  return { strings, pids: new Set(pids) };
}

const ADDRESS = /\b0x[0-9a-f]{5,}\b/g;

function maskString(text: string, masks: RunMasks, pidsToo: boolean): string {
  let out = text;
  for (const [value, stand] of masks.strings) out = out.split(value).join(stand);
  if (pidsToo) out = out.replace(/\b\d+\b/g, (digits) => (masks.pids.has(Number(digits)) ? '<pid>' : digits));
  return out;
}

function isPidPair(value: ArgValue): value is PidPair {
  return typeof value === 'object' && value !== null && !Array.isArray(value) && 'ns' in value && 'host' in value;
}

function maskValue(value: ArgValue, masks: RunMasks, forComparison: boolean): ArgValue {
  if (typeof value === 'string') {
    const masked = maskString(value, masks, forComparison);
    return forComparison ? masked.replace(ADDRESS, '0x…') : masked;
  }
  if (isPidPair(value)) return forComparison ? { host: null, ns: 0 } : value;
  if (Array.isArray(value)) return value.map((item: ArgValue) => maskValue(item, masks, forComparison));
  if (value !== null && typeof value === 'object') return Object.fromEntries(Object.entries(value).map(([key, field]) => [key, maskValue(field as ArgValue, masks, forComparison)]));
  return value;
}

/** The call as the terminal prints it, the run's own paths and ids replaced by stand-ins;
 *  forComparison: addresses, pids and pid results masked too (what is compared). */
export function callText(record: SyscallRecord, masks: RunMasks, forComparison: boolean): string {
  const args = Object.fromEntries(Object.entries(record.args).map(([key, value]) => [key, maskValue(value, masks, forComparison)]));
  // compared: the decoded args alone (the raw registers hold this run's addresses)
  const masked: SyscallRecord = forComparison
    ? { ...record, args, raw: [], ret: record.retPid || record.childNspid ? 0 : record.ret, retPid: undefined, childNspid: undefined }
    : { ...record, args };
  return formatSyscall(masked, PLAIN_STYLE, UNALIGNED);
}

export interface ArgChange {
  readonly arg: string;
  readonly added: readonly string[];
  readonly removed: readonly string[];
}

export type CallLine =
  | { readonly kind: 'same'; readonly a: SyscallRecord; readonly b: SyscallRecord }
  | { readonly kind: 'only-a'; readonly a: SyscallRecord }
  | { readonly kind: 'only-b'; readonly b: SyscallRecord }
  /** the same call with other arguments: flags added and removed, per argument */
  | { readonly kind: 'changed'; readonly a: SyscallRecord; readonly b: SyscallRecord; readonly flags: readonly ArgChange[] };

const FLAG = /^[A-Z][A-Z0-9_]*$/;

/** Flag sets (arrays of CONSTANT_NAMES) that differ, also inside a struct (clone3's args). */
export function flagChanges(a: SyscallRecord['args'], b: SyscallRecord['args'], prefix = ''): ArgChange[] {
  const changes: ArgChange[] = [];
  for (const key of new Set([...Object.keys(a), ...Object.keys(b)])) {
    const x = a[key];
    const y = b[key];
    const flagsOf = (value: ArgValue | undefined) => (Array.isArray(value) && value.every((item) => typeof item === 'string' && FLAG.test(item)) ? (value as string[]) : null);
    const fx = flagsOf(x);
    const fy = flagsOf(y);
    if ((fx || fy) && (fx ?? []).join() !== (fy ?? []).join()) {
      const added = (fy ?? []).filter((flag) => !(fx ?? []).includes(flag));
      const removed = (fx ?? []).filter((flag) => !(fy ?? []).includes(flag));
      if (added.length || removed.length) changes.push({ arg: `${prefix}${key}`, added, removed });
    } else if (x && y && typeof x === 'object' && typeof y === 'object' && !Array.isArray(x) && !Array.isArray(y) && !isPidPair(x)) {
      changes.push(...flagChanges(x as SyscallRecord['args'], y as SyscallRecord['args'], `${prefix}${key}.`));
    }
  }
  return changes;
}

/** Above this many cells the table of common subsequences is not made: the calls are then set
 *  side by side by name and count only (still every call only in one, in order). */
const MAX_CELLS = 16_000_000;

/** Indices of a longest common subsequence of two key lists. */
function commonSubsequence(x: readonly string[], y: readonly string[]): [number, number][] {
  const n = x.length;
  const m = y.length;
  if (n * m > MAX_CELLS) return greedyCommon(x, y);
  const table = new Uint32Array((n + 1) * (m + 1));
  const at = (i: number, j: number) => i * (m + 1) + j;
  for (let i = n - 1; i >= 0; i--) {
    for (let j = m - 1; j >= 0; j--) {
      table[at(i, j)] = x[i] === y[j] ? table[at(i + 1, j + 1)]! + 1 : Math.max(table[at(i + 1, j)]!, table[at(i, j + 1)]!);
    }
  }
  const pairs: [number, number][] = [];
  let i = 0;
  let j = 0;
  while (i < n && j < m) {
    if (x[i] === y[j]) pairs.push([i++, j++]);
    else if (table[at(i + 1, j)]! >= table[at(i, j + 1)]!) i++;
    else j++;
  }
  return pairs;
}

/** For very long sequences: each key of x matched with the next same key of y, in order. */
function greedyCommon(x: readonly string[], y: readonly string[]): [number, number][] {
  const pairs: [number, number][] = [];
  let j = 0;
  for (let i = 0; i < x.length && j < y.length; i++) {
    const next = y.indexOf(x[i]!, j);
    if (next >= 0) {
      pairs.push([i, next]);
      j = next + 1;
    }
  }
  return pairs;
}

/** The calls of one role in A and in B, as lines of a diff. */
export function diffCalls(a: readonly SyscallRecord[], b: readonly SyscallRecord[], masksA: RunMasks, masksB: RunMasks): CallLine[] {
  const keysA = a.map((call) => callText(call, masksA, true));
  const keysB = b.map((call) => callText(call, masksB, true));
  const lines: CallLine[] = [];
  let i = 0;
  let j = 0;
  const gap = (untilA: number, untilB: number) => {
    // calls left over on both sides between two common ones: same name → changed
    const restB = b.slice(j, untilB);
    const usedB = new Set<number>();
    const pending: CallLine[] = [];
    for (; i < untilA; i++) {
      const call = a[i]!;
      const match = restB.findIndex((other, index) => !usedB.has(index) && other.name === call.name);
      if (match >= 0) {
        usedB.add(match);
        // B's calls before the match that found no partner come first, as diff shows them
        for (let k = 0; k < match; k++) {
          if (!usedB.has(k)) {
            usedB.add(k);
            pending.push({ kind: 'only-b', b: restB[k]! });
          }
        }
        lines.push(...pending.splice(0));
        const other = restB[match]!;
        // the same once masked, though the common subsequence set it aside (a repeated call)
        if (keysA[i] === keysB[j + match]) lines.push({ kind: 'same', a: call, b: other });
        else lines.push({ kind: 'changed', a: call, b: other, flags: flagChanges(call.args, other.args) });
      } else lines.push({ kind: 'only-a', a: call });
    }
    restB.forEach((call, index) => usedB.has(index) || lines.push({ kind: 'only-b', b: call }));
    j = untilB;
  };
  for (const [x, y] of commonSubsequence(keysA, keysB)) {
    gap(x, y);
    lines.push({ kind: 'same', a: a[x]!, b: b[y]! });
    i = x + 1;
    j = y + 1;
  }
  gap(a.length, b.length);
  return lines;
}
