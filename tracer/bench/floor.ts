// The floor the overhead benchmark measures cttrace against: native/floor-tracer.c, a tracer
// that stops where a cttrace session stops and does nothing else. Its span against untraced
// is what ptrace itself costs a workload on this machine.
import { existsSync, readFileSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import type { EngineTables } from '../decode/capture-table.js';
import { resolveCommand } from '../cli/resolve-command.js';
import { packageRoot } from '../paths.js';
import { Behaviour, CAPTURE_ROW, MAX_SYSCALL, RecordFilter, Row } from '../protocol/layout.js';

export const FLOOR_TRACER = join(packageRoot, 'native', 'build', 'ct-floor-tracer');

/** The floor tracer's options for the stops of `tables` (the default set as the CLI builds it):
 *  recorded calls stop at entry and exit, cgroup-only file calls at entry only, unshare and
 *  setns always (the engine follows namespaces through them). */
export function floorStops(tables: EngineTables): string[] {
  const record: number[] = [];
  const check: number[] = [];
  for (let nr = 0; nr < MAX_SYSCALL; nr++) {
    const row = nr * CAPTURE_ROW;
    const selected = (tables.bitmap[nr >> 3]! >> (nr & 7)) & 1;
    const nsChange = tables.capture[row + Row.behaviour]! & Behaviour.nsChange;
    if (!selected && !nsChange) continue;
    if (selected && tables.capture[row + Row.filter]! & RecordFilter.cgroupOnly) check.push(nr);
    else record.push(nr);
  }
  return ['--record', record.join(','), ...(check.length ? ['--check', check.join(',')] : [])];
}

export function floorCommand(stops: readonly string[] | 'all', spanFile: string, command: readonly string[]): string[] {
  if (!existsSync(FLOOR_TRACER)) throw new Error(`${FLOOR_TRACER} is missing: run npm run build`);
  return [FLOOR_TRACER, ...(stops === 'all' ? ['--all'] : stops), '--span-file', spanFile, '--', resolveCommand(command[0]!), ...command];
}

/** The span the floor tracer wrote, ms; the file is removed. */
export function readFloorSpan(spanFile: string): number {
  const span = Number(readFileSync(spanFile, 'utf8'));
  rmSync(spanFile, { force: true });
  if (!Number.isFinite(span) || span <= 0) throw new Error(`the floor tracer wrote no span to ${spanFile}`);
  return span;
}
