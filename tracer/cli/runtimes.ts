// The container runtimes `cttrace run` can drive, and how each is started on a bundle.
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { packageRoot } from '../paths.js';
import { resolveCommand } from './resolve-command.js';
import { UserError } from './user-error.js';

export const RUNTIME_NAMES = ['ctrun', 'runc', 'crun'] as const;
export type RuntimeName = (typeof RUNTIME_NAMES)[number];

export interface RuntimeLaunch {
  /** the program the engine starts */
  readonly path: string;
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

export function runtimeLaunch(name: string, stateRoot: string, bundleDir: string, id: string): RuntimeLaunch {
  if (!(RUNTIME_NAMES as readonly string[]).includes(name)) {
    throw new UserError(`unknown runtime "${name}"; choose one of ${RUNTIME_NAMES.join(', ')}`);
  }
  const runArgs = ['--root', stateRoot, 'run', '--bundle', bundleDir, id];
  if (name === 'ctrun') {
    const path = join(packageRoot, 'runtime', 'build', 'ctrun');
    if (!existsSync(path)) throw new UserError(`the bundled runtime is not built (${path} is missing); run: npm run build`);
    return { path, argv: ['ctrun', ...runArgs], note: null };
  }
  const path = resolveCommand(name);
  if (name === 'crun' && hybridCgroups()) {
    const unshare = resolveCommand('unshare');
    const script = 'umount -l /sys/fs/cgroup/unified && exec "$0" "$@"';
    return {
      path: unshare,
      argv: ['unshare', '--mount', '--propagation', 'private', 'sh', '-c', script, path, ...runArgs],
      note: 'crun refuses this hybrid cgroup layout: it ran in a private mount namespace with /sys/fs/cgroup/unified unmounted',
    };
  }
  return { path, argv: [name, ...runArgs], note: null };
}
