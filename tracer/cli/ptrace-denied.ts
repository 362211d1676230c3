// Why ptrace was refused (EPERM/EACCES), in words that name the real cause: a process has one
// tracer at a time, so cttrace run under strace -f (which follows cttrace's children) cannot seize
// the command it starts, and a process under gdb cannot be attached to; then Yama's
// ptrace_scope, then missing privilege.
import { readFileSync } from 'node:fs';

interface Tracer {
  readonly pid: number;
  readonly comm: string;
}

/** Who traces `pid` (TracerPid in /proc/PID/status), or null. */
export function tracerOf(pid: number | 'self'): Tracer | null {
  let status: string;
  try {
    status = readFileSync(`/proc/${pid}/status`, 'utf8');
  } catch {
    return null;
  }
  const tracer = Number(/^TracerPid:\s*(\d+)$/m.exec(status)?.[1] ?? 0);
  if (!tracer) return null;
  let comm = '?';
  try {
    comm = readFileSync(`/proc/${tracer}/comm`, 'utf8').trim();
  } catch {
    // gone meanwhile
  }
  return { pid: tracer, comm };
}

function ptraceScope(): number | null {
  try {
    return Number(readFileSync('/proc/sys/kernel/yama/ptrace_scope', 'utf8').trim());
  } catch {
    return null; // no Yama
  }
}

/** The message for a refused ptrace of `subject`; `attached`: the pids attach asked for (none: a command cttrace started). */
export function ptraceDeniedMessage(subject: string, errnoText: string, attached: readonly number[]): string {
  const self = tracerOf('self');
  if (self) {
    return `cannot trace ${subject}: cttrace is itself being traced (by ${self.comm}, pid ${self.pid}), and a process has one tracer at a time (strace -f follows cttrace's children too): run cttrace outside ${self.comm}`;
  }
  for (const pid of attached) {
    const other = tracerOf(pid);
    if (other) return `cannot trace ${subject}: process ${pid} is already traced by ${other.comm} (pid ${other.pid}), and a process has one tracer at a time: detach ${other.comm} first`;
  }
  const root = process.getuid?.() === 0;
  const scope = ptraceScope();
  if (scope === 3) return `cannot trace ${subject}: ptrace is disabled on this machine (kernel.yama.ptrace_scope=3, which only a reboot undoes)`;
  if (!root) return `cannot trace ${subject}: ptrace is not permitted (${errnoText}); run as root${scope && scope > 0 ? ', or set kernel.yama.ptrace_scope=0' : ''}`;
  if (scope === 2) return `cannot trace ${subject}: ptrace is not permitted (${errnoText}): kernel.yama.ptrace_scope=2 lets only processes with CAP_SYS_PTRACE trace; give cttrace that capability or set kernel.yama.ptrace_scope=1`;
  return `cannot trace ${subject}: ptrace is not permitted (${errnoText}) though cttrace runs as root: a security module (SELinux, AppArmor, a container's seccomp profile) refuses it; allow ptrace for cttrace`;
}
