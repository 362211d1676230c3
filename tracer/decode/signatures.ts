// Reads signatures.in: for each decoded syscall, its arguments' names and types, its return type
// and behaviour marks. The one table behind both the engine's capture table and the decoder.
import { readFileSync } from 'node:fs';
import { signaturesPath } from '../paths.js';

export interface ArgumentSignature {
  readonly name: string;
  /** type name, e.g. "path", "clone_flags", "bytes" */
  readonly type: string;
  /** for types with a parameter, e.g. bytes(count): the index of the argument named */
  readonly parameterIndex: number | null;
  /** `TYPE/64`: a flag or value set the kernel takes as a 64-bit (unsigned long, u64) value;
   *  without it the set is an `int`/`unsigned int` and the register's upper half is ignored */
  readonly wide: boolean;
}

export interface SyscallSignature {
  readonly name: string;
  readonly args: readonly ArgumentSignature[];
  readonly returns: string;
  readonly changesNamespaces: boolean;
  readonly execs: boolean;
  readonly closesFd: boolean;
  /** makes a child (fork, vfork, clone, clone3) */
  readonly forks: boolean;
}

export class SignatureTableError extends Error {}

const ARGUMENT = /^([a-z_0-9]+):([a-z_0-9]+)(?:\(([a-z_0-9]+)\))?(\/64)?$/;

function parseLine(line: string, lineNumber: number): SyscallSignature {
  const fail = (why: string) => new SignatureTableError(`signatures.in line ${lineNumber}: ${why}`);
  const [left, right = 'int'] = line.split('->').map((part) => part.trim());
  const [name, ...argumentWords] = left!.split(/\s+/);
  const [returns = 'int', ...marks] = right.split(/\s+/);
  const raw = argumentWords.map((word) => {
    const match = ARGUMENT.exec(word);
    if (!match) throw fail(`cannot read argument "${word}"`);
    return { name: match[1]!, type: match[2]!, parameter: match[3], wide: match[4] !== undefined };
  });
  const args = raw.map(({ name: argName, type, parameter, wide }) => {
    let parameterIndex: number | null = null;
    if (parameter !== undefined) {
      parameterIndex = raw.findIndex((other) => other.name === parameter);
      if (parameterIndex < 0) throw fail(`${argName}'s length argument "${parameter}" is not an argument`);
    }
    return { name: argName, type, parameterIndex, wide };
  });
  for (const mark of marks) if (!['!ns', '!exec', '!closes', '!forks'].includes(mark)) throw fail(`unknown mark "${mark}"`);
  return {
    name: name!,
    args,
    returns,
    changesNamespaces: marks.includes('!ns'),
    execs: marks.includes('!exec'),
    closesFd: marks.includes('!closes'),
    forks: marks.includes('!forks'),
  };
}

export function parseSignatures(text: string): ReadonlyMap<string, SyscallSignature> {
  const signatures = new Map<string, SyscallSignature>();
  text.split('\n').forEach((line, index) => {
    const trimmed = line.trim();
    if (!trimmed || trimmed.startsWith('#')) return;
    const signature = parseLine(trimmed, index + 1);
    signatures.set(signature.name, signature);
  });
  return signatures;
}

let loaded: ReadonlyMap<string, SyscallSignature> | undefined;

export function signatures(): ReadonlyMap<string, SyscallSignature> {
  loaded ??= parseSignatures(readFileSync(signaturesPath, 'utf8'));
  return loaded;
}
