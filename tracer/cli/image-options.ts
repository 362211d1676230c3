// The options of commands that fetch images (run, pull): --pull, --platform, --creds,
// --insecure-registry. Declared once here, checked before any work starts.
import type { Command } from 'commander';
import { parsePlatform } from '../../runtime/image/platform.js';
import { PULL_POLICIES, type PullPolicy } from '../../runtime/image/pull-policy.js';
import type { RemoteOptions } from '../../runtime/image/remote.js';
import { UserError } from './user-error.js';

export interface ImageOptions {
  readonly pull?: string;
  readonly platform?: string;
  readonly creds?: string;
  readonly insecureRegistry?: readonly string[];
}

export function withImageOptions(command: Command, { pullPolicy }: { pullPolicy: boolean }): Command {
  if (pullPolicy) command.option('--pull <when>', 'fetch registry images: always, missing (not in the cache: the default), never');
  return command
    .option('--platform <os/arch[/variant]>', "the image's platform in a multi-platform index (default: this host's, e.g. linux/amd64)")
    .option('--creds <user:password>', 'registry credentials (default: those of ~/.docker/config.json, or none)')
    .option('--insecure-registry <host[:port]>', 'allow plain http and any certificate for this registry (loopback always may); repeatable', (value: string, previous: string[] = []) => [...previous, value]);
}

export function checkImageOptions(options: ImageOptions): void {
  if (options.pull !== undefined && !PULL_POLICIES.includes(options.pull as PullPolicy)) throw new UserError(`--pull takes ${PULL_POLICIES.join(', ')}, not ${JSON.stringify(options.pull)}`);
  if (options.platform !== undefined) parsePlatform(options.platform);
  if (options.creds !== undefined && !/^[^:]+:/.test(options.creds)) throw new UserError('--creds takes USER:PASSWORD');
}

export function remoteOptions(options: ImageOptions): RemoteOptions {
  return {
    ...(options.pull !== undefined ? { pull: options.pull as PullPolicy } : {}),
    ...(options.platform !== undefined ? { platform: options.platform } : {}),
    ...(options.creds !== undefined ? { creds: options.creds } : {}),
    ...(options.insecureRegistry !== undefined ? { insecureRegistries: options.insecureRegistry } : {}),
  };
}
