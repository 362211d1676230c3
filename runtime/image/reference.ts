// Image references, as skopeo spells transports:
//   busybox                      the built-in image from the host's static busybox
//   oci:DIR[:TAG]                an OCI image layout folder
//   oci-archive:FILE[:TAG]       an OCI image layout packed in a tar
//   docker-archive:FILE[:REF]    `docker save` output (REF: repo:tag or @N)
//   FILE.tar (.tar.gz, .tgz)     either archive, recognised by its content
//   dir:PATH                     a plain root folder, used read-only as the only layer
//   docker://REF                 a registry image (docker's reference rules, docker-reference.ts)
//   docker-daemon:NAME[:TAG]     an image in the local dockerd, through its Engine API
//   NAME[:TAG][@DIGEST]          a name as `docker run` takes it: the local dockerd's image of
//                                that name if it has one, else the registry's
import { existsSync, statSync } from 'node:fs';
import { resolve } from 'node:path';
import { type DockerReference, parseDockerReference } from './docker-reference.js';
import { ImageError } from './errors.js';

export type ImageReference =
  | { kind: 'busybox' }
  | { kind: 'oci'; path: string; tag?: string }
  | { kind: 'oci-archive'; path: string; tag?: string }
  | { kind: 'docker-archive'; path: string; ref?: string }
  | { kind: 'archive'; path: string }
  | { kind: 'dir'; path: string }
  /** `docker://REF`: the registry only; a bare NAME: the local dockerd first (`daemonFirst`). */
  | { kind: 'registry'; ref: DockerReference; daemonFirst: boolean }
  | { kind: 'docker-daemon'; ref: DockerReference };

export const REFERENCE_HELP = 'use a registry image (alpine, user/app:tag, host:port/app@sha256:...), docker://REF, docker-daemon:NAME[:TAG], busybox, oci:DIR[:TAG], oci-archive:FILE[:TAG], docker-archive:FILE[:REF], FILE.tar or dir:PATH';

/**
 * Splits `PATH[:SUFFIX]` where PATH may itself hold colons: the longest prefix that exists (as a
 * folder when `wantDir`, else as a file) is the path; without one, the whole text is.
 */
function splitPath(text: string, wantDir: boolean): { path: string; suffix?: string } {
  const isWanted = (path: string) => {
    try {
      return wantDir ? statSync(path).isDirectory() : statSync(path).isFile();
    } catch {
      return false;
    }
  };
  if (isWanted(text)) return { path: text };
  for (let i = text.lastIndexOf(':'); i > 0; i = text.lastIndexOf(':', i - 1)) {
    const path = text.slice(0, i);
    if (isWanted(path)) return { path, suffix: text.slice(i + 1) };
  }
  // Nothing exists: take the first colon as the separator (skopeo's rule for oci: is the last,
  // but paths rarely hold colons and tags never hold slashes).
  const colon = text.indexOf(':');
  if (colon > 0 && !text.slice(colon + 1).includes('/')) return { path: text.slice(0, colon), suffix: text.slice(colon + 1) };
  return { path: text };
}

export function parseReference(text: string): ImageReference {
  if (text === '') throw new ImageError(`no image given: ${REFERENCE_HELP}`);
  if (text === 'busybox' || text === 'busybox:latest') return { kind: 'busybox' };
  const colon = text.indexOf(':');
  const transport = colon > 0 ? text.slice(0, colon) : '';
  const rest = colon > 0 ? text.slice(colon + 1) : '';
  switch (transport) {
    case 'oci':
    case 'oci-archive': {
      if (rest === '') throw new ImageError(`${transport}: needs a path: ${transport}:${transport === 'oci' ? 'DIR' : 'FILE'}[:TAG]`);
      const { path, suffix } = splitPath(rest, transport === 'oci');
      return { kind: transport, path: resolve(path), ...(suffix ? { tag: suffix } : {}) };
    }
    case 'docker-archive': {
      if (rest === '') throw new ImageError('docker-archive: needs a file: docker-archive:FILE[:REPO:TAG]');
      const { path, suffix } = splitPath(rest, false);
      return { kind: 'docker-archive', path: resolve(path), ...(suffix ? { ref: suffix } : {}) };
    }
    case 'dir':
      if (rest === '') throw new ImageError('dir: needs a folder: dir:PATH');
      return { kind: 'dir', path: resolve(rest) };
    case 'docker':
      if (!rest.startsWith('//')) throw new ImageError(`docker: takes a registry reference after two slashes: docker://${rest || 'alpine:latest'}`);
      return { kind: 'registry', ref: parseDockerReference(rest.slice(2)), daemonFirst: false };
    case 'docker-daemon':
      if (rest === '') throw new ImageError('docker-daemon: needs an image name: docker-daemon:NAME[:TAG]');
      return { kind: 'docker-daemon', ref: parseDockerReference(rest) };
  }
  if (/\.(tar|tar\.gz|tgz)$/.test(text)) return { kind: 'archive', path: resolve(text) };
  if (existsSync(text) && statSync(text).isDirectory()) {
    const hint = existsSync(resolve(text, 'oci-layout')) ? `oci:${text}` : `dir:${text}`;
    throw new ImageError(`unknown image ${JSON.stringify(text)}: for this folder use ${hint}`);
  }
  try {
    return { kind: 'registry', ref: parseDockerReference(text), daemonFirst: true };
  } catch (error) {
    // A path-like text that names nothing is more likely a mistyped file than a bad name.
    if (text.startsWith('/') || text.startsWith('.')) throw new ImageError(`unknown image ${JSON.stringify(text)}: no such file; ${REFERENCE_HELP}`);
    throw error;
  }
}
