// The benchmarks' wall clock for a whole command. The native library spawns it the way the
// engine starts a command it traces (a child sharing the caller's memory), so that an untraced
// baseline holds the command's own cost: a fork of this Node process added about 1 ms to
// /bin/true here, which would pad every "× untraced" ratio.
import { closeSync, openSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { resolveCommand } from '../cli/resolve-command.js';
import { loadEngine } from '../engine/ffi.js';

const RUN_TIMEOUT_MS = 120_000;
const ETIMEDOUT = 110;

/** Wall time of one run, ms (stdout discarded). Throws with the command's stderr when it fails. */
export function timeRun(argv: readonly string[]): number {
  const stderrPath = join(tmpdir(), `cttrace-bench-stderr-${process.pid}`);
  const stderr = openSync(stderrPath, 'w+');
  try {
    const status = new Int32Array(1);
    const ms = loadEngine().timeCommand(resolveCommand(argv[0]!), [...argv, null], stderr, RUN_TIMEOUT_MS, status);
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
