// strace's argument text as values: strings with C escapes (a trailing ... marks one cut short),
// numbers, NULL, flag sets (A|B), arrays [...], structs {key=value, ...}, fds with -y's <path>.
// What it cannot read stays as the text strace printed. Pure.
import type { ArgValue } from '../trace/records.js';

/** The arguments' text split at its top-level commas (not inside strings, brackets or braces). */
export function splitArguments(text: string): string[] {
  const parts: string[] = [];
  let depth = 0;
  let start = 0;
  for (let i = 0; i < text.length; i++) {
    const c = text[i]!;
    if (c === '"') {
      for (i++; i < text.length && text[i] !== '"'; i++) if (text[i] === '\\') i++;
    } else if (c === '[' || c === '{' || c === '(') depth++;
    else if (c === ']' || c === '}' || c === ')') depth--;
    else if (c === ',' && depth === 0) {
      parts.push(text.slice(start, i).trim());
      start = i + 1;
    }
  }
  const last = text.slice(start).trim();
  if (last !== '' || parts.length) parts.push(last);
  return parts;
}

const ESCAPES: Readonly<Record<string, string>> = { n: '\n', t: '\t', r: '\r', v: '\v', f: '\f', a: '\x07', b: '\b', '"': '"', '\\': '\\', "'": "'" };

/** A C string literal as strace prints it (octal and \x escapes are bytes: UTF-8 is decoded). */
function unquote(literal: string): string {
  const bytes: number[] = [];
  for (let i = 1; i < literal.length - 1; i++) {
    const c = literal[i]!;
    if (c !== '\\') {
      bytes.push(...Buffer.from(c, 'utf8'));
      continue;
    }
    const next = literal[++i]!;
    if (next === 'x') {
      bytes.push(parseInt(literal.slice(i + 1, i + 3), 16));
      i += 2;
    } else if (/[0-7]/.test(next)) {
      const octal = /^[0-7]{1,3}/.exec(literal.slice(i))![0];
      bytes.push(parseInt(octal, 8));
      i += octal.length - 1;
    } else bytes.push(...Buffer.from(ESCAPES[next] ?? next, 'utf8'));
  }
  return Buffer.from(bytes).toString('utf8');
}

const NUMBER = /^-?\d+$/;
const IDENT = /^[A-Z_][A-Z0-9_]*$/;
const FLAG_PART = /^(?:[A-Z_][A-Z0-9_]*|0x[0-9a-f]+|\d+)$/;

/** One argument's text as a value; `fdPath` is given -y's path of an fd (3</dev/null>). */
export function parseValue(raw: string, fdPath?: (path: string) => void): ArgValue {
  const text = raw.replace(/\s*\/\*.*?\*\/\s*/g, '').trim();
  if (text === 'NULL') return null;
  if (NUMBER.test(text)) {
    const value = Number(text);
    return Number.isSafeInteger(value) ? value : text;
  }
  if (/^0x[0-9a-f]+$/.test(text) || /^0[0-7]+$/.test(text)) return text;
  const string = /^("(?:[^"\\]|\\.)*")(\.\.\.)?$/.exec(text);
  if (string) return unquote(string[1]!);
  // -y: an fd with its path (3</dev/null>), AT_FDCWD with the cwd
  const fd = /^(\d+|[A-Z_]+)<(.*)>$/.exec(text);
  if (fd) {
    fdPath?.(fd[2]!);
    return NUMBER.test(fd[1]!) ? Number(fd[1]) : fd[1]!;
  }
  if (IDENT.test(text)) return text;
  if (text.includes('|') && text.split('|').every((part) => FLAG_PART.test(part))) return text.split('|');
  if (text.startsWith('[') && text.endsWith(']')) {
    const inner = text.slice(1, -1).trim();
    return inner === '' ? [] : splitArguments(inner).map((part) => parseValue(part));
  }
  // clone3({...} => {parent_tid=[15616]}, 88): the struct as passed
  const struct = /^(\{.*\})(?:\s*=>\s*\{.*\})?$/.exec(text);
  if (struct) {
    const fields = splitArguments(struct[1]!.slice(1, -1));
    if (fields.every((field) => /^[a-z_][a-z0-9_.]*=/.test(field))) {
      return Object.fromEntries(fields.map((field) => [field.slice(0, field.indexOf('=')), parseValue(field.slice(field.indexOf('=') + 1))]));
    }
  }
  return text;
}
