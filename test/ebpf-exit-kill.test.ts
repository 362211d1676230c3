// Root: cttrace killed with SIGKILL while the eBPF backend runs a command it started leaves
// nothing behind, as strace's PTRACE_O_EXITKILL does: the command and all it spawned are killed,
// and the BPF programs, their links and maps are gone from the kernel (bpftool before/after).
import { spawn, spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { descendantsOf } from '../tracer/cli/process-lookup.js';
import { cliPath, isRoot, waitFor, withTempDirAsync } from './helpers/cli.js';
import { killStarted, processState, track } from './helpers/processes.js';

const hasBpftool = spawnSync('bpftool', ['version']).status === 0;
const skipReason = !isRoot ? 'not root (loading BPF programs needs CAP_BPF and CAP_PERFMON)' : !hasBpftool ? 'bpftool is not installed' : null;
if (skipReason) console.warn(`ebpf exit-kill: skipped, ${skipReason}`);

/** the traced command's processes: killed after the test if it failed before the guard did */
let commandPids: number[] = [];
afterEach(() => {
  killStarted();
  for (const pid of commandPids.splice(0)) {
    try {
      process.kill(pid, 'SIGKILL');
    } catch {
      // gone, as it should be
    }
  }
});

interface BpfObject {
  readonly id: number;
  readonly name?: string;
  readonly prog_id?: number;
}

/** What the kernel holds now: `bpftool -j prog|map|link show`. */
function bpfObjects(kind: 'prog' | 'map' | 'link'): BpfObject[] {
  const listed = spawnSync('bpftool', ['-j', kind, 'show'], { encoding: 'utf8' });
  expect(listed.status, listed.stderr).toBe(0);
  return JSON.parse(listed.stdout || '[]') as BpfObject[];
}

const idsOf = (objects: readonly BpfObject[]) => new Set(objects.map((o) => o.id));
const commOf = (pid: number) => {
  try {
    return readFileSync(`/proc/${pid}/comm`, 'utf8').trim();
  } catch {
    return null;
  }
};
const running = (pid: number) => !/^(Z|X)?$/.test(processState(pid) ?? '');

describe.skipIf(skipReason !== null)('the eBPF backend killed with SIGKILL (root)', () => {
  it('kills the command and all it spawned, and leaves no BPF program, link or map', async () => {
    const before = { prog: idsOf(bpfObjects('prog')), map: idsOf(bpfObjects('map')) };
    await withTempDirAsync(async (dir) => {
      // a shell whose children fork again after cttrace is gone: the guard must follow those too
      const script = 'sleep 30 & (while true; do sleep 0.01; done) & wait';
      const tracer = track(spawn(process.execPath, [cliPath, 'trace', '-q', '--backend', 'ebpf', '-o', join(dir, 'k.cttrace'), '--', 'sh', '-c', script], { stdio: 'ignore' }));
      const traced = await waitFor(() => {
        const tree = descendantsOf(tracer.pid!).filter((pid) => commOf(pid) === 'sleep');
        return tree.length >= 2 ? descendantsOf(tracer.pid!) : undefined;
      }, 'the command and its children to run');
      const guard = traced.find((pid) => commOf(pid) === 'ct-exitkill');
      expect(guard, 'the exit-kill guard').toBeDefined();
      const command = traced.filter((pid) => pid !== guard);
      commandPids = [...command];
      // ours: the programs and maps loaded since `before`, named as in native/ebpf/trace.bpf.c
      const ours = {
        prog: bpfObjects('prog').filter((p) => !before.prog.has(p.id) && p.name === 'on_sys_enter'),
        map: bpfObjects('map').filter((m) => !before.map.has(m.id) && m.name === 'followed'),
      };
      expect(ours.prog).toHaveLength(1);
      expect(ours.map).toHaveLength(1);
      const ourLinks = bpfObjects('link').filter((l) => l.prog_id === ours.prog[0]!.id);
      expect(ourLinks).toHaveLength(1);

      tracer.kill('SIGKILL');
      await new Promise((resolve) => tracer.once('exit', resolve));
      await waitFor(() => (command.every((pid) => !running(pid)) ? true : undefined), 'the command and its children to be killed', 5_000);
      await waitFor(() => (!running(guard!) ? true : undefined), 'the guard to finish', 10_000);
      // the kernel frees programs and maps once their last reference is closed (after an RCU grace period)
      await waitFor(
        () => {
          const left = {
            prog: idsOf(bpfObjects('prog')).has(ours.prog[0]!.id),
            map: idsOf(bpfObjects('map')).has(ours.map[0]!.id),
            link: bpfObjects('link').some((l) => l.id === ourLinks[0]!.id),
          };
          return Object.values(left).some(Boolean) ? undefined : true;
        },
        'the BPF programs, links and maps to be freed',
        10_000,
      );
      // and nothing that ran under the command was left: no sleep of ours anywhere
      expect(command.filter(running)).toEqual([]);
      commandPids = [];
    });
  }, 40_000);

  it("stands its guard down when the session ends as it should: the command's exit status comes back", async () => {
    await withTempDirAsync(async (dir) => {
      const result = spawnSync(process.execPath, [cliPath, 'trace', '-q', '--backend', 'ebpf', '-o', join(dir, 'ok.cttrace'), '--', 'sh', '-c', 'exit 3'], { encoding: 'utf8', timeout: 30_000 });
      expect(result.status, result.stderr).toBe(3);
    });
  }, 40_000);
});
