// `cttrace run -- IMAGE [CMD...]`: make a bundle from an image, run a runtime on it under the
// tracer, relay the container's stdio and exit code, and leave nothing behind.
import { randomBytes } from 'node:crypto';
import { rmSync } from 'node:fs';
import { spawnSync } from 'node:child_process';
import { describeSweep, makeBundle, sweepOrphans, type Bundle } from '../../runtime/bundle/index.js';
import { makeStateRoot } from '../../runtime/bundle/state-root.js';
import { defaultOutputPath } from './output-path.js';
import { runtimeLabel, runtimeLaunch, type RuntimeLaunch } from './runtimes.js';
import { withLiveViewer, type LiveHooks, type WebOptions } from './live-option.js';
import { checkOutputOptions, runTracedSession, type OutputOptions } from './traced-session.js';
import { print } from './output.js';
import { UserError } from './user-error.js';
import { checkImageOptions, type ImageOptions, remoteOptions } from './image-options.js';

export interface RunOptions extends OutputOptions, WebOptions, ImageOptions {
  readonly runtime?: string;
  readonly hostname?: string;
  readonly memory?: string;
  readonly pidsLimit?: number;
  readonly rootless?: boolean;
  readonly seccomp?: string;
  readonly tty?: boolean;
  readonly interactive?: boolean;
}

/** `stty -g` of the terminal on stdin, and a function that puts it back (also at exit). */
function saveTerminal(): () => void {
  const saved = spawnSync('stty', ['-g'], { stdio: [0, 'pipe', 'ignore'], encoding: 'utf8' }).stdout?.trim();
  if (!saved) return () => undefined;
  const restore = () => {
    spawnSync('stty', [saved], { stdio: [0, 'ignore', 'ignore'] });
  };
  process.once('exit', restore);
  return () => {
    process.removeListener('exit', restore);
    restore();
  };
}

export async function runCommand(imageAndCommand: readonly string[], options: RunOptions): Promise<number> {
  const [image, ...command] = imageAndCommand;
  if (!image) throw new UserError('no image given: cttrace run -- IMAGE [CMD...] (IMAGE: alpine, host:port/app:tag, docker-daemon:NAME, busybox, oci:DIR, FILE.tar, dir:PATH)');
  checkOutputOptions(options);
  checkImageOptions(options);
  if (process.getuid?.() !== 0) {
    // --rootless too: the container gets a user namespace, but its overlay, cgroups and maps are made by root
    throw new UserError('cttrace run needs root (overlay mounts, cgroups, namespaces): run it with sudo; --rootless still starts as root');
  }
  if (options.pidsLimit !== undefined && !(Number.isInteger(options.pidsLimit) && options.pidsLimit > 0)) {
    throw new UserError('--pids-limit takes a whole number above 0');
  }
  // As dockerd does (setDefaultUmask): the runtime makes its cgroups and state with the modes it
  // asks for, whatever the caller's umask. Under 077 ctrun's new /cttrace cgroup was 0700, and a
  // rootless container's root (uid 100000 on the host) could not enter it to bind its cgroup.
  process.umask(0o022);
  // what crashed runs left (their owner is gone): removed first, and said in one line
  const swept = describeSweep(sweepOrphans());
  if (swept) print(process.stderr, `cttrace: ${swept}\n`);
  if (options.tty && !process.stdin.isTTY) throw new UserError('-t needs a terminal on stdin (as docker run -t); drop -t to pipe input');
  // The runtime puts the terminal in raw mode and restores it; if it cannot (killed), we do.
  const restore = options.tty ? saveTerminal() : () => undefined;
  try {
    return await withLiveViewer(options, (hooks) => runContainer(image, command, options, hooks));
  } finally {
    restore();
  }
}

async function runContainer(image: string, command: readonly string[], options: RunOptions, hooks: LiveHooks): Promise<number> {
  const runtime = options.runtime ?? 'ctrun';
  const label = runtimeLabel(runtime);
  const id = `cttrace-${randomBytes(6).toString('hex')}`;
  const probe: RuntimeLaunch = runtimeLaunch(runtime, '/', '/', id); // a bad --runtime fails before any work
  const stateRoot = makeStateRoot(label);
  let bundle: Bundle | null = null;
  try {
    bundle = await makeBundle({
      image,
      id,
      args: command.length ? [...command] : undefined,
      hostname: options.hostname,
      memory: options.memory,
      pidsLimit: options.pidsLimit,
      rootless: options.rootless,
      seccomp: options.seccomp,
      terminal: options.tty ? { height: process.stdout.rows ?? 0, width: process.stdout.columns ?? 0 } : undefined,
      progress: process.stderr.isTTY,
      remote: remoteOptions(options),
    });
    const launch = runtimeLaunch(runtime, stateRoot, bundle.dir, id);
    return await runTracedSession({
      target: { kind: 'command', path: launch.path, argv: launch.argv },
      command: launch.argv,
      image: bundle.image.name === image ? image : `${image} = ${bundle.image.name}`,
      runtime,
      notes: launch.note ? [launch.note] : [],
      outputPath: options.output ?? defaultOutputPath(`${label}-${image}`),
      options,
      subject: label,
      ...hooks,
    });
  } finally {
    // runc and crun keep state under --root; a run cut short (Ctrl-C) can leave a container record.
    if (runtime !== 'ctrun') spawnSync(probe.runtimePath, ['--root', stateRoot, 'delete', '--force', id], { stdio: 'ignore' });
    await bundle?.cleanup();
    rmSync(stateRoot, { recursive: true, force: true });
  }
}
