// The shape of signatures.in's rows (parsed by tracer/tables/generate.mjs into generated data
// that the tracer and the viewer both import).
import type { SyscallFamily } from '../trace/records.js';

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
  /** colour and filter group by name (refined per call: cgroup files, clones with CLONE_NEW*) */
  readonly family: Exclude<SyscallFamily, 'cgroups'>;
  readonly changesNamespaces: boolean;
  readonly execs: boolean;
  readonly closesFd: boolean;
  /** makes a child (fork, vfork, clone, clone3) */
  readonly forks: boolean;
  /** the fd it returns names its path argument (open and friends) */
  readonly opensFd: boolean;
  /** the fd it returns names what its oldfd names (dup, dup2, dup3) */
  readonly duplicatesFd: boolean;
  /** makes or changes a mount */
  readonly changesMounts: boolean;
}
