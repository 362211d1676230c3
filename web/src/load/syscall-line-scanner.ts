// Reads the few fields a span needs straight out of a syscall record's JSON line, without
// JSON.parse and without walking the arguments: a native indexOf jumps to `},"ret":`, which
// cannot occur inside a JSON string (its quotes would be escaped), and the fields after it must
// read exactly `"ret":N|null,"err":null|"E","dur":N,"raw":[...]` before the rest (any order).
// It expects the writer's key order (type, t, pid, name, nr, args, ret, err, dur, raw, ...);
// anything else returns false and the caller parses the line whole. The fields it reads are held
// to the trace schema's rules for them (integers in the safe range, t, pid and dur not negative),
// so that a line it takes is one the schema takes as far as the timeline uses it; the rest (args,
// raw) is checked against the schema when the record is opened whole (details, search).

export interface ScannedSyscall {
  /** t, pid, dur: in a typed array, since a large number stored in an object field is a heap allocation */
  readonly numbers: Float64Array;
  /** the name is text[nameStart..nameEnd), with a hash of its characters (no string is made) */
  nameStart: number;
  nameEnd: number;
  nameHash: number;
  /** the family is text[familyStart..familyEnd) */
  familyStart: number;
  familyEnd: number;
  failed: boolean;
  unfinished: boolean;
}

export const T = 0;
export const PID = 1;
export const DUR = 2;

export function emptyScan(): ScannedSyscall {
  return { numbers: new Float64Array(3), nameStart: 0, nameEnd: 0, nameHash: 0, familyStart: 0, familyEnd: 0, failed: false, unfinished: false };
}

const PREFIX = '{"type":"syscall","t":';
const QUOTE = 34;
const BACKSLASH = 92;

/** where the last integerAt / plainStringAt stopped */
let position = 0;

/** text[at..] begins with `,"K` and the key's closing `":` sits where `key` says: two reads, not a string compare. */
function keyAt(text: string, at: number, key: string): boolean {
  return text.charCodeAt(at) === 44 && text.charCodeAt(at + 2) === key.charCodeAt(0) && text.charCodeAt(at + key.length + 3) === 58;
}

/** The trace schema's integers: beyond this they are written as strings of decimal digits. */
const SAFE = 9007199254740991;

/** An integer at text[at..]; NaN if none, a fraction or exponent, or beyond the safe range (JSON.parse and the schema will decide). */
function integerAt(text: string, at: number, end: number): number {
  let i = at;
  let negative = false;
  if (text.charCodeAt(i) === 45) {
    negative = true;
    i++;
  }
  let value = 0;
  const first = i;
  for (; i < end; i++) {
    const c = text.charCodeAt(i);
    if (c < 48 || c > 57) break;
    value = value * 10 + (c - 48);
  }
  const next = text.charCodeAt(i);
  if (i === first || next === 46 || next === 101 || next === 69 || value > SAFE) return NaN;
  position = i;
  return negative ? -value : value;
}

/** Index just after the string starting at text[at] (its opening quote), or -1. */
function skipString(text: string, at: number, end: number): number {
  for (let i = at + 1; i < end; i++) {
    const c = text.charCodeAt(i);
    if (c === BACKSLASH) i++;
    else if (c === QUOTE) return i + 1;
  }
  return -1;
}

/** hash of the last plainStringAt's characters */
let stringHash = 0;

/** A string without escapes at text[at]: false otherwise. Sets position after its closing quote, and stringHash. */
function plainStringAt(text: string, at: number, end: number): boolean {
  if (text.charCodeAt(at) !== QUOTE) return false;
  let hash = 0x811c9dc5;
  for (let i = at + 1; i < end; i++) {
    const c = text.charCodeAt(i);
    if (c === BACKSLASH) return false;
    if (c === QUOTE) {
      position = i + 1;
      stringHash = hash & 0x3fffffff; // a small integer: no heap number
      return true;
    }
    hash = Math.imul(hash ^ c, 0x01000193);
  }
  return false;
}

/** Index just after the JSON value at text[at], or -1. */
function skipValue(text: string, at: number, end: number): number {
  const first = text.charCodeAt(at);
  if (first === QUOTE) return skipString(text, at, end);
  if (first === 123 || first === 91) {
    let depth = 0;
    for (let i = at; i < end; i++) {
      const c = text.charCodeAt(i);
      if (c === QUOTE) {
        i = skipString(text, i, end) - 1;
        if (i < 0) return -1;
      } else if (c === 123 || c === 91) depth++;
      else if (c === 125 || c === 93) {
        depth--;
        if (depth === 0) return i + 1;
      }
    }
    return -1;
  }
  for (let i = at; i < end; i++) {
    const c = text.charCodeAt(i);
    if (c === 44 || c === 125 || c === 93) return i;
  }
  return -1;
}

/** Fill `out` from the line text[start..end); false if the line is not in the expected shape. */
export function scanSyscallLine(text: string, start: number, end: number, out: ScannedSyscall): boolean {
  if (!text.startsWith(PREFIX, start)) return false;
  const t = integerAt(text, start + PREFIX.length, end);
  // t, pid and dur are counts in the schema: a negative one goes to JSON.parse and the schema's message
  if (!(t >= 0) || !keyAt(text, position, 'pid')) return false;
  const pid = integerAt(text, position + 7, end);
  if (!(pid >= 0) || !keyAt(text, position, 'name')) return false;
  const nameStart = position + 9;
  if (!plainStringAt(text, position + 8, end) || !keyAt(text, position, 'nr')) return false;
  const nameEnd = position - 1;
  const nameHash = stringHash;
  if (Number.isNaN(integerAt(text, position + 6, end)) || !keyAt(text, position, 'args')) return false;
  let at = text.indexOf('},"ret":', position + 8);
  if (at < 0 || at >= end) return false;
  at += 8;
  let failed = false;
  if (text.charCodeAt(at) === 110) at += 4;
  else {
    const ret = integerAt(text, at, end);
    if (Number.isNaN(ret)) return false;
    failed = ret < 0;
    at = position;
  }
  if (!keyAt(text, at, 'err')) return false;
  at += 7;
  if (text.charCodeAt(at) === 110) at += 4;
  else {
    at = skipString(text, at, end);
    if (at < 0) return false;
    failed = true;
  }
  if (!keyAt(text, at, 'dur')) return false;
  const dur = integerAt(text, at + 7, end);
  if (!(dur >= 0) || !keyAt(text, position, 'raw')) return false;
  at = text.indexOf(']', position + 8);
  if (at < 0 || at >= end) return false;
  at += 1;
  let familyStart = -1;
  let familyEnd = -1;
  let unfinished = false;
  // the remaining keys, in any order
  while (text.charCodeAt(at) === 44) {
    const keyEnd = skipString(text, at + 1, end);
    if (keyEnd < 0 || text.charCodeAt(keyEnd) !== 58) return false;
    if (keyAt(text, at, 'family')) {
      if (!plainStringAt(text, keyEnd + 1, end)) return false;
      familyStart = keyEnd + 2;
      familyEnd = position - 1;
      at = position;
    } else if (keyAt(text, at, 'unfinished')) {
      unfinished = text.charCodeAt(keyEnd + 1) === 116;
      at = skipValue(text, keyEnd + 1, end);
    } else at = skipValue(text, keyEnd + 1, end);
    if (at < 0) return false;
  }
  if (familyStart < 0 || text.charCodeAt(at) !== 125) return false;
  out.numbers[T] = t;
  out.numbers[PID] = pid;
  out.numbers[DUR] = dur;
  out.nameStart = nameStart;
  out.nameEnd = nameEnd;
  out.nameHash = nameHash;
  out.familyStart = familyStart;
  out.familyEnd = familyEnd;
  out.failed = failed;
  out.unfinished = unfinished;
  return true;
}
