// prctl(2) per option: the types of the arguments it takes and how its result reads, from
// prctl.in (parsed at build time into tracer/tables/generated/prctl.ts). The terminal shows a
// prctl call through it, as strace does.
import { PRCTL_SHAPES } from '../tables/generated/prctl.js';

export interface PrctlArgument {
  readonly type: string;
  /** SET/64: a 64-bit set */
  readonly wide: boolean;
}

export interface PrctlShape {
  /** ARG2 onwards; `rest` last means every remaining argument in hex */
  readonly args: readonly PrctlArgument[];
  /** the set that names the return value, if any */
  readonly result: string | null;
}

const shapes: ReadonlyMap<string, PrctlShape> = new Map(PRCTL_SHAPES);

export function prctlShapes(): ReadonlyMap<string, PrctlShape> {
  return shapes;
}
