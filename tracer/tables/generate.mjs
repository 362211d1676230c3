// Turns the table data (syscalls/*.in, xlat/*.in) into TypeScript under generated/.
// The .in files are the one source of truth; README.md describes their format.
// Plain Node with no dependencies, so `npm run build:tables` works before `npm install`.
import { existsSync, mkdirSync, readFileSync, readdirSync, renameSync, writeFileSync } from 'node:fs';
import { basename, dirname, join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';

export const TABLES_DIR = dirname(fileURLToPath(import.meta.url));
export const XLAT_DIR = join(TABLES_DIR, 'xlat');
export const SYSCALLS_DIR = join(TABLES_DIR, 'syscalls');
export const GENERATED_DIR = join(TABLES_DIR, 'generated');
export const ERRNO_MESSAGES_FILE = join(TABLES_DIR, 'errno-messages.in');
export const SIGNATURES_FILE = join(TABLES_DIR, '..', 'decode', 'signatures.in');
export const PRCTL_FILE = join(TABLES_DIR, '..', 'decode', 'prctl.in');
export const SYSCALL_ARGS_FILE = join(TABLES_DIR, 'syscall-args.in');

const IDENTIFIER = /^[A-Za-z_][A-Za-z0-9_]*$/;
const CLASS = /^%%?[a-z]+$/;
const U64_LIMIT = 1n << 64n;
const I64_MIN = -(1n << 63n);

export class TableDataError extends Error {
  constructor(file, line, message) {
    super(`${relative(process.cwd(), file)}:${line}: ${message}`);
    this.name = 'TableDataError';
  }
}

// Numbers are written as the kernel header writes them: 0x hex, C-style leading-0 octal,
// decimal, or a shift like 1<<16. BigInt alone would read "0100" as decimal.
export function parseNumber(text) {
  const shift = /^(\d+)<<(\d+)$/.exec(text);
  if (shift) return BigInt(shift[1]) << BigInt(shift[2]);
  const match = /^(-?)(0x[0-9a-fA-F]+|0[0-7]+|0|[1-9][0-9]*)$/.exec(text);
  if (!match) return undefined;
  const [, sign, digits] = match;
  const magnitude = /^0[0-7]+$/.test(digits) ? BigInt(`0o${digits.slice(1)}`) : BigInt(digits);
  return sign ? -magnitude : magnitude;
}

// Splits a file into directive lines (#From, #kind, #header, #cflags, #unknown), data lines and comments.
function readLines(file) {
  const directives = {};
  const rows = [];
  readFileSync(file, 'utf8').split('\n').forEach((raw, index) => {
    const line = raw.trim();
    const lineNo = index + 1;
    if (line === '') return;
    const directive = /^#(From|kind|header|cflags|unknown)\s+(.*)$/.exec(line);
    if (directive) {
      if (directives[directive[1]] !== undefined) {
        throw new TableDataError(file, lineNo, `#${directive[1]} given twice`);
      }
      directives[directive[1]] = directive[2].trim();
      return;
    }
    if (line.startsWith('#')) return;
    rows.push({ fields: line.split(/\s+/), lineNo });
  });
  return { directives, rows };
}

function requireDirective(file, directives, name) {
  const value = directives[name];
  if (value === undefined) throw new TableDataError(file, 1, `missing #${name} line`);
  return value;
}

export function parseXlatFile(file) {
  const { directives, rows } = readLines(file);
  const name = basename(file, '.in');
  if (!IDENTIFIER.test(name)) throw new TableDataError(file, 1, `set name "${name}" is not an identifier`);
  const from = requireDirective(file, directives, 'From');
  const kind = requireDirective(file, directives, 'kind');
  if (kind !== 'flags' && kind !== 'values') {
    throw new TableDataError(file, 1, `#kind must be "flags" or "values", not "${kind}"`);
  }
  const header = requireDirective(file, directives, 'header');
  const entries = [];
  const byName = new Map();
  const byValue = new Map();
  for (const { fields, lineNo } of rows) {
    if (fields.length !== 2) throw new TableDataError(file, lineNo, 'expected "NAME VALUE"');
    const [entryName, valueText] = fields;
    if (!IDENTIFIER.test(entryName)) throw new TableDataError(file, lineNo, `"${entryName}" is not an identifier`);
    const value = parseNumber(valueText);
    if (value === undefined) throw new TableDataError(file, lineNo, `"${valueText}" is not a number`);
    if (byName.has(entryName)) throw new TableDataError(file, lineNo, `${entryName} is listed twice`);
    // One name per value keeps decoding unambiguous; aliases belong in a comment.
    if (byValue.has(value)) {
      throw new TableDataError(file, lineNo, `${entryName} has the value of ${byValue.get(value)}; keep one name and note the alias in a comment`);
    }
    if (kind === 'flags' && (value <= 0n || value >= U64_LIMIT)) {
      throw new TableDataError(file, lineNo, `flag ${entryName} must be a non-zero unsigned 64-bit value`);
    }
    if (kind === 'values' && (value < I64_MIN || value >= U64_LIMIT)) {
      throw new TableDataError(file, lineNo, `${entryName} does not fit in 64 bits`);
    }
    byName.set(entryName, value);
    byValue.set(value, entryName);
    entries.push({ name: entryName, value, lineNo });
  }
  if (kind === 'flags') checkCompositesComeFirst(file, entries);
  const unknown = directives.unknown ?? defaultUnknown(entries);
  return { name, kind, from, header, cflags: directives.cflags ?? '', unknown, entries };
}

// What strace writes in the comment after a value no entry names ("0x2 /* FSOPEN_??? */"): by
// default the prefix every name shares up to an underscore, as strace's own tables spell it.
function defaultUnknown(entries) {
  const names = entries.map((entry) => entry.name);
  let prefix = names[0] ?? '';
  for (const name of names) while (!name.startsWith(prefix)) prefix = prefix.slice(0, -1);
  const cut = prefix.lastIndexOf('_');
  return `${cut > 0 ? prefix.slice(0, cut + 1) : ''}???`;
}

// Decoding takes the first entry whose bits are all set, so a composite such as O_SYNC
// (__O_SYNC|O_DSYNC) must come before the flag it contains, or it could never match.
function checkCompositesComeFirst(file, entries) {
  entries.forEach((earlier, i) => {
    for (const later of entries.slice(i + 1)) {
      if ((later.value & earlier.value) === earlier.value) {
        throw new TableDataError(file, later.lineNo, `${later.name} contains ${earlier.name}: list ${later.name} first`);
      }
    }
  });
}

export function parseSyscallFile(file) {
  const { directives, rows } = readLines(file);
  const arch = basename(file, '.in');
  if (!IDENTIFIER.test(arch)) throw new TableDataError(file, 1, `arch name "${arch}" is not an identifier`);
  const from = requireDirective(file, directives, 'From');
  const header = requireDirective(file, directives, 'header');
  const entries = [];
  const names = new Map();
  const numbers = new Map();
  for (const { fields, lineNo } of rows) {
    const [nrText, name, ...classes] = fields;
    if (name === undefined) throw new TableDataError(file, lineNo, 'expected "NR NAME CLASS..."');
    if (!/^(0|[1-9][0-9]*)$/.test(nrText)) throw new TableDataError(file, lineNo, `"${nrText}" is not a syscall number`);
    const nr = Number(nrText);
    if (!IDENTIFIER.test(name)) throw new TableDataError(file, lineNo, `"${name}" is not a syscall name`);
    if (names.has(name)) throw new TableDataError(file, lineNo, `${name} is listed twice (line ${names.get(name)})`);
    if (numbers.has(nr)) throw new TableDataError(file, lineNo, `${nr} is already ${numbers.get(nr)}`);
    for (const cls of classes) {
      if (!CLASS.test(cls)) throw new TableDataError(file, lineNo, `class "${cls}" must look like %name`);
    }
    if (new Set(classes).size !== classes.length) throw new TableDataError(file, lineNo, `${name} repeats a class`);
    names.set(name, lineNo);
    numbers.set(nr, name);
    entries.push({ nr, name, classes, lineNo });
  }
  entries.sort((a, b) => a.nr - b.nr);
  return { arch, from, header, cflags: directives.cflags ?? '', entries };
}

function inFiles(dir) {
  return readdirSync(dir).filter((f) => f.endsWith('.in')).sort().map((f) => join(dir, f));
}

export function readXlatSets(dir = XLAT_DIR) {
  return inFiles(dir).map(parseXlatFile);
}

export function readSyscallTables(dir = SYSCALLS_DIR) {
  return inFiles(dir).map(parseSyscallFile);
}

// syscall-args.in: how many arguments each syscall takes, by name (the kernel's SYSCALL_DEFINEn).
export function parseSyscallArgs(file = SYSCALL_ARGS_FILE) {
  const { rows } = readLines(file);
  const counts = new Map();
  for (const { fields, lineNo } of rows) {
    const [name, count] = fields;
    if (fields.length !== 2 || !IDENTIFIER.test(name) || !/^[0-6]$/.test(count)) throw new TableDataError(file, lineNo, 'expected "NAME NARGS" (0..6)');
    if (counts.has(name)) throw new TableDataError(file, lineNo, `${name} is listed twice`);
    counts.set(name, Number(count));
  }
  return counts;
}

const BANNER = '// Generated by tracer/tables/generate.mjs from tracer/tables/%s. Do not edit.\n';

function bigintLiteral(kind, value) {
  if (kind === 'flags') return `0x${value.toString(16)}n`;
  return `${value}n`;
}

export function renderXlatModule(sets) {
  const out = [BANNER.replace('%s', 'xlat/*.in')];
  out.push(
    'export interface XlatSet {',
    '  readonly name: string;',
    "  readonly kind: 'flags' | 'values';",
    '  /** what strace writes in the comment after an unnamed value, e.g. FSOPEN_??? */',
    '  readonly unknown: string;',
    '  readonly entries: readonly (readonly [name: string, value: bigint])[];',
    '}',
    '',
  );
  for (const set of sets) {
    out.push(`export const ${set.name}: XlatSet = {`);
    out.push(`  name: '${set.name}',`, `  kind: '${set.kind}',`, `  unknown: '${set.unknown}',`, '  entries: [');
    for (const entry of set.entries) out.push(`    ['${entry.name}', ${bigintLiteral(set.kind, entry.value)}],`);
    out.push('  ],', '};', '');
  }
  out.push('export const XLAT_SETS = {');
  for (const set of sets) out.push(`  ${set.name},`);
  out.push('} as const;', '');
  return out.join('\n');
}

export function renderSyscallsModule(tables, argCounts) {
  const out = [BANNER.replace('%s', 'syscalls/*.in')];
  const arches = tables.map((t) => t.arch);
  const classes = [...new Set(tables.flatMap((t) => t.entries.flatMap((e) => e.classes)))].sort();
  out.push(
    `export type Arch = ${arches.map((a) => `'${a}'`).join(' | ')};`,
    '',
    `export const ARCHES: readonly Arch[] = [${arches.map((a) => `'${a}'`).join(', ')}];`,
    '',
    `export const SYSCALL_CLASSES: readonly string[] = [${classes.map((c) => `'${c}'`).join(', ')}];`,
    '',
    'export interface SyscallInfo {',
    '  readonly nr: number;',
    '  readonly name: string;',
    '  readonly classes: readonly string[];',
    '  /** how many arguments it takes (syscall-args.in): what a line shows of a call not decoded */',
    '  readonly args: number;',
    '}',
    '',
    'export interface SyscallTable {',
    '  readonly arch: Arch;',
    '  /** Indexed by syscall number; undefined where the arch has no syscall. */',
    '  readonly byNr: readonly (SyscallInfo | undefined)[];',
    '  readonly nrByName: ReadonlyMap<string, number>;',
    '}',
    '',
    'function table(arch: Arch, byNr: readonly (SyscallInfo | undefined)[]): SyscallTable {',
    '  const nrByName = new Map<string, number>();',
    '  for (const info of byNr) if (info) nrByName.set(info.name, info.nr);',
    '  return { arch, byNr, nrByName };',
    '}',
    '',
  );
  for (const t of tables) {
    out.push(`const ${t.arch}: readonly (SyscallInfo | undefined)[] = [`);
    let next = 0;
    for (const e of t.entries) {
      for (; next < e.nr; next++) out.push('  undefined,');
      const args = argCounts.get(e.name);
      if (args === undefined) throw new TableDataError(SYSCALL_ARGS_FILE, 1, `${e.name} (${t.arch}) has no argument count`);
      out.push(`  { nr: ${e.nr}, name: '${e.name}', classes: [${e.classes.map((c) => `'${c}'`).join(', ')}], args: ${args} },`);
      next = e.nr + 1;
    }
    out.push('];', '');
  }
  out.push('export const SYSCALL_TABLES: { readonly [A in Arch]: SyscallTable } = {');
  for (const a of arches) out.push(`  ${a}: table('${a}', ${a}),`);
  out.push('};', '');
  return out.join('\n');
}

// Write-then-rename, so a test worker importing the module never reads half a file; and
// leave an unchanged file alone, so watchers (vitest --watch) do not rerun for nothing.
function writeAtomically(file, text) {
  if (existsSync(file) && readFileSync(file, 'utf8') === text) return;
  const temp = `${file}.${process.pid}.tmp`;
  writeFileSync(temp, text);
  renameSync(temp, file);
}

// signatures.in: what each decoded syscall takes and returns, and what it does (marks). One
// parser for the decoder, the terminal, the analyses and the viewer (which gets it as data).
const SIGNATURE_ARGUMENT = /^([a-z_0-9]+):([a-z_0-9]+)(?:\(([a-z_0-9]+)\))?(\/64)?$/;
const SIGNATURE_MARKS = ['!ns', '!exec', '!closes', '!forks', '!opens', '!dups', '!mounts'];
const SIGNATURE_FAMILIES = ['namespaces', 'mounts', 'process', 'exec', 'ids', 'files', 'other'];

export function parseSignatures(text, file = SIGNATURES_FILE) {
  const signatures = [];
  const seen = new Set();
  text.split('\n').forEach((raw, index) => {
    const line = raw.trim();
    const lineNo = index + 1;
    if (!line || line.startsWith('#')) return;
    const fail = (why) => new TableDataError(file, lineNo, why);
    const [left, right = 'int'] = line.split('->').map((part) => part.trim());
    const [name, ...argumentWords] = left.split(/\s+/);
    const [returns = 'int', ...marks] = right.split(/\s+/);
    if (!IDENTIFIER.test(name)) throw fail(`"${name}" is not a syscall name`);
    if (seen.has(name)) throw fail(`${name} is listed twice`);
    seen.add(name);
    const words = argumentWords.map((word) => {
      const match = SIGNATURE_ARGUMENT.exec(word);
      if (!match) throw fail(`cannot read argument "${word}"`);
      return { name: match[1], type: match[2], parameter: match[3], wide: match[4] !== undefined };
    });
    const args = words.map(({ name: argName, type, parameter, wide }) => {
      let parameterIndex = null;
      if (parameter !== undefined) {
        parameterIndex = words.findIndex((other) => other.name === parameter);
        if (parameterIndex < 0) throw fail(`${argName}'s length argument "${parameter}" is not an argument`);
      }
      return { name: argName, type, parameterIndex, wide };
    });
    let family = 'other';
    for (const mark of marks) {
      if (mark.startsWith('@')) {
        family = mark.slice(1);
        if (!SIGNATURE_FAMILIES.includes(family)) throw fail(`unknown family "${mark}"`);
      } else if (!SIGNATURE_MARKS.includes(mark)) throw fail(`unknown mark "${mark}"`);
    }
    signatures.push({
      name,
      args,
      returns,
      family,
      changesNamespaces: marks.includes('!ns'),
      execs: marks.includes('!exec'),
      closesFd: marks.includes('!closes'),
      forks: marks.includes('!forks'),
      opensFd: marks.includes('!opens'),
      duplicatesFd: marks.includes('!dups'),
      changesMounts: marks.includes('!mounts'),
    });
  });
  return signatures;
}

export function renderSignaturesModule(signatures) {
  const out = [BANNER.replace('%s', '../decode/signatures.in')];
  out.push("import type { SyscallSignature } from '../../decode/signature-types.js';", '');
  out.push('/** Every decoded syscall, in the order signatures.in lists them. */');
  out.push('export const SIGNATURES: readonly SyscallSignature[] = [');
  for (const signature of signatures) out.push(`  ${JSON.stringify(signature)},`);
  out.push('];', '');
  return out.join('\n');
}

// prctl.in: per option (and OPTION:SUBCOMMAND), the types of its arguments and how its result reads.
export function parsePrctlTable(text, file = PRCTL_FILE) {
  const shapes = [];
  text.split('\n').forEach((raw, index) => {
    const line = raw.trim();
    if (!line || line.startsWith('#')) return;
    const [left, right] = line.split('->').map((part) => part.trim());
    const [key, ...words] = left.split(/\s+/);
    if (!/^PR_[A-Z0-9_]+(:[A-Z0-9_]+)?$/.test(key)) throw new TableDataError(file, index + 1, `"${key}" is not an option`);
    const args = words.map((word) => ({ type: word.replace(/\/64$/, ''), wide: word.endsWith('/64') }));
    shapes.push({ key, args, result: right ?? null });
  });
  return shapes;
}

export function renderPrctlModule(shapes) {
  const out = [BANNER.replace('%s', '../decode/prctl.in')];
  out.push("import type { PrctlShape } from '../../decode/prctl-table.js';", '');
  out.push('/** prctl.in: each option\'s (or OPTION:SUBCOMMAND\'s) arguments and result. */');
  out.push('export const PRCTL_SHAPES: readonly (readonly [string, PrctlShape])[] = [');
  for (const { key, args, result } of shapes) out.push(`  [${JSON.stringify(key)}, ${JSON.stringify({ args, result })}],`);
  out.push('];', '');
  return out.join('\n');
}

// errno-messages.in: "NAME text" a line, the text strace prints in parentheses after the name.
export function parseErrnoMessages(file = ERRNO_MESSAGES_FILE) {
  const { rows } = readLines(file);
  const messages = [];
  const seen = new Set();
  for (const { fields, lineNo } of rows) {
    const [errnoName, ...words] = fields;
    if (!IDENTIFIER.test(errnoName) || words.length === 0) throw new TableDataError(file, lineNo, 'expected "NAME text"');
    if (seen.has(errnoName)) throw new TableDataError(file, lineNo, `${errnoName} is listed twice`);
    seen.add(errnoName);
    messages.push({ name: errnoName, text: words.join(' '), lineNo });
  }
  return messages;
}

export function renderErrnoMessagesModule(messages) {
  const out = [BANNER.replace('%s', 'errno-messages.in')];
  out.push('/** The text strace prints after each errno name, by name. */');
  out.push('export const ERRNO_MESSAGES: Readonly<Record<string, string>> = {');
  for (const { name, text } of messages) out.push(`  ${name}: ${JSON.stringify(text)},`);
  out.push('};', '');
  return out.join('\n');
}

export function generate(outDir = GENERATED_DIR) {
  const sets = readXlatSets();
  const tables = readSyscallTables();
  mkdirSync(outDir, { recursive: true });
  writeAtomically(join(outDir, 'errno-messages.ts'), renderErrnoMessagesModule(parseErrnoMessages()));
  writeAtomically(join(outDir, 'signatures.ts'), renderSignaturesModule(parseSignatures(readFileSync(SIGNATURES_FILE, 'utf8'))));
  writeAtomically(join(outDir, 'prctl.ts'), renderPrctlModule(parsePrctlTable(readFileSync(PRCTL_FILE, 'utf8'))));
  writeAtomically(join(outDir, 'xlat.ts'), renderXlatModule(sets));
  writeAtomically(join(outDir, 'syscalls.ts'), renderSyscallsModule(tables, parseSyscallArgs()));
  return { sets: sets.length, arches: tables.map((t) => `${t.arch} (${t.entries.length})`) };
}

if (process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1]) {
  try {
    const summary = generate();
    console.log(`tables: ${summary.sets} flag/value sets; syscalls for ${summary.arches.join(', ')}`);
  } catch (error) {
    if (!(error instanceof TableDataError)) throw error;
    console.error(error.message);
    process.exitCode = 1;
  }
}
