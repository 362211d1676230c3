// The trace format's schema (cttrace-v1.schema.json) as every reader applies it: the CLI's
// show, summary, export and view, and the web viewer's loader. No Node APIs: the viewer imports
// it too. The validators are compiled from the schema at build time (generate-validators.mjs).
import { validateHeader, validateRecord } from './generated/validators.js';
import { TRACE_FORMAT, TRACE_FORMAT_VERSION, type TraceHeader, type TraceRecord } from '../records.js';

interface SchemaError {
  readonly instancePath: string;
  readonly schemaPath: string;
  readonly keyword: string;
  readonly params: Record<string, unknown>;
  readonly message?: string;
  /** with ajv's verbose option: the value, and the schema holding the failed keyword */
  readonly data?: unknown;
  readonly parentSchema?: { readonly expected?: string };
}

type Validator = ((value: unknown) => boolean) & { errors?: SchemaError[] | null };

const SAFE = 9007199254740991;

/** "/args/flags/0" → "args.flags[0]" */
function fieldName(instancePath: string, extra?: string): string {
  const parts = instancePath.split('/').slice(1).map((part) => part.replace(/~1/g, '/').replace(/~0/g, '~'));
  if (extra !== undefined) parts.push(extra);
  return parts.reduce((name, part) => (/^\d+$/.test(part) ? `${name}[${part}]` : name ? `${name}.${part}` : part), '');
}

const TYPE_WORDS: Readonly<Record<string, string>> = {
  integer: 'an integer',
  number: 'a number',
  string: 'a string',
  object: 'an object',
  array: 'an array',
  boolean: 'true or false',
  null: 'null',
};

function typeWords(type: unknown): string {
  const types = String(type).split(',');
  const words = types.map((name) => TYPE_WORDS[name] ?? name);
  return words.length > 1 ? `${words.slice(0, -1).join(', ')} or ${words.at(-1)}` : words[0]!;
}

function describe(error: SchemaError, errors: readonly SchemaError[]): string {
  // A value with alternatives: the outermost anyOf's own words (`expected` in the schema) say
  // what would do, not its first branch's.
  const alternatives = [...errors].reverse().find((other) => other.keyword === 'anyOf' && other.instancePath === error.instancePath && other.parentSchema?.expected);
  const field = JSON.stringify(fieldName(error.instancePath));
  if (alternatives) return error.instancePath === '' ? `the record must be ${alternatives.parentSchema!.expected}` : `field ${field} must be ${alternatives.parentSchema!.expected}`;
  switch (error.keyword) {
    case 'required':
      return `field ${JSON.stringify(fieldName(error.instancePath, String(error.params.missingProperty)))} is missing`;
    case 'type':
      if (error.instancePath === '') return 'the line must be a JSON object';
      // a fraction where anything but a fraction would do (an argument value): the number is what is wrong
      if (typeof error.data === 'number' && String(error.params.type).split(',').includes('integer')) return `field ${field} must be an integer`;
      return `field ${field} must be ${typeWords(error.params.type)}`;
    case 'minimum':
      return `field ${field} must not be negative`;
    case 'maximum':
      return Number(error.params.limit) === SAFE
        ? `field ${field} is beyond ±(2^53-1): such an integer is written as a string of its decimal digits`
        : `field ${field} must be at most ${String(error.params.limit)}`;
    case 'enum':
      return `field ${field} must be one of ${(error.params.allowedValues as unknown[]).map((value) => JSON.stringify(value)).join(', ')}`;
    case 'const':
      return `field ${field} must be ${JSON.stringify(error.params.allowedValue)}`;
    case 'pattern':
      return `field ${field} must be a string of decimal digits`;
    default:
      return `field ${field} ${error.message ?? 'does not fit the trace format'}`;
  }
}

function problem(validate: Validator, value: unknown): string | null {
  if (validate(value)) return null;
  const errors = validate.errors ?? [];
  // ajv reports the failed if/then (and anyOf) after the error inside it: the first other one is the cause
  const cause = errors.find((error) => error.keyword !== 'if' && error.keyword !== 'anyOf') ?? errors[0];
  return cause ? describe(cause, errors) : 'it does not fit the trace format';
}

/** Why a parsed line is not a trace record (one line of text), or null when it is one. */
export function recordProblem(value: unknown): string | null {
  return problem(validateRecord as Validator, value);
}

/** A trace of a newer major version than this reader knows (its version number), or null. */
export function newerVersion(value: unknown): number | null {
  const version = (value as { version?: unknown } | null)?.version;
  return typeof version === 'number' && Math.floor(version) > TRACE_FORMAT_VERSION ? version : null;
}

/** Whether a parsed first line says it is a cttrace header at all (format: "cttrace"). */
export function isCttraceHeader(value: unknown): boolean {
  return value !== null && typeof value === 'object' && (value as { format?: unknown }).format === TRACE_FORMAT;
}

/** Why a parsed first line is not a header this reader takes (after isCttraceHeader and newerVersion), or null. */
export function headerProblem(value: unknown): string | null {
  return problem(validateHeader as Validator, value);
}

/** The header fields completeHeader fills in when absent: what a reader says it does not know. */
const OPTIONAL_HEADER_FIELDS = ['command', 'cttrace', 'created', 'kernel', 'arch', 'image', 'runtime', 'filter', 'host'] as const;

/** The optional fields a header lacks (say so rather than show the filled-in defaults as facts). */
export function missingHeaderFields(header: object): string[] {
  return OPTIONAL_HEADER_FIELDS.filter((field) => !(field in header));
}

/**
 * The header with every field a reader uses: only format and version are required, so the
 * others, when absent, are given values that say nothing is known.
 */
export function completeHeader(header: Partial<TraceHeader> & Pick<TraceHeader, 'format' | 'version'>): TraceHeader {
  return {
    ...header,
    cttrace: header.cttrace ?? 'unknown',
    created: header.created ?? 'unknown',
    kernel: header.kernel ?? 'unknown',
    arch: header.arch ?? 'unknown',
    command: header.command ?? [],
    image: header.image ?? null,
    runtime: header.runtime ?? null,
    filter: {
      mode: header.filter?.mode ?? 'seccomp',
      expression: header.filter?.expression ?? 'unknown',
      caveats: header.filter?.caveats ?? [],
    },
    host: { pid: header.host?.pid ?? 0, ns: header.host?.ns ?? {} },
  };
}

/**
 * Checks records one by one: a record that breaks the schema ends the read (`fail`), or with
 * lenient set is skipped and counted; `summary()` then says how many.
 */
export class RecordChecker {
  skipped = 0;
  firstProblem: string | null = null;

  constructor(
    private readonly name: string,
    private readonly lenient: boolean,
    private readonly fail: (message: string) => never,
  ) {}

  /** The record, or null when lenient skips it. */
  check(value: unknown, line: number): TraceRecord | null {
    const found = recordProblem(value);
    if (found === null) return value as TraceRecord;
    return this.reject(`${this.name} line ${line}: ${found}`);
  }

  /** A line that is no JSON at all: the same as a record that breaks the schema. */
  notJson(line: number): null {
    return this.reject(`${this.name} line ${line} is not JSON: the trace is corrupt (cut or edited?)`);
  }

  private reject(message: string): null {
    if (!this.lenient) this.fail(message);
    this.skipped++;
    this.firstProblem ??= message;
    return null;
  }

  /** One line about what --lenient skipped, or null when nothing was. */
  summary(): string | null {
    if (this.skipped === 0) return null;
    const records = this.skipped === 1 ? '1 record that does' : `${this.skipped} records that do`;
    return `skipped ${records} not fit the trace format (the first: ${this.firstProblem})`;
  }
}
