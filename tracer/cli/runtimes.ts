// The container runtimes `cttrace run` can drive, and how each is started on a bundle: ctrun,
// runc and crun by name, or any runtime with runc's command line by path (youki, runsc, ...).
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { basename, join } from 'node:path';
import { packageRoot } from '../paths.js';
import { resolveCommand } from './resolve-command.js';
import { UserError } from './user-error.js';

export const RUNTIME_NAMES = ['ctrun', 'runc', 'crun'] as const;
export type RuntimeName = (typeof RUNTIME_NAMES)[number];

export interface RuntimeLaunch {
  /** the program the engine starts */
  readonly path: string;
  /** the runtime itself (for `delete --force` after the run) */
  readonly runtimePath: string;
  readonly argv: readonly string[];
  /** said in the trace header: how this run differs from the runtime used alone */
  readonly note: string | null;
}

/**
 * crun refuses a hybrid cgroup layout (v1 controllers plus cgroup2 at /sys/fs/cgroup/unified).
 * It is started inside a private mount namespace where that cgroup2 mount is hidden; the trace
 * shows this wrapper's unshare and umount2 before crun's own execve.
 */
function hybridCgroups(): boolean {
  return existsSync('/sys/fs/cgroup/unified/cgroup.controllers') && !existsSync('/sys/fs/cgroup/cgroup.controllers');
}

/** A short name for the runtime (file names, the state folder): "runc" for /usr/sbin/runc. */
export function runtimeLabel(runtime: string): string {
  return basename(runtime).replace(/[^A-Za-z0-9_.-]/g, '_') || 'runtime';
}

/** A runtime given by path must answer `--version` as runc's command line does. */
function checkUsable(path: string, given: string): void {
  const probe = spawnSync(path, ['--version'], { encoding: 'utf8', timeout: 5000, stdio: ['ignore', 'pipe', 'pipe'] });
  if (probe.error || probe.status !== 0) {
    const why = probe.error ? probe.error.message : `exit status ${probe.status}`;
    throw new UserError(`runtime ${given} is not usable: \`${path} --version\` failed (${why}); give a runtime with runc's command line (runc, crun, youki, runsc)`);
  }
}

export function runtimeLaunch(name: string, stateRoot: string, bundleDir: string, id: string): RuntimeLaunch {
  if (!name.includes('/') && !(RUNTIME_NAMES as readonly string[]).includes(name)) {
    throw new UserError(`unknown runtime "${name}"; choose one of ${RUNTIME_NAMES.join(', ')}, or give the path of a runtime with runc's command line`);
  }
  const runArgs = ['--root', stateRoot, 'run', '--bundle', bundleDir, id];
  if (name === 'ctrun') {
    const path = join(packageRoot, 'runtime', 'build', 'ctrun');
    if (!existsSync(path)) throw new UserError(`the bundled runtime is not built (${path} is missing); run: npm run build`);
    return { path, runtimePath: path, argv: ['ctrun', ...runArgs], note: null };
  }
  let path: string;
  try {
    path = resolveCommand(name);
  } catch (error) {
    if (!(error instanceof UserError)) throw error;
    throw new UserError(name.includes('/') ? `runtime ${name} is not an executable file; check the path` : `runtime ${name} is not installed (not found on PATH); install it or give its path`);
  }
  if (name.includes('/')) checkUsable(path, name);
  const label = runtimeLabel(name);
  if (label === 'crun' && hybridCgroups()) {
    const unshare = resolveCommand('unshare');
    const script = 'umount -l /sys/fs/cgroup/unified && exec "$0" "$@"';
    return {
      path: unshare,
      runtimePath: path,
      argv: ['unshare', '--mount', '--propagation', 'private', 'sh', '-c', script, path, ...runArgs],
      note: 'crun refuses this hybrid cgroup layout: it ran in a private mount namespace with /sys/fs/cgroup/unified unmounted',
    };
  }
  return { path, runtimePath: path, argv: [label, ...runArgs], note: null };
}
