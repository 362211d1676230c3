// Reads prctl.in: for each prctl option (and sub-command), the types of the arguments it takes
// and how its result reads. The terminal shows a prctl call through it, as strace does.
import { readFileSync } from 'node:fs';
import { prctlTablePath } from '../paths.js';

/** A mistake in prctl.in. */
export class PrctlTableError extends Error {}

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

export function parsePrctlTable(text: string): ReadonlyMap<string, PrctlShape> {
  const shapes = new Map<string, PrctlShape>();
  text.split('\n').forEach((line, index) => {
    const trimmed = line.trim();
    if (!trimmed || trimmed.startsWith('#')) return;
    const [left, right] = trimmed.split('->').map((part) => part.trim());
    const [key, ...words] = left!.split(/\s+/);
    if (!/^PR_[A-Z0-9_]+(:[A-Z0-9_]+)?$/.test(key!)) throw new PrctlTableError(`prctl.in line ${index + 1}: "${key}" is not an option`);
    const args = words.map((word) => ({ type: word.replace(/\/64$/, ''), wide: word.endsWith('/64') }));
    shapes.set(key!, { args, result: right ?? null });
  });
  return shapes;
}

let loaded: ReadonlyMap<string, PrctlShape> | undefined;

export function prctlShapes(): ReadonlyMap<string, PrctlShape> {
  loaded ??= parsePrctlTable(readFileSync(prctlTablePath, 'utf8'));
  return loaded;
}
