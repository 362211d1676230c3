// Syscall families as small integers, for the columnar span store and for colouring.
import type { SyscallFamily } from '../../../tracer/trace/records.js';

export const FAMILIES = ['namespaces', 'mounts', 'process', 'exec', 'cgroups', 'files', 'ids', 'other'] as const satisfies readonly SyscallFamily[];
export type Family = (typeof FAMILIES)[number];
export const FAMILY_COUNT = FAMILIES.length;
const OTHER = FAMILIES.indexOf('other');

const indexByName = new Map<string, number>(FAMILIES.map((family, index) => [family, index]));

/** The family's index in FAMILIES; unknown families count as `other`. */
export function familyIndex(family: string): number {
  return indexByName.get(family) ?? OTHER;
}

/** The character code at text[at]: a string's, or an ASCII byte's (the WebAssembly scanner's runs). */
export function codeAt(text: string | Uint8Array, at: number): number {
  return typeof text === 'string' ? text.charCodeAt(at) : text[at]!;
}

/** familyIndex of text[start..end) without making a string: the families differ in their first letter. */
export function familyIndexAt(text: string | Uint8Array, start: number, end: number): number {
  const candidate = byFirstLetter[codeAt(text, start)];
  if (candidate === undefined) return OTHER;
  const name = FAMILIES[candidate]!;
  if (name.length !== end - start) return OTHER;
  for (let i = 1; i < name.length; i++) if (name.charCodeAt(i) !== codeAt(text, start + i)) return OTHER;
  return candidate;
}

const byFirstLetter: number[] = [];
FAMILIES.forEach((family, index) => (byFirstLetter[family.charCodeAt(0)] = index));
