// Resolving an image reference to layers in the cache. The built-in busybox and dir: images are
// made here; images with layers (OCI layouts, docker save and OCI archives) are unpacked by
// layered.ts, loaded only for them: it brings the tar parser, whose loading cost every
// `cttrace run -- busybox ...` about 20 ms when it was loaded for all.
import { realpathSync, statSync } from 'node:fs';
import { busyboxConfig, busyboxLayer } from './busybox.js';
import type { BlobSource } from './blobs.js';
import { ImageError } from './errors.js';
import type { ImageConfig } from './formats.js';
import { cttraceHome, DEFAULT_ID_SHIFT, type IdShift } from './home.js';
import { makeProgress } from './progress.js';
import { parseReference } from './reference.js';
import type { RemoteOptions } from './remote.js';

export interface Image {
  /** The reference as given. */
  readonly reference: string;
  /** For messages: the reference, with the tag an archive gave it. */
  readonly name: string;
  /** The config digest (docker's image id), or a stand-in for busybox and dir: images. */
  readonly id: string;
  /** Unpacked layer folders, bottom first (overlayfs wants them top first: reverse). */
  readonly layers: readonly string[];
  readonly config: ImageConfig;
  /** The id shift the layers' owners carry (rootless), if any. */
  readonly shift?: IdShift;
  /** True when `layers` is a folder of the user's (dir:), which must never be written. */
  readonly external: boolean;
}

export interface ResolveOptions extends RemoteOptions {
  /** The cache (default $CTTRACE_HOME or /var/lib/cttrace). */
  home?: string;
  /** Owners for a user-namespaced container: true for 100000..165535, or a shift of your own. */
  rootless?: boolean | IdShift;
  /** Progress lines: default on when stderr is a terminal; a stream forces them there. */
  progress?: boolean | NodeJS.WritableStream;
}

export function shiftOf(rootless: boolean | IdShift | undefined): IdShift | undefined {
  if (!rootless) return undefined;
  return rootless === true ? DEFAULT_ID_SHIFT : rootless;
}

/** Resolves a reference, unpacking whatever layers the cache lacks. */
export async function resolveImage(reference: string, options: ResolveOptions = {}): Promise<Image> {
  const ref = parseReference(reference);
  const home = cttraceHome(options.home);
  const shift = shiftOf(options.rootless);
  switch (ref.kind) {
    case 'busybox': {
      const layer = busyboxLayer(home, shift);
      return { reference, name: 'busybox', id: `busybox:${layer.key}`, layers: [layer.dir], config: layer.config, ...(shift ? { shift } : {}), external: false };
    }
    case 'dir': {
      let path: string;
      try {
        path = realpathSync(ref.path);
      } catch {
        throw new ImageError(`dir: image ${ref.path} does not exist`);
      }
      if (!statSync(path).isDirectory()) throw new ImageError(`dir: image ${ref.path} is not a folder`);
      return { reference, name: `dir:${path}`, id: `dir:${path}`, layers: [path], config: busyboxConfig(), external: true };
    }
    case 'registry':
    case 'docker-daemon': {
      const { resolveRemoteImage } = await import('./remote.js');
      return resolveRemoteImage(ref, reference, home, shift, makeProgress(options.progress), options);
    }
    default: {
      const { resolveLayeredImage } = await import('./layered.js');
      return resolveLayeredImage(ref, reference, home, shift, makeProgress(options.progress));
    }
  }
}

export type { BlobSource };
