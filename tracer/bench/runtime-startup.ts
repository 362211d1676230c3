// ctrun vs runc vs crun: start to exit of `true` on the same busybox bundle (with docker's default
// seccomp profile, as makeBundle gives it), untraced; each runtime keeps one --root, as under docker.
//
// crun refuses this machine's hybrid cgroups unless the cgroup2 mount is hidden, so every
// runtime is started the same way, inside a private mount namespace with that mount hidden,
// for a fair comparison; ctrun and runc are also measured on the plain host.
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { makeBundle } from '../../runtime/bundle/index.js';
import { packageRoot } from '../paths.js';
import { nowMs, summarize, type Summary } from './stats.js';

export interface RuntimeStartupResult {
  readonly runs: number;
  /** all three inside `unshare -m` with /sys/fs/cgroup/unified hidden */
  readonly hidden: Readonly<Record<string, Summary>>;
  /** ctrun and runc on the host as it is */
  readonly host: Readonly<Record<string, Summary>>;
  readonly ratios: { readonly ctrunVsCrun: number; readonly ctrunVsRunc: number; readonly crunVsRunc: number };
}

const HIDE_CGROUP2 = 'umount -l /sys/fs/cgroup/unified 2>/dev/null; exec "$0" "$@"';

export async function measureRuntimeStartup(options: { runs: number; tmp: string; progress: (text: string) => void }): Promise<RuntimeStartupResult> {
  const bundle = await makeBundle({ image: 'busybox', args: ['true'], id: `bench-${process.pid}` });
  const state = mkdtempSync(join(options.tmp, 'runtime-state-'));
  const binaries: Record<string, string> = { ctrun: join(packageRoot, 'runtime', 'build', 'ctrun'), runc: 'runc', crun: 'crun' };
  const available = Object.keys(binaries).filter((name) => name !== 'ctrun' || existsSync(binaries[name]!));
  const samples = new Map<string, number[]>();
  let serial = 0;
  const once = (runtime: string, hidden: boolean) => {
    const id = `bench-${process.pid}-${serial++}`;
    const runArgs = [binaries[runtime]!, '--root', join(state, runtime), 'run', '--bundle', bundle.dir, id];
    const command = hidden ? ['unshare', '--mount', '--propagation', 'private', 'sh', '-c', HIDE_CGROUP2, ...runArgs] : runArgs;
    const start = nowMs();
    const result = spawnSync(command[0]!, command.slice(1), { stdio: 'ignore' });
    const elapsed = nowMs() - start;
    if (result.status !== 0) throw new Error(`${runtime} run failed (${result.status}): ${command.join(' ')}`);
    const key = `${runtime}${hidden ? '' : '@host'}`;
    samples.set(key, [...(samples.get(key) ?? []), elapsed]);
  };
  try {
    for (let round = -2; round < options.runs; round++) {
      for (const runtime of available) once(runtime, true);
      for (const runtime of available.filter((name) => name !== 'crun')) once(runtime, false);
      if (round < 0) samples.clear(); // warm-up rounds
      options.progress('.');
    }
  } finally {
    await bundle.cleanup();
    rmSync(state, { recursive: true, force: true });
  }
  const pick = (suffix: string) =>
    Object.fromEntries([...samples].filter(([key]) => (suffix ? key.endsWith(suffix) : !key.includes('@'))).map(([key, values]) => [key.replace(suffix, ''), summarize(values)]));
  const hidden = pick('');
  const host = pick('@host');
  const ratio = (a: string, b: string) => (hidden[a] && hidden[b] ? hidden[a]!.median / hidden[b]!.median : Number.NaN);
  return { runs: options.runs, hidden, host, ratios: { ctrunVsCrun: ratio('ctrun', 'crun'), ctrunVsRunc: ratio('ctrun', 'runc'), crunVsRunc: ratio('crun', 'runc') } };
}
