// What the numbers were measured on: the machine, the kernel and the tools compared.
import { spawnSync } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { cpus, loadavg, release, totalmem } from 'node:os';
import { cttraceVersion } from '../version.js';

export interface Environment {
  readonly date: string;
  readonly kernel: string;
  readonly cpu: string;
  readonly cores: number;
  readonly memoryGiB: number;
  readonly node: string;
  readonly cttrace: string;
  readonly strace: string;
  readonly runc: string;
  readonly cgroup: 'v1' | 'v2';
  /** 1, 5 and 15 minute load averages when the bench started: other work on the machine skews the timings */
  readonly loadAverage: readonly number[];
}

function firstLine(command: string, args: readonly string[]): string {
  const result = spawnSync(command, args, { encoding: 'utf8' });
  if (result.error || result.status !== 0) return 'unavailable';
  return (result.stdout || result.stderr).split('\n')[0]!.trim();
}

function cpuModel(): string {
  try {
    const info = readFileSync('/proc/cpuinfo', 'utf8');
    const model = /^model name\s*:\s*(.+)$/m.exec(info);
    if (model) return model[1]!.trim();
  } catch {
    // fall through to what Node knows
  }
  return cpus()[0]?.model ?? 'unknown';
}

export function describeEnvironment(): Environment {
  return {
    date: new Date().toISOString(),
    kernel: release(),
    cpu: cpuModel(),
    cores: cpus().length,
    memoryGiB: Math.round(totalmem() / 2 ** 30),
    node: process.version,
    cttrace: cttraceVersion,
    strace: firstLine('strace', ['-V']),
    runc: firstLine('runc', ['--version']),
    loadAverage: loadavg().map((value) => Math.round(value * 100) / 100),
    cgroup: existsSync('/sys/fs/cgroup/cgroup.controllers') ? 'v2' : 'v1',
  };
}
