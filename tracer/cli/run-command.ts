// `cttrace run -- IMAGE [CMD...]`: make a bundle from an image, run a runtime on it under the
// tracer, relay the container's stdio and exit code, and leave nothing behind.
import { randomBytes } from 'node:crypto';
import { mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { spawnSync } from 'node:child_process';
import { join } from 'node:path';
import { makeBundle, type Bundle } from '../../runtime/bundle/index.js';
import { defaultOutputPath } from './output-path.js';
import { runtimeLaunch, type RuntimeName } from './runtimes.js';
import { withLiveViewer, type LiveHooks, type WebOptions } from './live-option.js';
import { checkOutputOptions, runTracedSession, type OutputOptions } from './traced-session.js';
import { UserError } from './user-error.js';
import { checkImageOptions, type ImageOptions, remoteOptions } from './image-options.js';

export interface RunOptions extends OutputOptions, WebOptions, ImageOptions {
  readonly runtime?: string;
  readonly hostname?: string;
  readonly memory?: string;
  readonly pidsLimit?: number;
  readonly rootless?: boolean;
}

const STATE_PARENT = '/run/cttrace';

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
  return withLiveViewer(options, (hooks) => runContainer(image, command, options, hooks));
}

async function runContainer(image: string, command: readonly string[], options: RunOptions, hooks: LiveHooks): Promise<number> {
  const runtime = (options.runtime ?? 'ctrun') as RuntimeName;
  const id = `cttrace-${randomBytes(6).toString('hex')}`;
  mkdirSync(STATE_PARENT, { recursive: true, mode: 0o700 });
  const stateRoot = mkdtempSync(join(STATE_PARENT, `${runtime}-`));
  let bundle: Bundle | null = null;
  try {
    runtimeLaunch(runtime, stateRoot, '/', id); // a bad --runtime fails before any work
    bundle = await makeBundle({
      image,
      id,
      args: command.length ? [...command] : undefined,
      hostname: options.hostname,
      memory: options.memory,
      pidsLimit: options.pidsLimit,
      rootless: options.rootless,
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
      outputPath: options.output ?? defaultOutputPath(`${runtime}-${image}`),
      options,
      subject: runtime,
      ...hooks,
    });
  } finally {
    // runc and crun keep state under --root; a run cut short (Ctrl-C) can leave a container record.
    if (runtime !== 'ctrun') spawnSync(runtime, ['--root', stateRoot, 'delete', '--force', id], { stdio: 'ignore' });
    await bundle?.cleanup();
    rmSync(stateRoot, { recursive: true, force: true });
  }
}
