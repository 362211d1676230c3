// --backend: which engine records. One definition for trace, run and attach (main.ts), and each
// command's default, chosen from measurements (README, "Backends").
import { existsSync, readFileSync } from 'node:fs';
import { BACKENDS, type Backend } from '../engine/backends.js';
import { UserError } from './user-error.js';

export const BACKEND_HELP = (starts: boolean) =>
  `ptrace (stops each tracee at its calls) or ebpf (programs in the kernel record, nobody stops); default: ${starts ? 'ptrace' : 'ebpf where it can run, else ptrace'}`;

/** Whether the eBPF backend can be expected to load here: the kernel's BTF, root (CAP_BPF and
 * CAP_PERFMON), no lockdown that forbids reading memory. The engine still says why if it fails. */
export function ebpfLikelyAvailable(): boolean {
  if (process.getuid?.() !== 0 || !existsSync('/sys/kernel/btf/vmlinux')) return false;
  try {
    return !readFileSync('/sys/kernel/security/lockdown', 'utf8').includes('[confidentiality]');
  } catch {
    return true; // no lockdown LSM
  }
}

/**
 * The backend asked for, or the command's default: attaching to a running daemon under ptrace
 * stops every thread at every syscall (no prefilter is possible) and slowed containerd's `docker
 * run` 3.3x, while eBPF stops nobody; a command cttrace starts is prefiltered under ptrace, which
 * reads its memory exactly (page faults served) and needs no CAP_BPF.
 */
export function backendOf(options: { readonly backend?: string }, starts: boolean): Backend {
  const backend = options.backend ?? (starts || !ebpfLikelyAvailable() ? 'ptrace' : 'ebpf');
  if (!(BACKENDS as readonly string[]).includes(backend)) throw new UserError(`unknown backend "${backend}": use --backend ${BACKENDS.join(' or --backend ')}`);
  return backend as Backend;
}
