// The benchmarks' wall clock for a whole command. A native library of the benchmarks' own
// (native/build/libcttrace-bench.so, not the engine the CLI loads) spawns it the way the
// engine starts a command it traces (a child sharing the caller's memory), so that an untraced
// baseline holds the command's own cost: a fork of this Node process added about 1 ms to
// /bin/true here, which would pad every "× untraced" ratio.
import { closeSync, openSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { resolveCommand } from '../cli/resolve-command.js';
import { createRequire } from 'node:module';
import { packageRoot } from '../paths.js';

type TimeCommand = (path: string, argv: (string | null)[], errFd: number, timeoutMs: number, status: Int32Array) => number;
let timeCommand: TimeCommand | undefined;

function loadStopwatch(): TimeCommand {
  if (timeCommand) return timeCommand;
  const koffi = createRequire(import.meta.url)('koffi') as typeof import('koffi');
  const lib = koffi.load(join(packageRoot, 'native', 'build', 'libcttrace-bench.so'));
  return (timeCommand = lib.func('double ct_time_command(const char *path, const char **argv, int err_fd, int32_t timeout_ms, _Out_ int32_t *status)') as TimeCommand);
}

const RUN_TIMEOUT_MS = 120_000;
const ETIMEDOUT = 110;

/** Wall time of one run, ms (stdout discarded). Throws with the command's stderr when it fails. */
export function timeRun(argv: readonly string[]): number {
  const stderrPath = join(tmpdir(), `cttrace-bench-stderr-${process.pid}`);
  const stderr = openSync(stderrPath, 'w+');
  try {
    const status = new Int32Array(1);
    const ms = loadStopwatch()(resolveCommand(argv[0]!), [...argv, null], stderr, RUN_TIMEOUT_MS, status);
    const exited = (status[0]! & 0x7f) === 0;
    const code = (status[0]! >> 8) & 0xff;
    if (ms < 0 || !exited || code !== 0) {
      const why = ms === -ETIMEDOUT ? `over ${RUN_TIMEOUT_MS / 1000} s` : ms < 0 ? `errno ${-ms}` : exited ? `exit status ${code}` : `signal ${status[0]! & 0x7f}`;
      throw new Error(`benchmark run failed (${why}): ${argv.join(' ')}\n${readFileSync(stderrPath, 'utf8')}`);
    }
    return ms;
  } finally {
    closeSync(stderr);
    rmSync(stderrPath, { force: true });
  }
}
