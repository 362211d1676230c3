// What an execve's command line says about a container: a runtime with runc's command line
// (`runc [global options] create [options] ID`, crun's and ctrun's alike) or a containerd shim
// (`containerd-shim-runc-v2 -namespace moby -id ID [-bundle DIR] start`) names the container it
// works on, and where its bundle is. Pure: the container split of the CLI and the viewer use it.
import type { SyscallRecord } from '../trace/records.js';

export const RUNTIME_KINDS = ['ctrun', 'runc', 'crun', 'other'] as const;
export type RuntimeKind = (typeof RUNTIME_KINDS)[number];

export interface ContainerCommand {
  /** a runtime's stage of a container's life (create, run, start, delete...), or a shim serving it */
  readonly role: 'runtime' | 'shim';
  /** the executable's file name: runc, crun, ctrun, youki, containerd-shim-runc-v2 */
  readonly program: string;
  readonly runtime: RuntimeKind | null;
  /** create, run, start, delete, kill, exec, state... (null for a shim) */
  readonly subcommand: string | null;
  readonly id: string;
  /** --bundle / -b (runtime) or -bundle (shim) when given */
  readonly bundle: string | null;
}

/** Runtimes known by name; any other program counts as a runtime when its create or run names a --bundle. */
const NAMED_RUNTIMES: Readonly<Record<string, RuntimeKind>> = { ctrun: 'ctrun', runc: 'runc', crun: 'crun', youki: 'other', runsc: 'other' };

/** The subcommands of runc's command line whose first operand is the container id. */
const ID_SUBCOMMANDS = new Set(['create', 'run', 'start', 'delete', 'kill', 'exec', 'state', 'pause', 'resume', 'update', 'ps', 'events', 'checkpoint', 'restore']);

/** Options (runc's, crun's and ctrun's, global and per subcommand) followed by a value: the
 *  value is not an operand. Options not named here are flags, or written --name=value. */
const VALUE_OPTIONS = new Set([
  // global
  '--root', '--log', '--log-format', '--log-level', '--criu', '--rootless', '--cgroup-manager',
  // create, run, restore
  '--bundle', '-b', '--console-socket', '--pid-file', '--preserve-fds',
  // exec
  '--cwd', '--env', '-e', '--user', '-u', '--additional-gids', '-g', '--process', '-p', '--process-label', '--apparmor', '--cap', '-c', '--cgroup',
  // update (a few take a value; --resources/-r a file)
  '--resources', '-r', '--memory', '--memory-swap', '--memory-reservation', '--cpu-shares', '--cpu-quota', '--cpu-period', '--cpuset-cpus', '--cpuset-mems', '--pids-limit', '--blkio-weight', '--kernel-memory', '--kernel-memory-tcp', '--l3-cache-schema', '--mem-bw-schema',
  // checkpoint, restore
  '--image-path', '--work-path', '--parent-path', '--manage-cgroups-mode', '--page-server', '--empty-ns', '--auto-dedup', '--lazy-pages', '--status-fd', '--lsm-profile', '--lsm-mount-context',
  // events; ps (its -f is not delete's -f: only the long form here)
  '--interval', '--format',
]);

const baseName = (path: string) => path.slice(path.lastIndexOf('/') + 1);

function stringArgv(record: SyscallRecord): string[] | null {
  const argv = record.args.argv;
  return Array.isArray(argv) && argv.every((arg) => typeof arg === 'string') ? (argv as string[]) : null;
}

/** `--name value`, `--name=value`, `-b value`: the value of an option among args, or null. */
function optionValue(args: readonly string[], names: readonly string[]): string | null {
  for (let i = 0; i < args.length; i++) {
    const arg = args[i]!;
    for (const name of names) {
      if (arg === name && i + 1 < args.length) return args[i + 1]!;
      if (arg.startsWith(`${name}=`)) return arg.slice(name.length + 1);
    }
  }
  return null;
}

/** Operands (not options, not option values), in order, with where each stands. */
function operands(args: readonly string[], from: number): { value: string; at: number }[] {
  const found: { value: string; at: number }[] = [];
  for (let i = from; i < args.length; i++) {
    const arg = args[i]!;
    if (arg === '--') {
      for (let j = i + 1; j < args.length; j++) found.push({ value: args[j]!, at: j });
      break;
    }
    if (arg.startsWith('-') && arg.length > 1) {
      if (!arg.includes('=') && VALUE_OPTIONS.has(arg)) i++;
      continue;
    }
    found.push({ value: arg, at: i });
  }
  return found;
}

function runtimeCommand(program: string, argv: readonly string[]): ContainerCommand | null {
  const args = argv.slice(1);
  const named = NAMED_RUNTIMES[program];
  // a runtime known by name: the first operand that is a subcommand (a global option this table
  // does not know may have left its value before it: `runsc --platform ptrace run ...`); any
  // other program: its first operand, or a wrapper's (`unshare ... crun run`) would be taken
  const found = operands(args, 0);
  const subcommand = named ? found.find((operand) => ID_SUBCOMMANDS.has(operand.value)) : found[0];
  if (!subcommand || !ID_SUBCOMMANDS.has(subcommand.value)) return null;
  const id = operands(args, subcommand.at + 1)[0]?.value;
  if (!id) return null;
  const bundle = optionValue(args.slice(subcommand.at + 1), ['--bundle', '-b']);
  // an unknown program is a runtime only when its command line is one without doubt
  if (!named && !((subcommand.value === 'create' || subcommand.value === 'run') && bundle !== null)) return null;
  return { role: 'runtime', program, runtime: named ?? 'other', subcommand: subcommand.value, id, bundle };
}

function shimCommand(program: string, argv: readonly string[]): ContainerCommand | null {
  if (!program.startsWith('containerd-shim')) return null;
  const id = optionValue(argv, ['-id', '--id']);
  return id ? { role: 'shim', program, runtime: null, subcommand: null, id, bundle: optionValue(argv, ['-bundle', '--bundle']) } : null;
}

/** The container a successful execve's command line names, or null. The program is told by
 *  argv[0] and by the file exec'd (runc re-execs itself as /proc/self/exe; that is `runc init`, no id). */
export function containerCommand(record: SyscallRecord): ContainerCommand | null {
  if ((record.name !== 'execve' && record.name !== 'execveat') || record.err !== null || record.ret !== 0) return null;
  const argv = stringArgv(record);
  return argv ? containerCommandOf(argv, typeof record.args.filename === 'string' ? record.args.filename : '') : null;
}

/** The same for a command line (argv, and the file it runs when known): the trace header's too. */
export function containerCommandOf(argv: readonly string[], filename = ''): ContainerCommand | null {
  if (argv.length === 0) return null;
  const programs = [baseName(argv[0]!), baseName(filename)].filter((name) => name !== '' && name !== 'exe');
  for (const program of programs) {
    const found = shimCommand(program, argv) ?? runtimeCommand(program, argv);
    if (found) return found;
  }
  return null;
}
