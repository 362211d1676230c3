// The syscall table of the machine cttrace runs on: the engines trace the host's native calls,
// so the numbers they are given (the traced set, the capture plan) come from its table.
import { ARCHES, type Arch } from './syscalls.js';

/** Node's process.arch → the name the syscall tables use (uname -m). */
const TABLE_OF_NODE_ARCH: Readonly<Record<string, Arch>> = { x64: 'x86_64', arm64: 'aarch64' };

/** The host's table, or null when cttrace has none for this machine. */
export function hostSyscallArch(): Arch | null {
  const arch = TABLE_OF_NODE_ARCH[process.arch];
  return arch !== undefined && ARCHES.includes(arch) ? arch : null;
}

export const KNOWN_ARCHES_TEXT = ARCHES.join(' and ');
