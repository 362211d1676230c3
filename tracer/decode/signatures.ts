// What each decoded syscall takes, returns and does: signatures.in, parsed at build time into
// tracer/tables/generated/signatures.ts (the viewer imports the same data). The one table behind
// the engine's capture table, the decoder, the terminal and the analyses.
import { SIGNATURES } from '../tables/generated/signatures.js';
import type { SyscallSignature } from './signature-types.js';

export type { ArgumentSignature, SyscallSignature } from './signature-types.js';

const byName: ReadonlyMap<string, SyscallSignature> = new Map(SIGNATURES.map((signature) => [signature.name, signature]));

export function signatures(): ReadonlyMap<string, SyscallSignature> {
  return byName;
}

/** Names of the decoded syscalls that have a mark, e.g. every one that forks. */
export function syscallsWhere(has: (signature: SyscallSignature) => boolean): ReadonlySet<string> {
  return new Set(SIGNATURES.filter(has).map((signature) => signature.name));
}
