// From the CLI's -e / --all / --env to what the engine is given: which syscalls it stops at and
// records, and what it copies out of the tracee for each. The bench builds its tables here too,
// so that it measures what users run.
import { buildEngineTables, type EngineTables } from '../decode/capture-table.js';
import { CGROUP_FILE_CALLS } from '../filter/default-trace-set.js';
import { parseTraceExpression, TraceExpressionError } from '../filter/trace-expression.js';
import { MAX_SYSCALL } from '../protocol/layout.js';
import { hostSyscallArch as hostArchOrNull, KNOWN_ARCHES_TEXT } from '../tables/host-arch.js';
import { allSyscalls, syscallByName, type Arch } from '../tables/syscalls.js';
import { UserError } from './user-error.js';

export interface SelectionOptions {
  readonly expression?: string;
  readonly all?: boolean;
  readonly env?: boolean;
  /** -v: lines unabbreviated, environments included, so they are recorded as with --env */
  readonly verbose?: boolean;
}

export interface Selection {
  readonly traced: ReadonlySet<number>;
  readonly expression: string;
  /** file calls present only through `default`: recorded for cgroup files only */
  readonly cgroupOnly: ReadonlySet<number>;
}

function hostSyscallArch(): Arch {
  const arch = hostArchOrNull();
  if (arch === null) throw new UserError(`cttrace has no syscall table for this machine (${process.arch}): it traces ${KNOWN_ARCHES_TEXT} hosts`);
  return arch;
}

function parse(expression: string): ReadonlySet<number> {
  try {
    return parseTraceExpression(expression, hostSyscallArch()).syscalls;
  } catch (error) {
    if (error instanceof TraceExpressionError) throw new UserError(error.message);
    throw error;
  }
}

export function selectSyscalls(options: SelectionOptions): Selection {
  const expression = options.all ? 'all' : (options.expression?.replace(/^trace=/, '') ?? 'default');
  if (options.all) return { traced: new Set(allSyscalls(hostSyscallArch()).map((info) => info.nr)), expression, cgroupOnly: new Set() };
  const traced = parse(expression);
  const items = expression.split(',').map((item) => item.trim());
  if (expression.startsWith('!') || !items.includes('default')) return { traced, expression, cgroupOnly: new Set() };
  const others = items.filter((item) => item !== 'default');
  const explicit = others.length ? parse(others.join(',')) : new Set<number>();
  const cgroupFiles = CGROUP_FILE_CALLS.map((name) => syscallByName(hostSyscallArch(), name)?.nr).filter((nr): nr is number => nr !== undefined);
  return { traced, expression, cgroupOnly: new Set(cgroupFiles.filter((nr) => traced.has(nr) && !explicit.has(nr))) };
}

export function engineTablesFor(options: SelectionOptions): EngineTables {
  const { traced, cgroupOnly } = selectSyscalls(options);
  const tables = buildEngineTables(hostSyscallArch(), traced, { env: (options.env || options.verbose) ?? false, cgroupOnly });
  if (options.all) tables.bitmap.fill(0xff, 0, MAX_SYSCALL / 8);
  return tables;
}
