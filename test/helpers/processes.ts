// Processes a test starts and looks at: their /proc state, and the ones still running at its end.
import { spawn, type ChildProcess } from 'node:child_process';
import { readFileSync } from 'node:fs';

/** The state letter of /proc/PID/stat (R, S, T, t, Z...), or null once the process is gone. */
export function processState(pid: number): string | null {
  try {
    return readFileSync(`/proc/${pid}/stat`, 'utf8').replace(/^.*\) /, '')[0]!;
  } catch {
    return null;
  }
}

/** Children a test started, killed by killStarted() in its afterEach. */
const started: ChildProcess[] = [];

export function track<T extends ChildProcess>(child: T): T {
  started.push(child);
  return child;
}

export function startDaemon(command: string, args: string[]): ChildProcess {
  return track(spawn(command, args, { stdio: 'ignore' }));
}

export function killStarted(): void {
  for (const child of started.splice(0)) child.kill('SIGKILL');
}
