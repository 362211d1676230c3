// Measurement: what an attach to containerd costs every `docker run` while it lasts, under each
// backend (issue 16's aim: at most 1.15x untraced). A private dockerd (private-dockerd.ts); runs
// interleaved: untraced, attached with ptrace, attached with eBPF. The attach is made once per
// backend and held over its runs, as someone watching a host would.
import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import type { Backend } from '../engine/backends.js';
import { CLI } from './overhead.js';
import { dockerInstalled, PRIVATE_IMAGE, startDockerd, waitFor, type PrivateDockerd } from './private-dockerd.js';
import { nowMs, roundSummary, summarize, type Summary } from './stats.js';

export interface DockerAttachResult {
  readonly runs: number;
  readonly untracedMs: Summary;
  readonly ptraceMs: Summary;
  readonly ebpfMs: Summary;
  readonly ratios: { readonly ptraceVsUntraced: number; readonly ebpfVsUntraced: number };
}

/** After the trace file is created: the engine loads its programs or seizes the threads. */
const ATTACH_SETTLE_MS = 1000;

function timedRun(dockerd: PrivateDockerd): number {
  const started = nowMs();
  const run = dockerd.docker('run', '--rm', '--network', 'none', PRIVATE_IMAGE, 'true');
  if (run.status !== 0) throw new Error(`docker run failed: ${run.stderr}`);
  return nowMs() - started;
}

/** `docker run --rm IMAGE true` `runs` times while containerd is attached with `backend`. */
async function underAttach(dockerd: PrivateDockerd, backend: Backend, runs: number, tmp: string): Promise<number[]> {
  const containerd = dockerd.containerdPid(); // the one this dockerd started, not a system one
  if (containerd === null) throw new Error('containerd is not running');
  // -q, as one records a host to read later: the records are decoded once the attach ends, not
  // beside the runs (on 2 CPUs, decoding live competes with docker itself).
  const output = join(tmp, `docker-${backend}.cttrace`);
  const tracer = spawn(process.execPath, [CLI, 'attach', '-q', '--backend', backend, '-o', output, String(containerd)], { stdio: 'ignore' });
  try {
    // the trace file appears once the session is set up (its header is written first)
    await waitFor(() => existsSync(output), `the ${backend} attach`);
    await new Promise((resolve) => setTimeout(resolve, ATTACH_SETTLE_MS));
    return Array.from({ length: runs }, () => timedRun(dockerd));
  } finally {
    tracer.kill('SIGINT');
    await new Promise((resolve) => tracer.once('exit', resolve));
  }
}

export async function measureDockerAttach(options: { runs: number; tmp: string; progress?: (text: string) => void }): Promise<DockerAttachResult | { skipped: string }> {
  if (!dockerInstalled()) return { skipped: 'docker.io is not installed' };
  const dockerd = await startDockerd();
  dockerd.importBusybox(PRIVATE_IMAGE);
  try {
    timedRun(dockerd); // warm the image and the runtime
    const samples: Record<'untraced' | Backend, number[]> = { untraced: [], ptrace: [], ebpf: [] };
    // A few runs per attach, rounds interleaved so that drifts spread over all three.
    const perRound = Math.min(5, options.runs);
    for (let done = 0; done < options.runs; done += perRound) {
      const count = Math.min(perRound, options.runs - done);
      samples.untraced.push(...Array.from({ length: count }, () => timedRun(dockerd)));
      samples.ptrace.push(...(await underAttach(dockerd, 'ptrace', count, options.tmp)));
      samples.ebpf.push(...(await underAttach(dockerd, 'ebpf', count, options.tmp)));
      options.progress?.('.');
    }
    const [untraced, ptrace, ebpf] = [samples.untraced, samples.ptrace, samples.ebpf].map((values) => roundSummary(summarize(values)));
    const ratio = (a: Summary) => Math.round((a.median / untraced!.median) * 1000) / 1000;
    return { runs: options.runs, untracedMs: untraced!, ptraceMs: ptrace!, ebpfMs: ebpf!, ratios: { ptraceVsUntraced: ratio(ptrace!), ebpfVsUntraced: ratio(ebpf!) } };
  } finally {
    await dockerd.stop();
  }
}
