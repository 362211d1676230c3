// Root + docker.io: an attach to a real containerd (the private one test/helpers/dockerd.ts
// starts) during three `docker run`s gives three containers, each named by its docker id, each
// with its own phases of creation (summary --json), and `show --container PREFIX` prints only
// that container's processes.
import { spawn } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { cliPath, runCli } from './helpers/cli.js';
import { dockerdSkipReason, startDockerd, waitFor, type PrivateDockerd } from './helpers/dockerd.js';

const reason = dockerdSkipReason();
if (reason) console.warn(`docker containers: skipped, ${reason}`);

const IMAGE = 'cttrace-busybox:test';
let d: PrivateDockerd;

interface SummaryJson {
  readonly containers: readonly { id: string; runtime: string; init: { pid: number; argv: string[] } | null; tasks: number[]; start: number; end: number; phases: { name: string; start: number; end: number }[] }[];
  readonly phases: readonly { name: string }[];
}

describe.skipIf(reason !== null)('attach to containerd during three docker runs (root, docker.io)', () => {
  beforeAll(async () => {
    d = await startDockerd();
    d.importBusybox(IMAGE);
  }, 60_000);

  afterAll(async () => {
    await d?.stop();
  }, 60_000);

  it('splits the trace into the three containers, each with its own phases', async () => {
    const containerd = d.containerdPid();
    expect(containerd).not.toBeNull();
    const output = join(d.work, 'three.cttrace');
    const tracer = spawn(process.execPath, [cliPath, 'attach', '-q', '--json', '-o', output, String(containerd)], { stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    tracer.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
    tracer.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
    await waitFor(() => stdout.includes(`"type":"process","t":`) && stdout.includes(`"pid":${containerd}`), 'the attach');

    const ids: string[] = [];
    for (const word of ['one', 'two', 'three']) {
      const cidfile = join(d.work, `${word}.cid`);
      const run = d.docker('run', '--rm', '--cidfile', cidfile, '--network', 'none', IMAGE, 'sh', '-c', `echo ${word}`);
      expect(run.stdout, run.stderr).toBe(`${word}\n`);
      ids.push(readFileSync(cidfile, 'utf8').trim());
    }
    tracer.kill('SIGINT');
    const code = await new Promise<number | null>((resolve) => tracer.on('exit', resolve));
    expect(code, stderr).toBe(0);

    const summary = runCli(['summary', '--json', output]);
    expect(summary.status, summary.stderr).toBe(0);
    const json = JSON.parse(summary.stdout) as SummaryJson;
    expect(json.containers.map((container) => container.id)).toEqual(ids);
    json.containers.forEach((container, index) => {
      expect(container.runtime).toBe('runc');
      expect(container.init?.argv).toEqual(['sh', '-c', `echo ${['one', 'two', 'three'][index]}`]);
      const names = container.phases.map((phase) => phase.name);
      expect(names).toEqual(['runtime start', 'cgroup', 'namespaces', 'rootfs', 'pivot_root', 'exec', 'running', 'teardown']);
      // its phases lie within its own life, which ends before the next container's begins
      expect(container.phases[0]!.start).toBe(container.start);
      expect(container.phases.at(-1)!.end).toBe(container.end);
      if (index > 0) expect(container.start).toBeGreaterThan(json.containers[index - 1]!.end);
    });
    // containerd's own threads are in none
    const inContainers = new Set(json.containers.flatMap((container) => container.tasks));
    expect(inContainers.has(containerd!)).toBe(false);

    // the text summary has a column per container, named by its short id
    const text = runCli(['summary', output]).stdout;
    expect(text).toContain('3 containers:');
    expect(text).toMatch(new RegExp(`phase \\(ms\\) +${ids[0]!.slice(0, 12)} +${ids[1]!.slice(0, 12)} +${ids[2]!.slice(0, 12)}\\n`));

    // show --container takes a prefix of the id, as docker does
    const second = runCli(['show', '--container', ids[1]!.slice(0, 6), output]);
    expect(second.status, second.stderr).toBe(0);
    expect(second.stdout).toContain('["sh", "-c", "echo two"]');
    expect(second.stdout).not.toContain('echo one');
    expect(second.stdout).not.toContain('echo three');
    const unknown = runCli(['show', '--container', 'nothere', output]);
    expect(unknown.status).toBe(2);
    expect(unknown.stderr).toBe(`cttrace: no container nothere in ${output}: its containers are ${ids.map((id) => id.slice(0, 12)).join(', ')}\n`);
  }, 120_000);
});
