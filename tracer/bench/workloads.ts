// The commands the overhead benchmarks run: a namespace-heavy shell one-liner under unshare, and
// a real container start (runc run of a busybox bundle).
import type { RuncBundle } from './runc-bundle.js';

export interface Workload {
  readonly name: string;
  /** what to print for it */
  readonly label: string;
  /** a fresh command line for one run (runc needs a new container id each time) */
  next(): string[];
  /** after every run: remove what a failed run may have left */
  after(): void;
}

export const UNSHARE_COMMAND: readonly string[] = [
  'unshare', '--fork', '--pid', '--mount', '--uts', '--ipc', '--net', '--mount-proc',
  'sh', '-c', 'sh -c "echo \\$\\$"; hostname',
];

export function unshareWorkload(): Workload {
  return {
    name: 'unshare',
    label: 'unshare --fork --pid --mount --uts --ipc --net --mount-proc sh -c …',
    next: () => [...UNSHARE_COMMAND],
    after: () => undefined,
  };
}

export const LOOP_ITERATIONS = 500;
/** busybox sh: each `echo x > /dev/null` is openat, fcntl, dup2, close, write, dup2, close: 4 of
 *  its 7 syscalls are in the default set. A steady stream of cheap syscalls, so the cost per
 *  traced syscall stands out from process start-up. */
export const LOOP_COMMAND: readonly string[] = [
  '/bin/busybox', 'sh', '-c',
  `i=0; while [ $i -lt ${LOOP_ITERATIONS} ]; do echo x > /dev/null; i=$((i+1)); done`,
];

export function loopWorkload(): Workload {
  return {
    name: 'loop',
    label: `busybox sh loop, ${LOOP_ITERATIONS}× echo x > /dev/null`,
    next: () => [...LOOP_COMMAND],
    after: () => undefined,
  };
}

export function runcWorkload(bundle: RuncBundle): Workload {
  return {
    name: 'runc',
    label: 'runc run (busybox bundle, /bin/true)',
    next: () => bundle.command(bundle.nextId()),
    after: () => bundle.reap(),
  };
}
