// A trace split into the containers it holds: an attach to containerd during several `docker
// run`s, a script that starts three, `cttrace run`'s one. A container is named by the command
// lines that work on it (the runtime's `create`/`run`/`start`/`delete` ID, the shim's `-id`):
// the process that exec'd such a command line is the container's, and so is every process it
// forks (the runtime's stages, the container's PID 1 and what that starts), unless a child names
// another container itself. A trace where no command line names one (`unshare --fork --pid ...`)
// has one container per process that is PID 1 of a new PID namespace, with the processes that
// led to it. Everything else (containerd, dockerd, the script) is in no container. Pure: the
// CLI and the viewer both split with it.
import type { ProcessRecord, TraceHeader, TraceRecord } from '../trace/records.js';
import { containerCommand, type ContainerCommand, type RuntimeKind } from './runtime-command-line.js';

export interface Container {
  readonly id: string;
  /** where the id comes from: a runtime's or shim's command line, or (none names one) the PID namespace's inode */
  readonly named: 'command line' | 'pid namespace';
  /** the runtime by its executable: ctrun, runc, crun, or other (program says which) */
  readonly runtime: RuntimeKind | null;
  readonly program: string | null;
  /** the image, where the trace tells it (`cttrace run` records the image it ran) */
  readonly image: string | null;
  readonly bundle: string | null;
  /** host tids of its tasks, in the order they appeared */
  readonly tasks: readonly number[];
  /** its PID 1 (host pid) and the command line it exec'd last, when in the trace */
  readonly init: { readonly pid: number; readonly argv: readonly string[] | null } | null;
  /** ns since the trace began: its first record, and the end of its last */
  readonly start: number;
  readonly end: number;
}

export interface ContainerSplit {
  readonly containers: readonly Container[];
  /** host tids in no container, in the order they appeared */
  readonly outside: readonly number[];
}

interface Task {
  readonly tid: number;
  readonly first: ProcessRecord;
  last: ProcessRecord;
  /** the command lines naming a container this task exec'd */
  commands: ContainerCommand[];
  /** the last successful exec's argv */
  argv: readonly string[] | null;
  start: number;
  end: number;
}

type Header = Pick<TraceHeader, 'host' | 'image' | 'command'>;

function readTasks(records: readonly TraceRecord[]): Map<number, Task> {
  const tasks = new Map<number, Task>();
  for (const record of records) {
    if (record.type === 'end' || record.type === 'lost') continue;
    let task = tasks.get(record.pid);
    if (record.type === 'process') {
      if (!task) {
        task = { tid: record.pid, first: record, last: record, commands: [], argv: null, start: record.t, end: record.t };
        tasks.set(record.pid, task);
      }
      task.last = record;
    }
    if (!task) continue; // a record before its task's description: the engine always sends the description first
    task.end = Math.max(task.end, record.t + (record.type === 'syscall' ? record.dur : 0));
    if (record.type !== 'syscall') continue;
    const command = containerCommand(record);
    if (command) task.commands.push(command);
    if ((record.name === 'execve' || record.name === 'execveat') && record.ret === 0 && Array.isArray(record.args.argv)) {
      task.argv = record.args.argv.filter((arg): arg is string => typeof arg === 'string');
    }
  }
  return tasks;
}

/** A thread belongs where its process does; a process where its parent did when it forked. */
function processOf(tasks: ReadonlyMap<number, Task>, tid: number): Task | undefined {
  const task = tasks.get(tid);
  return task && task.first.tgid !== tid ? (tasks.get(task.first.tgid) ?? task) : task;
}

function parentOf(tasks: ReadonlyMap<number, Task>, task: Task): Task | undefined {
  const parent = processOf(tasks, task.first.ppid);
  return parent && parent !== task ? parent : undefined;
}

const isNewInit = (task: Task, header: Header) => {
  const { nspid, ns } = task.last;
  return nspid.length > 1 && nspid[nspid.length - 1] === 1 && ns.pid !== header.host.ns.pid;
};

/** Container id per process (thread group leader), from the command lines. */
function namedOwners(tasks: ReadonlyMap<number, Task>): Map<Task, string | null> {
  const owner = new Map<Task, string | null>();
  const resolve = (task: Task, seen: Set<Task>): string | null => {
    if (owner.has(task)) return owner.get(task)!;
    const own = task.commands[0]?.id;
    let id: string | null = own ?? null;
    if (id === null) {
      const parent = parentOf(tasks, task);
      id = parent && !seen.has(parent) ? resolve(parent, seen.add(task)) : null;
    }
    owner.set(task, id);
    return id;
  };
  for (const task of tasks.values()) resolve(processOf(tasks, task.tid)!, new Set());
  return owner;
}

/** No command line names a container: each new PID namespace's PID 1 makes one, with its
 *  descendants and the ancestors that led to it alone. */
function namespaceOwners(tasks: ReadonlyMap<number, Task>, header: Header): Map<Task, string | null> {
  const owner = new Map<Task, string | null>();
  const inits = [...tasks.values()].filter((task) => processOf(tasks, task.tid) === task && isNewInit(task, header));
  const chain = (task: Task) => {
    const found: Task[] = [];
    for (let at: Task | undefined = task; at && !found.includes(at); at = parentOf(tasks, at)) found.push(at);
    return found;
  };
  const ancestorsOf = new Map<Task, string[]>();
  for (const init of inits) {
    const id = `pidns-${init.last.ns.pid ?? init.tid}`;
    for (const ancestor of chain(init).slice(1)) ancestorsOf.set(ancestor, [...(ancestorsOf.get(ancestor) ?? []), id]);
  }
  for (const task of tasks.values()) {
    const leader = processOf(tasks, task.tid)!;
    const init = chain(leader).find((at) => inits.includes(at));
    const led = ancestorsOf.get(leader);
    owner.set(leader, init ? `pidns-${init.last.ns.pid ?? init.tid}` : led && new Set(led).size === 1 ? led[0]! : null);
  }
  return owner;
}

function describe(id: string, named: Container['named'], members: readonly Task[], header: Header): Container {
  const commands = members.flatMap((task) => task.commands).filter((command) => command.id === id);
  const creating = commands.find((command) => command.role === 'runtime' && (command.subcommand === 'create' || command.subcommand === 'run'));
  const runtime = creating ?? commands.find((command) => command.role === 'runtime');
  const init = members.find((task) => task.first.tgid === task.tid && isNewInit(task, header));
  const headerNames = named === 'pid namespace' || header.command.includes(id);
  return {
    id,
    named,
    runtime: runtime?.runtime ?? null,
    // with no runtime's command line, the program that made the namespaces: unshare, a script
    program: runtime?.program ?? (named === 'pid namespace' ? (members[0]?.last.comm ?? null) : null),
    image: headerNames ? header.image : null,
    bundle: commands.find((command) => command.bundle !== null)?.bundle ?? null,
    tasks: members.map((task) => task.tid),
    init: init ? { pid: init.tid, argv: init.argv } : null,
    start: Math.min(...members.map((task) => task.start)),
    end: Math.max(...members.map((task) => task.end)),
  };
}

/** The containers of a trace, in the order they began, and the tasks in none. */
export function findContainers(records: readonly TraceRecord[], header: Header): ContainerSplit {
  const tasks = readTasks(records);
  const anyNamed = [...tasks.values()].some((task) => task.commands.length > 0);
  const owners = anyNamed ? namedOwners(tasks) : namespaceOwners(tasks, header);
  const members = new Map<string, Task[]>();
  const outside: number[] = [];
  for (const task of tasks.values()) {
    const id = owners.get(processOf(tasks, task.tid)!) ?? null;
    if (id === null) outside.push(task.tid);
    else {
      const list = members.get(id) ?? [];
      list.push(task);
      members.set(id, list);
    }
  }
  const containers = [...members].map(([id, list]) => describe(id, anyNamed ? 'command line' : 'pid namespace', list, header));
  return { containers: containers.sort((a, b) => a.start - b.start), outside };
}
