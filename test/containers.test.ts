// The container split (tracer/analysis/containers.ts): the recorded traces hold one container
// each; synthetic traces hold several (containerd with three shims, a script starting three
// runtimes), each with its own tasks and its own phases; the runtime command line reader; and
// --container's choice by id prefix, through the built CLI.
import { describe, expect, it } from 'vitest';
import { containerRecords, phasesOfContainer } from '../tracer/analysis/container-records.js';
import { findContainers } from '../tracer/analysis/containers.js';
import { containerPhases } from '../tracer/analysis/phases.js';
import { containerCommandOf } from '../tracer/analysis/runtime-command-line.js';
import { readTraceFile } from '../tracer/trace/file-reader.js';
import type { ProcessRecord, SyscallRecord } from '../tracer/trace/records.js';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { encodeTraceFile } from '../tracer/trace/file-writer.js';
import { runCli, withTempDir } from './helpers/cli.js';
import { containerdWithShims, Records, SYNTHETIC_HEADER } from './helpers/container-trace.js';

const header = SYNTHETIC_HEADER;

describe('the recorded traces hold one container each', () => {
  it.each([
    ['busybox-ctrun.cttrace', 'ctrun', 'cttrace-038fdc176403', 'busybox'],
    ['busybox-ctrun-rootless.cttrace', 'ctrun', 'cttrace-16e91bb7fc82', 'busybox'],
    ['busybox-runc.cttrace', 'runc', 'cttrace-a1d370fd07ef', 'busybox'],
    ['busybox-crun.cttrace', 'crun', 'cttrace-e9fe01e4a341', 'busybox'],
    ['docker-containerd.cttrace', 'runc', '69a6099b562d98577e7cc669efa0536c1ab91de56e7bb771c2443ddc79adb510', null],
  ])('%s: one %s container, its id, image and PID 1', async (file, runtime, id, image) => {
    const trace = await readTraceFile(`traces/${file}`);
    const { containers } = findContainers(trace.records, trace.header);
    expect(containers.map((container) => [container.id, container.runtime, container.image])).toEqual([[id, runtime, image]]);
    const [container] = containers;
    const init = trace.records.find((record): record is ProcessRecord => record.type === 'process' && record.nspid.length > 1 && record.nspid.at(-1) === 1);
    expect(container!.init?.pid).toBe(init!.pid);
    expect(container!.tasks).toContain(init!.pid);
  });

  it('gives the cttrace run traces the phases of the whole trace, but for the end', async () => {
    const trace = await readTraceFile('traces/busybox-runc.cttrace');
    const [container] = findContainers(trace.records, trace.header).containers;
    const own = phasesOfContainer(trace.records, container!, trace.header);
    const whole = containerPhases(trace.records, trace.header);
    expect(own.map((phase) => [phase.name, phase.start])).toEqual(whole.map((phase) => [phase.name, phase.start]));
    expect(own.slice(0, -1)).toEqual(whole.slice(0, -1));
  });

  it('leaves containerd out of the docker trace, and its container starts with the shim, not with the attach', async () => {
    const trace = await readTraceFile('traces/docker-containerd.cttrace');
    const { containers, outside } = findContainers(trace.records, trace.header);
    const containerd = trace.records.find((record): record is ProcessRecord => record.type === 'process' && record.comm === 'containerd')!;
    expect(outside).toContain(containerd.pid);
    const shim = trace.records.find((record): record is SyscallRecord => record.type === 'syscall' && record.name === 'execve' && String(record.args.filename).endsWith('containerd-shim-runc-v2'))!;
    expect(containers[0]!.tasks).toContain(shim.pid);
    expect(containers[0]!.bundle).toMatch(/\/69a6099b562d98577e7cc669efa0536c1ab91de56e7bb771c2443ddc79adb510$/);
    const own = phasesOfContainer(trace.records, containers[0]!, trace.header);
    const whole = containerPhases(trace.records, trace.header);
    const length = (phases: typeof own, name: string) => phases.find((phase) => phase.name === name)!.end - phases.find((phase) => phase.name === name)!.start;
    expect(own[0]!.start).toBeGreaterThan(whole[0]!.start); // the attach began long before the shim
    expect(length(own, 'runtime start')).toBeLessThan(length(whole, 'runtime start'));
    expect(length(own, 'teardown')).toBeLessThan(length(whole, 'teardown'));
  });

  it('makes the unshare trace one container named by its PID namespace', async () => {
    const trace = await readTraceFile('traces/unshare-namespaces.cttrace');
    const { containers, outside } = findContainers(trace.records, trace.header);
    expect(containers).toHaveLength(1);
    expect(containers[0]).toMatchObject({ named: 'pid namespace', runtime: null, program: 'unshare' });
    expect(containers[0]!.id).toMatch(/^pidns-\d+$/);
    expect(outside).toEqual([]);
  });
});

describe('several containers in one trace', () => {
  it('splits containerd with three shims into three containers, each with its own phases', () => {
    const ids = ['aaaa1111', 'aaaa2222', 'bbbb3333'].map((id) => id.padEnd(64, '0'));
    const r = containerdWithShims(ids);
    const { containers, outside } = findContainers(r.list, header);
    expect(containers.map((container) => container.id)).toEqual(ids);
    expect(outside).toEqual([50, 51]);
    containers.forEach((container, index) => {
      const shim = 100 * (index + 1);
      expect(container).toMatchObject({ runtime: 'runc', program: 'runc', bundle: `/b/${ids[index]}`, init: { pid: shim + 2, argv: ['sh', '-c', `echo ${shim + 1}`] } });
      expect([...container.tasks].sort()).toEqual([shim, shim + 1, shim + 2, shim + 3, shim + 10].sort());
      const phases = phasesOfContainer(r.list, container, header);
      expect(phases.map((phase) => phase.name)).toEqual(['runtime start', 'cgroup', 'namespaces', 'rootfs', 'pivot_root', 'exec', 'running', 'teardown']);
      expect(phases[0]!.start).toBe(container.start);
      expect(phases.at(-1)!.end).toBe(container.end);
    });
    // one after the other: each container's phases lie within its own time, not the trace's
    expect(containers[0]!.end).toBeLessThan(containers[1]!.start);
    // the whole trace read as one start-up runs from the first container's start to the last's end
    const whole = containerPhases(r.list, header);
    expect(whole.at(-1)!.end - whole[0]!.start).toBeGreaterThan(3 * (containers[0]!.end - containers[0]!.start));
  });

  it("ends a container's part of the trace where it ended, or at the trace's end when it was still running", () => {
    const ids = ['one', 'two'];
    const r = containerdWithShims(ids);
    const [first, second] = findContainers(r.list, header).containers;
    const end = r.list.at(-1)!;
    expect(containerRecords(r.list, first!).at(-1)).toEqual({ ...end, t: first!.end });
    const stillRunning = r.list.filter((record) => !(record.type === 'exit' && record.pid === 202)); // the second's PID 1 never exited
    expect(containerRecords(stillRunning, second!).at(-1)).toEqual(end);
    // the summary's phases of it end at its last record all the same
    expect(phasesOfContainer(stillRunning, second!, header).at(-1)!.end).toBeLessThan(end.t);
  });

  it('splits a script that starts runc, crun and ctrun (by any path) into three containers', () => {
    const r = new Records();
    r.process(10, 1, 'sh');
    r.exec(10, ['sh', 'start-three.sh']);
    r.runtime(20, 10, ['runc', 'run', '-b', '/bundles/one', '--detach', 'one']);
    r.runtime(30, 10, ['/usr/bin/crun', '--root=/run/crun', 'run', '--bundle=/bundles/two', 'two']);
    r.runtime(40, 10, ['/opt/bin/ctrun', '--log', '/tmp/l', 'run', '--bundle', '/bundles/three', 'three'], '/opt/bin/ctrun');
    r.runtime(50, 10, ['youki-next', 'create', '--bundle', '/bundles/four', 'four']);
    const { containers, outside } = findContainers(r.list, header);
    expect(containers.map((container) => [container.id, container.runtime, container.program, container.bundle])).toEqual([
      ['one', 'runc', 'runc', '/bundles/one'],
      ['two', 'crun', 'crun', '/bundles/two'],
      ['three', 'ctrun', 'ctrun', '/bundles/three'],
      ['four', 'other', 'youki-next', '/bundles/four'],
    ]);
    expect(outside).toEqual([10]);
    for (const container of containers) expect(phasesOfContainer(r.list, container, header).map((phase) => phase.name)).toContain('pivot_root');
  });

  it('gives a child that names another container to that one, and a trace with two bare PID namespaces two containers', () => {
    const named = new Records();
    named.process(10, 1, 'containerd-shim');
    named.exec(10, ['containerd-shim-runc-v2', '-namespace', 'k8s.io', '-id', 'sandbox', 'start']);
    named.runtime(20, 10, ['runc', 'create', '--bundle', '/b/sandbox', 'sandbox']);
    named.runtime(30, 10, ['runc', 'create', '--bundle', '/b/app', 'app']); // one shim serving a pod's two containers
    expect(findContainers(named.list, header).containers.map((container) => [container.id, container.tasks.length])).toEqual([
      ['sandbox', 4],
      ['app', 3],
    ]);

    const bare = new Records();
    bare.process(10, 1, 'sh');
    bare.runtime(20, 10, ['unshare', '--fork', '--pid', 'sh']);
    bare.runtime(30, 10, ['unshare', '--fork', '--pid', 'sh']);
    const split = findContainers(bare.list, header);
    expect(split.containers.map((container) => container.id)).toEqual(['pidns-4026532020', 'pidns-4026532030']);
    expect(split.containers.map((container) => container.tasks)).toEqual([[20, 21, 22], [30, 31, 32]]);
    expect(split.outside).toEqual([10]); // the shell led to both: it is neither's
  });
});

describe('runtime command lines', () => {
  it.each([
    [['runc', '--root', '/r', '--systemd-cgroup', 'create', '--bundle', '/b', '--pid-file', '/p', '--console-socket', '/s', 'ID'], 'runtime', 'create', 'ID', '/b'],
    [['runc', 'kill', 'ID', 'SIGKILL'], 'runtime', 'kill', 'ID', null],
    [['runc', 'exec', '--user', '0:0', '-e', 'A=1', '--tty', 'ID', 'sh', '-c', 'x'], 'runtime', 'exec', 'ID', null],
    [['crun', '--log-format=json', 'delete', '-f', 'ID'], 'runtime', 'delete', 'ID', null],
    [['containerd-shim-runc-v2', '-namespace', 'moby', '-id', 'ID', '-bundle', '/b', 'delete'], 'shim', null, 'ID', '/b'],
    [['runsc', '--root', '/r', '--platform', 'ptrace', 'create', '--bundle', '/b', 'ID'], 'runtime', 'create', 'ID', '/b'],
    [['runc', 'ps', '--format', 'json', 'ID'], 'runtime', 'ps', 'ID', null],
  ])('%j names container ID', (argv, role, subcommand, id, bundle) => {
    expect(containerCommandOf(argv)).toMatchObject({ role, subcommand, id, bundle });
  });

  it.each([
    [['docker', 'run', '--rm', 'busybox', 'true']],
    [['runc', 'init']],
    [['runc', '--version']],
    [['ctr', 'run', 'docker.io/library/busybox:latest', 'demo']],
    [['containerd-shim-runc-v2', '-v']],
    [['my-tool', 'run', 'x']],
    [['unshare', '--mount', '--propagation', 'private', 'sh', '-c', 'exec "$0" "$@"', '/usr/bin/crun', 'run', '--bundle', '/b', 'ID']], // a wrapper: crun's own exec names it
  ])('%j names none', (argv) => {
    expect(containerCommandOf(argv)).toBeNull();
  });
});

describe('--container through the CLI', () => {
  const docker = 'traces/docker-containerd.cttrace';

  it('takes a unique prefix of the id, like docker', () => {
    const all = runCli(['show', '--json', docker]);
    const one = runCli(['show', '--json', '--container', '69a6', docker]);
    expect(one.status, one.stderr).toBe(0);
    const pids = (text: string) => new Set(text.trim().split('\n').slice(1).map((line) => (JSON.parse(line) as { pid?: number }).pid).filter((pid) => pid !== undefined));
    expect(pids(one.stdout).size).toBeGreaterThan(10);
    expect(pids(one.stdout).size).toBeLessThan(pids(all.stdout).size); // containerd's threads are left out
    expect(runCli(['export', '--container', '69a6099b', '-o', '-', docker]).status).toBe(0);
  });

  it('refuses an unknown id in one line that lists the ids there are', () => {
    const result = runCli(['show', '--container', 'f00', docker]);
    expect(result.status).toBe(2);
    expect(result.stderr).toBe(`cttrace: no container f00 in ${docker}: its containers are 69a6099b562d\n`);
    const diff = runCli(['diff', '--container', 'a,b,c', docker, docker]);
    expect(diff.stderr).toMatch(/^cttrace: --container a,b,c: give one id for both traces, or two as A,B\n$/);
  });

  it('says when diff compares a trace of several containers whole, and compares one with --container', () => {
    withTempDir((dir) => {
      const file = join(dir, 'two.cttrace');
      writeFileSync(file, encodeTraceFile(SYNTHETIC_HEADER, containerdWithShims(['one', 'two']).list));
      const whole = runCli(['diff', file, file]);
      expect(whole.stderr).toBe(`cttrace: ${file} holds 2 containers (one, two): the whole trace is compared as one start-up; pick one with --container ID (A's,B's as ID_A,ID_B)\n`.repeat(2));
      const same = runCli(['diff', '--json', '--container', 'one', file, file]);
      expect(same.stderr).toBe('');
      expect(same.status).toBe(0);
      const two = JSON.parse(runCli(['diff', '--json', '--container', 'one,two', file, file]).stdout) as { roles: { kind: string; a: string; b: string }[] };
      expect(two.roles.slice(0, 2)).toEqual([
        { kind: 'runtime', a: 'sh (101)', b: 'sh (201)', counts: expect.anything(), onlyA: [], onlyB: [], changed: expect.anything() },
        expect.objectContaining({ kind: 'container pid 1', a: 'runc (102/1)', b: 'runc (202/1)' }),
      ]);
    });
  });

  it('prints the phases per container in summary', () => {
    const result = runCli(['summary', docker]);
    expect(result.stdout).toMatch(/1 container:\n {2}69a6099b562d {2}runc, PID 1 \d+: sh -c echo hi, \d+ tasks/);
    expect(result.stdout).toMatch(/phase \(ms\) +69a6099b562d\nruntime start/);
    const json = JSON.parse(runCli(['summary', '--json', docker]).stdout) as { containers: { id: string; phases: { name: string }[] }[] };
    expect(json.containers.map((container) => container.id)).toEqual(['69a6099b562d98577e7cc669efa0536c1ab91de56e7bb771c2443ddc79adb510']);
    expect(json.containers[0]!.phases.map((phase) => phase.name)).toContain('pivot_root');
  });
});
