// `cttrace watch [-o DIR]`: with eBPF, follow every container started on the host from now on,
// attached to no daemon, each container in its own trace, until Ctrl-C (or --duration).
// The kernel side picks the tasks (native/ebpf: a fork into a deeper pid namespace, a runtime
// started by a containerd shim, and all they spawn); here one decoded stream is split by process
// tree, and trees of the same container (runc create, runc start, runc delete) share a trace.
import { mkdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { Decoder } from '../decode/decoder.js';
import { startSession } from '../engine/session.js';
import { TraceFileWriter } from '../trace/file-writer.js';
import { makeTraceHeader } from '../trace/header.js';
import type { TraceHeader, TraceRecord } from '../trace/records.js';
import { ebpfLikelyAvailable } from './backend-option.js';
import { engineTablesFor, selectSyscalls } from './engine-tables.js';
import { print } from './output.js';
import { runUntilStopped } from './session-lifetime.js';
import { UserError } from './user-error.js';

export interface WatchOptions {
  readonly output?: string;
  readonly expression?: string;
  readonly all?: boolean;
  readonly env?: boolean;
  readonly duration?: number;
  /** --web: list the containers live in the viewer (--port: where) */
  readonly web?: boolean;
  readonly port?: string;
}

/** The runtimes' subcommands that name a container as their last argument. */
const CONTAINER_SUBCOMMANDS = new Set(['create', 'run', 'start', 'delete', 'kill', 'state', 'exec', 'pause', 'resume']);

/** The container a command line works on: a shim's `-id ID`, a runtime's last argument
 * (`runc --root R create --bundle B ID`); null for anything else. */
export function containerIdOf(argv: readonly string[]): string | null {
  const flag = argv.findIndex((word) => word === '-id' || word === '--id');
  const runtime = argv.length >= 3 && argv.some((word) => CONTAINER_SUBCOMMANDS.has(word));
  const id = flag >= 0 ? argv[flag + 1] : runtime ? argv.at(-1) : undefined;
  return id && /^\w[\w.-]*$/.test(id) ? id : null; // it names a file: no path in it
}

function commandLineOf(pid: number): string[] {
  try {
    return readFileSync(`/proc/${pid}/cmdline`, 'utf8').split('\0').filter(Boolean);
  } catch {
    return []; // already gone: named by its pid
  }
}

/** One trace file per container, fed from the one decoded stream. */
export class ContainerTraces {
  private readonly traceOf = new Map<number, string>(); // host tid → trace name
  private readonly writers = new Map<string, TraceFileWriter>();

  constructor(
    private readonly dir: string,
    private readonly headerFor: (name: string) => TraceHeader,
    private readonly onNewTrace: (name: string, path: string, header: TraceHeader) => void,
    /** every record as it is written to a trace (the live viewer listens here) */
    private readonly onRecord?: (name: string, record: TraceRecord) => void,
  ) {}

  get count(): number {
    return this.writers.size;
  }

  route(record: TraceRecord): void {
    // the session's own records: events lost belong to no container, so to every trace
    if (record.type === 'end' || record.type === 'lost' || (record.type === 'error' && record.pid === 0)) {
      for (const name of this.writers.keys()) this.deliver(name, record);
      return;
    }
    if (record.type === 'process' && !this.traceOf.has(record.pid)) {
      // a thread goes with its process, a process with its parent, else it starts a trace
      const known = this.traceOf.get(record.tgid) ?? this.traceOf.get(record.ppid);
      this.traceOf.set(record.pid, known ?? this.nameFor(record.tgid));
    }
    if (record.type === 'exec' && !this.traceOf.has(record.pid) && this.traceOf.has(record.formerPid)) {
      this.traceOf.set(record.pid, this.traceOf.get(record.formerPid)!);
    }
    const name = this.traceOf.get(record.pid);
    if (name !== undefined) this.deliver(name, record);
  }

  private deliver(name: string, record: TraceRecord): void {
    this.writerFor(name).write(record);
    this.onRecord?.(name, record);
  }

  async close(): Promise<void> {
    await Promise.all([...this.writers.values()].map((writer) => writer.close()));
  }

  private nameFor(pid: number): string {
    return containerIdOf(commandLineOf(pid)) ?? `pid${pid}`;
  }

  private writerFor(name: string): TraceFileWriter {
    let writer = this.writers.get(name);
    if (!writer) {
      const path = join(this.dir, `${name}.cttrace`);
      const header = this.headerFor(name);
      writer = TraceFileWriter.create(path, header);
      this.writers.set(name, writer);
      this.onNewTrace(name, path, header);
    }
    return writer;
  }
}

export async function watchCommand(options: WatchOptions): Promise<number> {
  const { expression } = selectSyscalls(options);
  if (options.duration !== undefined && !(options.duration > 0)) throw new UserError('--duration takes a number of seconds above 0');
  if (!ebpfLikelyAvailable()) {
    throw new UserError('cttrace watch needs the eBPF backend: root, a kernel with BTF (/sys/kernel/btf/vmlinux) and no lockdown; to follow one daemon instead, use cttrace attach --backend ptrace');
  }
  const dir = options.output ?? '.';
  mkdirSync(dir, { recursive: true });
  const headerFor = (name: string) =>
    makeTraceHeader({
      command: ['watch', name],
      backend: 'ebpf',
      filter: {
        mode: 'attach',
        expression,
        caveats: [
          'watched: the container was followed from the first task that made its pid namespace, or from the runtime its shim started; what came before is not in the trace',
        ],
      },
    });
  const say = (line: string) => print(process.stderr, `cttrace watch: ${line}\n`);
  const live = options.web ? await (await import('../live/live-watch.js')).startLiveWatch({ port: options.port }, say) : null;
  const traces = new ContainerTraces(
    dir,
    headerFor,
    (name, path, header) => {
      say(`${name} → ${path}`);
      live?.open(name, header);
    },
    live ? (name, record) => live.publish(name, record) : undefined,
  );
  const decoder = new Decoder();
  let engineError: string | null = null;
  let following = false;
  const session = startSession({
    target: { kind: 'containers' },
    backend: 'ebpf',
    traceAll: options.all ?? false,
    tables: engineTablesFor(options),
    onRecord(raw) {
      // the first record (HELLO) comes once the programs are in: from then on, nothing is missed
      if (!following) say('following every new container; Ctrl-C ends');
      following = true;
      const record = decoder.decode(raw);
      if (!record) return;
      if (record.type === 'error' && record.pid === 0) engineError ??= record.message;
      traces.route(record);
    },
  });
  const status = await runUntilStopped(session, options.duration, () => traces.close());
  if (status < 0) {
    await live?.close();
    throw new UserError(`cannot watch with eBPF: ${engineError ?? `errno ${-status}`}`, 1);
  }
  say(`${traces.count} traces in ${dir}`);
  await live?.finish();
  return 0;
}
