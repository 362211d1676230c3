// Root: `cttrace trace` of a script that starts three containers one after the other, with ctrun,
// runc and crun on busybox bundles, gives three containers named by the ids the script gave,
// each with its runtime, its bundle, its PID 1 and its own phases; the script is in none.
import { spawnSync } from 'node:child_process';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { cliPath, runCli } from './helpers/cli.js';
import { ctrunPath, isHybridCgroupHost, runcSpec, sandboxForSuite, skipReason } from './helpers/ctrun-bundle.js';

const reason = skipReason();
if (reason) console.warn(`script containers: skipped, ${reason}`);

interface SummaryJson {
  readonly containers: readonly { id: string; runtime: string; bundle: string; init: { pid: number; argv: string[] } | null; tasks: number[]; phases: { name: string }[] }[];
}

const quote = (word: string) => `'${word.replace(/'/g, `'\\''`)}'`;

describe.skipIf(reason !== null)('a script that starts three containers (root)', () => {
  const suite = sandboxForSuite();

  it('is split into the three, each with its own runtime, bundle, PID 1 and phases', () => {
    const { sb, used } = suite;
    const runtimes = [['ctrun', ctrunPath], ['runc', 'runc'], ['crun', 'crun']] as const;
    const lines = runtimes.map(([name, binary]) => {
      const id = sb.newId();
      used.push(id);
      const bundle = sb.bundle(id, runcSpec(sb.rootfs, ['sh', '-c', `echo from ${name}`]));
      const command = `${quote(binary)} --root ${quote(sb.stateRoot)} run --bundle ${quote(bundle)} ${id}`;
      // crun refuses a hybrid cgroup layout: hide its cgroup2 mount, as cttrace run does (tracer/cli/runtimes.ts)
      const line = name === 'crun' && isHybridCgroupHost() ? `unshare --mount --propagation private sh -c ${quote(`umount -l /sys/fs/cgroup/unified && exec ${command}`)}` : command;
      return { name, id, bundle, line };
    });
    const output = join(sb.dir, 'three.cttrace');
    const traced = spawnSync(process.execPath, [cliPath, 'trace', '-q', '-o', output, '--', 'sh', '-c', lines.map((item) => item.line).join('\n')], { encoding: 'utf8', timeout: 60_000 });
    expect(traced.status, traced.stderr).toBe(0);
    expect(traced.stdout).toBe('from ctrun\nfrom runc\nfrom crun\n');

    const summary = runCli(['summary', '--json', output]);
    expect(summary.status, summary.stderr).toBe(0);
    const json = JSON.parse(summary.stdout) as SummaryJson;
    expect(json.containers.map((container) => [container.id, container.runtime, container.bundle])).toEqual(lines.map((item) => [item.id, item.name, item.bundle]));
    json.containers.forEach((container, index) => {
      expect(container.init?.argv).toEqual(['sh', '-c', `echo from ${lines[index]!.name}`]);
      expect(container.phases.map((phase) => phase.name)).toEqual(expect.arrayContaining(['runtime start', 'cgroup', 'namespaces', 'rootfs', 'pivot_root', 'exec', 'running', 'teardown']));
    });
    // the script itself is in none of them
    const script = JSON.parse(runCli(['show', '--json', output]).stdout.split('\n')[1]!) as { pid: number };
    expect(json.containers.some((container) => container.tasks.includes(script.pid))).toBe(false);
  }, 90_000);
});
