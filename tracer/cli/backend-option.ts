// --backend: which engine records. One definition for trace, run and attach (main.ts), and each
// command's default, chosen from measurements (README, "Backends").
import { existsSync, readFileSync } from 'node:fs';
import { BACKENDS, type Backend } from '../engine/backends.js';
import { UserError } from './user-error.js';

/**
 * Measured on a loaded 2-core VM (README): an attach to containerd made every `docker run` 1.66x
 * under ptrace (no prefilter is possible: every thread stops at every call), 0.97x under eBPF, so
 * attach uses eBPF. `run` was 1.55x under ptrace and 1.06x under eBPF, but it keeps ptrace: every
 * container it starts gets docker's seccomp profile, and a call that profile refuses never reaches
 * the syscall tracepoints eBPF reads (seccomp runs first), while ptrace --all shows it with its
 * EPERM; ptrace also reads memory exactly. `trace` keeps ptrace: it works on your own processes
 * without root.
 */
const DEFAULTS = { trace: 'ptrace', run: 'ptrace', attach: 'ebpf' } as const satisfies Record<string, Backend>;
export type TracingCommand = keyof typeof DEFAULTS;

export const backendHelp = (command: TracingCommand): string =>
  `ptrace (stops each tracee at its calls) or ebpf (programs in the kernel record, nobody stops); default: ${
    DEFAULTS[command] === 'ebpf' ? 'ebpf where it can run, else ptrace' : 'ptrace'
  }`;

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

/** The backend asked for, or the command's default where it can run. */
export function backendOf(options: { readonly backend?: string }, command: TracingCommand): Backend {
  const backend = options.backend ?? (DEFAULTS[command] === 'ebpf' && ebpfLikelyAvailable() ? 'ebpf' : 'ptrace');
  if (!(BACKENDS as readonly string[]).includes(backend)) throw new UserError(`unknown backend "${backend}": use --backend ${BACKENDS.join(' or --backend ')}`);
  return backend as Backend;
}
