// While the engine traces, it keeps a CPU for itself: it is pinned there and this process's
// other threads are moved off it (native/placement.c). Afterwards every thread has its CPUs
// back, and the traced command was never pinned.
import { readdirSync, readFileSync } from 'node:fs';
import { availableParallelism } from 'node:os';
import { describe, expect, it } from 'vitest';
import { resolveCommand } from '../../tracer/cli/resolve-command.js';
import { engineTablesFor } from '../../tracer/cli/engine-tables.js';
import { startSession } from '../../tracer/engine/session.js';

function cpusAllowed(statusPath: string): string {
  return /Cpus_allowed_list:\s*(\S+)/.exec(readFileSync(statusPath, 'utf8'))![1]!;
}

function cpusOf(tid: number): string {
  return cpusAllowed(`/proc/${process.pid}/task/${tid}/status`);
}

function threadCpus(): Map<number, string> {
  const cpus = new Map<number, string>();
  for (const name of readdirSync(`/proc/${process.pid}/task`)) {
    try {
      cpus.set(Number(name), cpusOf(Number(name)));
    } catch {
      // a thread that ended meanwhile
    }
  }
  return cpus;
}

function expand(list: string): number[] {
  return list.split(',').flatMap((part) => {
    const [from, to] = part.split('-').map(Number);
    return to === undefined ? [from!] : Array.from({ length: to - from! + 1 }, (_, i) => from! + i);
  });
}

const oneCpu = availableParallelism() < 2;
if (oneCpu) console.warn('placement test skipped: one CPU, so there is nowhere to move the other threads');

describe.skipIf(oneCpu)('the engine keeps a CPU for itself', () => {
  it('moves the other threads off it while tracing and gives every thread its CPUs back', async () => {
    const before = threadCpus();
    let during: string | undefined;
    let commandCpus: string | undefined;
    const session = startSession({
      target: { kind: 'command', path: resolveCommand('sh'), argv: ['sh', '-c', 'grep Cpus_allowed_list /proc/self/status > /dev/null; sleep 0.2'] },
      traceAll: false,
      pinTracer: true,
      tables: engineTablesFor({}),
      onRecord(raw) {
        if (raw.type === 'task' && during === undefined) {
          during = cpusOf(process.pid); // the event loop's thread
          commandCpus = cpusAllowed(`/proc/${raw.tid}/status`);
        }
      },
    });
    expect(await session.done).toBe(0);
    const all = expand(before.get(process.pid)!);
    expect(during).toBeDefined();
    // the event loop ran on every CPU it had but one
    expect(expand(during!)).toHaveLength(all.length - 1);
    // the traced command was given the CPUs the process has, not the engine's one
    expect(commandCpus).toBe(before.get(process.pid));
    const after = threadCpus();
    for (const [tid, cpus] of before) if (after.has(tid)) expect(after.get(tid), `thread ${tid}`).toBe(cpus);
  });
});
