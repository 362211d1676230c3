// Syscall numbers, names and trace classes per arch, over the tables generated from syscalls/*.in.
import { ARCHES, SYSCALL_CLASSES, SYSCALL_TABLES, type Arch, type SyscallInfo } from './generated/syscalls.js';

export { ARCHES, SYSCALL_CLASSES };
export type { Arch, SyscallInfo };

export function isArch(name: string): name is Arch {
  return (ARCHES as readonly string[]).includes(name);
}

export function syscallByNr(arch: Arch, nr: number): SyscallInfo | undefined {
  return SYSCALL_TABLES[arch].byNr[nr];
}

export function syscallByName(arch: Arch, name: string): SyscallInfo | undefined {
  const nr = SYSCALL_TABLES[arch].nrByName.get(name);
  return nr === undefined ? undefined : SYSCALL_TABLES[arch].byNr[nr];
}

/** The name to print for a syscall number: the table's, or strace's "syscall_0x1c8" for one the
 *  table does not know (a kernel newer than the table). */
export function syscallName(arch: Arch, nr: number): string {
  return syscallByNr(arch, nr)?.name ?? `syscall_0x${nr.toString(16)}`;
}

/** Every syscall of the arch, in number order. */
export function allSyscalls(arch: Arch): readonly SyscallInfo[] {
  return SYSCALL_TABLES[arch].byNr.filter((info): info is SyscallInfo => info !== undefined);
}

const classMembers = new Map<string, readonly SyscallInfo[]>();

/** Syscalls in a trace class such as "%process" or "%mount" (the % is part of the name);
 *  [] for a class no syscall of this arch has. */
export function syscallsInClass(arch: Arch, cls: string): readonly SyscallInfo[] {
  const key = `${arch} ${cls}`;
  let members = classMembers.get(key);
  if (!members) {
    members = allSyscalls(arch).filter((info) => info.classes.includes(cls));
    classMembers.set(key, members);
  }
  return members;
}

const argumentCounts = new Map<string, number>();
for (const arch of ARCHES) for (const info of SYSCALL_TABLES[arch].byNr) if (info) argumentCounts.set(info.name, info.args);

/** How many arguments a syscall takes, by name (the same on every arch); undefined for a name
 *  no table has (syscall_0x1c8): then all six registers are shown, as strace does. */
export function argumentCount(name: string): number | undefined {
  return argumentCounts.get(name);
}
