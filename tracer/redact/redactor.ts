// The redactor: one pass over each record (and the header) before it reaches any output — the
// terminal, --json, the trace file, the live viewer, an export. A secret becomes a placeholder
// `<redacted:3f2a>`: a keyed hash of the value with a key drawn at random for each trace, so the
// same value gives the same placeholder within the trace (comparisons still hold) while a
// dictionary of likely values made with another trace's placeholders tells nothing.
import { createHmac, randomBytes } from 'node:crypto';
import { basename } from 'node:path';
import type { ArgValue, RedactionNote, SyscallRecord, TraceHeader, TraceRecord } from '../trace/records.js';
import type { LocalIdentity } from './local-identity.js';
import { PROGRAM_PASSWORD_FLAGS, type RedactionRule, STRING_RULES, takesSecret } from './secret-rules.js';

export interface RedactionSettings {
  readonly identity: LocalIdentity;
  /** --redact-pattern: each match is a secret (its group `secret`, if it has one) */
  readonly patterns: readonly RegExp[];
  /** a fresh random key when absent */
  readonly key?: Buffer;
}

/** Shortest value worth remembering as secret wherever it reappears: shorter ones match by chance. */
const MIN_REMEMBERED = 4;
/** Values these rules find are secrets wherever they appear. Not environment values (all are
 *  redacted, secret or not: PWD=/tmp must not make every /tmp a placeholder), nor homes and
 *  names (they have rules of their own). */
const REMEMBERED_RULES: ReadonlySet<RedactionRule | 'patterns'> = new Set(['secretOptions', 'assignments', 'bearer', 'privateKeys', 'urlPasswords', 'patterns']);
const escapeRegExp = (text: string) => text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');

/** A string being redacted: text still to look at, and placeholders already made (never looked into again). */
type Piece = { readonly text: string; readonly done: boolean };

export class Redactor {
  private readonly key: Buffer;
  private readonly placeholders = new Map<string, string>();
  private readonly rules: readonly { readonly rule: RedactionRule | 'patterns'; readonly pattern: RegExp }[];
  private seen: RegExp | null = null;
  private readonly remembered = new Set<string>();

  constructor(private readonly settings: RedactionSettings) {
    this.key = settings.key ?? randomBytes(32);
    const { homes, users } = settings.identity;
    const longestFirst = (values: readonly string[]) => [...values].sort((a, b) => b.length - a.length).map(escapeRegExp);
    this.rules = [
      ...STRING_RULES,
      ...(homes.length ? [{ rule: 'homes' as const, pattern: new RegExp(`(?<secret>(?:${longestFirst(homes).join('|')}))(?![A-Za-z0-9._-])`, 'g') }] : []),
      ...(users.length ? [{ rule: 'users' as const, pattern: new RegExp(`(?<![A-Za-z0-9_.-])(?<secret>(?:${longestFirst(users).join('|')}))(?![A-Za-z0-9_-])`, 'g') }] : []),
      ...settings.patterns.map((pattern) => ({ rule: 'patterns' as const, pattern: new RegExp(pattern.source, pattern.flags.includes('g') ? pattern.flags : `${pattern.flags}g`) })),
    ];
  }

  /** `<redacted:XXXX>` for a value: the same for the same value, in this trace. */
  placeholder(value: string): string {
    let made = this.placeholders.get(value);
    if (!made) {
      made = `<redacted:${createHmac('sha256', this.key).update(value, 'utf8').digest('hex').slice(0, 4)}>`;
      this.placeholders.set(value, made);
    }
    return made;
  }

  private secret(value: string, rule: RedactionRule | 'patterns'): string {
    if (value.length >= MIN_REMEMBERED && REMEMBERED_RULES.has(rule) && !this.remembered.has(value)) {
      this.remembered.add(value);
      this.seen = new RegExp(`(?<secret>${[...this.remembered].sort((a, b) => b.length - a.length).map(escapeRegExp).join('|')})`, 'g');
    }
    return this.placeholder(value);
  }

  private applyRule(pieces: Piece[], rule: RedactionRule | 'patterns', pattern: RegExp): Piece[] {
    const out: Piece[] = [];
    for (const piece of pieces) {
      if (piece.done) {
        out.push(piece);
        continue;
      }
      const text = piece.text;
      let at = 0;
      pattern.lastIndex = 0;
      for (let match = pattern.exec(text); match; match = pattern.exec(text)) {
        if (match[0] === '') {
          pattern.lastIndex++;
          continue;
        }
        const value = match.groups?.secret ?? match[0];
        const start = match.index + (match.groups?.secret !== undefined ? match[0].lastIndexOf(value) : 0);
        if (value === '' || start < at) continue;
        out.push({ text: text.slice(at, start), done: false }, { text: this.secret(value, rule), done: true });
        at = start + value.length;
      }
      out.push({ text: text.slice(at), done: false });
    }
    return out.filter((piece) => piece.text !== '');
  }

  /** A string with every secret in it replaced. */
  redactString(text: string): string {
    let pieces: Piece[] = [{ text, done: false }];
    if (this.seen) pieces = this.applyRule(pieces, 'seen', this.seen);
    for (const { rule, pattern } of this.rules) pieces = this.applyRule(pieces, rule, pattern);
    return pieces.map((piece) => piece.text).join('');
  }

  /** A command line: the argument after a secret option (or a known program's password flag) is secret whole. */
  redactArgv(argv: readonly string[]): string[] {
    const programs = new Set<string>();
    return argv.map((argument, index) => {
      const previous = argv[index - 1];
      if (index > 0 && previous !== undefined && (takesSecret(previous) || this.isPasswordFlag(programs, previous))) {
        return this.secret(argument, 'secretOptions');
      }
      programs.add(basename(argument));
      const glued = this.gluedPassword(programs, argument);
      if (glued) return `${glued.flag}${this.secret(glued.password, 'secretOptions')}`;
      return this.redactString(argument);
    });
  }

  private isPasswordFlag(programs: ReadonlySet<string>, flag: string): boolean {
    return PROGRAM_PASSWORD_FLAGS.some((entry) => entry.flags.includes(flag) && entry.programs.some((program) => programs.has(program)));
  }

  /** mysql -pPASSWORD */
  private gluedPassword(programs: ReadonlySet<string>, argument: string): { flag: string; password: string } | null {
    for (const entry of PROGRAM_PASSWORD_FLAGS) {
      if (!entry.attached || !entry.programs.some((program) => programs.has(program))) continue;
      const flag = entry.flags.find((candidate) => argument.startsWith(candidate) && argument.length > candidate.length);
      if (flag) return { flag, password: argument.slice(flag.length) };
    }
    return null;
  }

  /** NAME=value: the value is secret, the name stays. */
  private redactEnv(entries: readonly ArgValue[]): ArgValue[] {
    return entries.map((entry) => {
      if (typeof entry !== 'string') return this.redactValue(entry);
      const equals = entry.indexOf('=');
      return equals < 0 ? this.placeholder(entry) : `${this.redactString(entry.slice(0, equals))}=${this.secret(entry.slice(equals + 1), 'env')}`;
    });
  }

  private redactValue(value: ArgValue): ArgValue {
    if (typeof value === 'string') return this.redactString(value);
    // bytes that were not UTF-8 ({hex}): searched as text, byte for character; a value with a
    // secret in it becomes the redacted text (its exact bytes are what must not survive)
    if (value !== null && typeof value === 'object' && !Array.isArray(value) && typeof (value as { hex?: unknown }).hex === 'string' && Object.keys(value).length === 1) {
      const text = Buffer.from((value as { hex: string }).hex, 'hex').toString('latin1');
      const redacted = this.redactString(text);
      return redacted === text ? value : redacted;
    }
    if (Array.isArray(value)) return value.map((item: ArgValue) => this.redactValue(item));
    if (value !== null && typeof value === 'object') {
      return Object.fromEntries(Object.entries(value).map(([key, field]) => [key, this.redactValue(field as ArgValue)]));
    }
    return value;
  }

  private redactArgs(record: SyscallRecord): Record<string, ArgValue> {
    const args: Record<string, ArgValue> = {};
    for (const [name, value] of Object.entries(record.args)) {
      if (name === 'argv' && Array.isArray(value) && value.every((item) => typeof item === 'string')) args[name] = this.redactArgv(value as string[]);
      else if (name === 'envp' && Array.isArray(value)) args[name] = this.redactEnv(value);
      else args[name] = this.redactValue(value);
    }
    return args;
  }

  record(record: TraceRecord): TraceRecord {
    switch (record.type) {
      case 'syscall':
        return { ...record, args: this.redactArgs(record) };
      case 'process':
      case 'exec':
        return { ...record, comm: this.redactString(record.comm) };
      case 'error':
        return { ...record, message: this.redactString(record.message) };
      case 'signal':
      case 'exit':
      case 'end':
      case 'lost':
        return record;
    }
  }

  /** The header: its command and image redacted, and the note of what redaction covers. Call it
   *  first: the command line teaches the redactor the secrets it holds. */
  header(header: TraceHeader): TraceHeader {
    return {
      ...header,
      command: this.redactArgv(header.command),
      image: header.image === null ? null : this.redactString(header.image),
      filter: { ...header.filter, caveats: header.filter.caveats.map((caveat) => this.redactString(caveat)) },
      redaction: this.note(header.redaction),
    };
  }

  /** Every rule in force (not only those that found something: a trace that shows no
   *  placeholder was still searched), merged with an earlier redaction's. */
  note(earlier?: RedactionNote): RedactionNote {
    const rules = new Set([...(earlier?.rules ?? []), ...this.rules.map(({ rule }) => rule), 'secretOptions', 'env', 'seen'].filter((rule) => rule !== 'patterns'));
    return { rules: [...rules].sort(), patterns: (earlier?.patterns ?? 0) + this.settings.patterns.length };
  }
}
